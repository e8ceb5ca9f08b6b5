import Parser from 'edifact/parser.js';
import type { Finding } from '../types.ts';
import { Code, error, warning } from './codes.ts';

/** The service characters of an interchange: from its UNA, or the defaults of ISO 9735 `:+.? '`. */
export interface Delimiters {
  component: string;
  element: string;
  decimal: string;
  release: string;
  /** UNA position 7: reserved (a space) up to syntax version 3, the repetition separator from version 4. */
  repetition: string;
  segment: string;
}

export const DEFAULT_DELIMITERS: Delimiters = {
  component: ':',
  element: '+',
  decimal: '.',
  release: '?',
  repetition: ' ',
  segment: "'",
};

/** The character repertoires (syntax levels, UNB S001 0001) this family reads and writes. */
export const SYNTAX_LEVELS = ['UNOA', 'UNOB', 'UNOC', 'UNOY'] as const;
export type SyntaxLevel = (typeof SYNTAX_LEVELS)[number];

export function isSyntaxLevel(value: string): value is SyntaxLevel {
  return (SYNTAX_LEVELS as readonly string[]).includes(value);
}

export interface Segment {
  tag: string;
  /** `elements[i][j]` is component j+1 of element i+1, release characters removed. */
  elements: string[][];
  /** 1-based position in the interchange, UNB being 1 (a UNA is not a segment). */
  index: number;
  /** Set when the segment broke the syntax: its elements stop where the break was found. */
  broken?: Finding;
}

export interface Lexed {
  delimiters: Delimiters;
  /** UNB S001 0001 as read, whether supported or not. */
  syntaxId: string | null;
  segments: Segment[];
  /** Problems of the interchange as a whole: service string advice, separators, truncation. */
  findings: Finding[];
}

/**
 * UNOC is ISO 8859-1, one byte a character; UNOA and UNOB are 7-bit subsets of it; UNOY is ISO 10646 as UTF-8.
 * The syntax identifier sits at the start of the UNB, which is ASCII whatever the level, so a peek decides.
 * Partners often declare UNOC and send UTF-8: bytes that are valid UTF-8 with multi-byte characters are read
 * as UTF-8 (ISO 8859-1 text is almost never valid UTF-8), with a warning.
 */
export function decode(content: Buffer): { text: string; findings: Finding[] } {
  // A UTF-8 byte order mark says nothing EDIFACT needs; it is dropped before anything else.
  const body =
    content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf ? content.subarray(3) : content;
  const head = body.subarray(0, 256).toString('latin1');
  const at = head.indexOf('UNB');
  const level = at >= 0 ? head.slice(at + 4, at + 8) : '';
  const findings: Finding[] = [];
  if (level !== 'UNOA' && level !== 'UNOB' && level !== 'UNOC')
    return { text: body.toString('utf8'), findings };
  const utf8 = body.toString('utf8');
  const multiByte = utf8.length < body.length && !utf8.includes('\uFFFD');
  if (level !== 'UNOC' || !multiByte) return { text: body.toString('latin1'), findings };
  findings.push(
    warning(
      Code.INVALID_CHARACTER,
      'UNB declares UNOC (ISO 8859-1) but the content is UTF-8; read as UTF-8',
      {
        segment: 'UNB',
        position: 1,
        element: 1,
        component: 1,
      },
    ),
  );
  return { text: utf8, findings };
}

const ALPHANUMERIC = /[A-Za-z0-9]/;

function readUna(text: string, at: number, findings: Finding[]): Delimiters {
  const advice = text.slice(at + 3, at + 9);
  if (advice.length < 6) {
    findings.push(
      error(
        Code.INVALID_SERVICE_CHARACTERS,
        'the UNA service string advice is cut short',
        { segment: 'UNA' },
        advice,
      ),
    );
    return DEFAULT_DELIMITERS;
  }
  const [component, element, decimal, release, repetition, segment] = [...advice] as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const delimiters = { component, element, decimal, release, repetition, segment };
  const service = [component, element, release, segment];
  service.forEach((char, i) => {
    if (ALPHANUMERIC.test(char) || char === ' ')
      findings.push(
        error(
          Code.INVALID_SERVICE_CHARACTER,
          `UNA declares "${char}" as a service character; letters, digits and spaces cannot be one`,
          { segment: 'UNA', element: [1, 2, 4, 6][i]! },
          char,
        ),
      );
  });
  if (new Set(service).size < service.length)
    findings.push(
      error(
        Code.INVALID_SERVICE_CHARACTERS,
        'UNA declares the same character for two service functions',
        { segment: 'UNA' },
        advice,
      ),
    );
  return delimiters;
}

/** The characters a release character may precede: the service characters, and nothing else. */
function released(delimiters: Delimiters): Set<number> {
  const service = [delimiters.component, delimiters.element, delimiters.release, delimiters.segment];
  if (delimiters.repetition !== ' ') service.push(delimiters.repetition);
  return new Set(service.map((char) => char.charCodeAt(0)));
}

/**
 * Splits at unreleased segment terminators; the library then tokenizes each segment on its own. A release
 * character before anything but a service character is noted: the sender escaped something it did not need
 * to, or meant a character the syntax does not have.
 */
function split(
  text: string,
  from: number,
  delimiters: Delimiters,
): { raws: string[]; tail: string; misreleased: Map<number, number> } {
  const terminator = delimiters.segment.charCodeAt(0);
  const release = delimiters.release.charCodeAt(0);
  const service = released(delimiters);
  const raws: string[] = [];
  const misreleased = new Map<number, number>();
  let start = from;
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === release) {
      if (i + 1 < text.length && !service.has(text.charCodeAt(i + 1)) && !misreleased.has(raws.length))
        misreleased.set(raws.length, i - start);
      i++;
    } else if (code === terminator) {
      const whole = text.slice(start, i);
      const raw = whole.replace(/^\s+/, '');
      const bad = misreleased.get(raws.length);
      if (bad !== undefined) misreleased.set(raws.length, bad - (whole.length - raw.length));
      if (raw !== '') raws.push(raw);
      else misreleased.delete(raws.length);
      start = i + 1;
    }
  }
  return { raws, tail: text.slice(start).trim(), misreleased };
}

/** Whether every release character in `text` releases a service character. */
function cleanlyReleased(text: string, delimiters: Delimiters): boolean {
  const service = released(delimiters);
  for (
    let i = text.indexOf(delimiters.release);
    i >= 0 && i < text.length;
    i = text.indexOf(delimiters.release, i + 2)
  )
    if (!service.has(text.charCodeAt(i + 1))) return false;
  return true;
}

/** Whether `text` ends with a segment terminator that is not itself released. */
function terminated(text: string, delimiters: Delimiters): boolean {
  const end = text.trimEnd();
  if (!end.endsWith(delimiters.segment)) return false;
  let releases = 0;
  while (end[end.length - 2 - releases] === delimiters.release) releases++;
  return releases % 2 === 0;
}

/** Element and component (1-based) of the character at `offset` in a raw segment. */
function positionIn(
  raw: string,
  offset: number,
  delimiters: Delimiters,
): { element: number; component: number } {
  let element = 0;
  let component = 1;
  for (let i = 0; i < offset && i < raw.length; i++) {
    const char = raw[i];
    if (char === delimiters.release) i++;
    else if (char === delimiters.element) {
      element++;
      component = 1;
    } else if (char === delimiters.component) component++;
  }
  return { element, component };
}

function describeBreak(
  cause: unknown,
  raw: string,
  tag: string,
  index: number,
  delimiters: Delimiters,
  level: string,
) {
  const message = cause instanceof Error ? cause.message : String(cause);
  const invalid = /^Invalid character ([\s\S]) at position (\d+)/.exec(message);
  if (invalid) {
    const char = invalid[1]!;
    const { element, component } = positionIn(raw, Number(invalid[2]), delimiters);
    const code = char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return error(
      Code.INVALID_CHARACTER,
      `${tag} contains U+${code}, which syntax level ${level} does not allow (release it with "${delimiters.release}" if it is a service character)`,
      { segment: tag, position: index, element, component },
      char,
    );
  }
  return error(
    Code.NOT_SUPPORTED_HERE,
    `"${raw.slice(0, 12)}" does not start with a segment tag followed by "${delimiters.element}"`,
    { segment: tag, position: index },
    raw.slice(0, 35),
  );
}

/**
 * Reads the characters of an interchange into segments with the `edifact` parser, which applies the
 * delimiters, the release character and the repertoire of the syntax level named in UNB. A segment that
 * breaks the syntax is kept, marked broken, and reading goes on with the next one: only the message that
 * holds it is rejected.
 */
export function lex(content: Buffer): Lexed {
  const { text, findings } = decode(content);
  let at = text.search(/\S/);
  if (at < 0) at = text.length;
  let delimiters = DEFAULT_DELIMITERS;
  if (text.startsWith('UNA', at)) {
    delimiters = readUna(text, at, findings);
    at += 9;
  }
  const body = text.slice(at).replace(/^\s+/, '');
  const first = body === '' ? undefined : body.slice(0, 40);
  if (first === undefined || !first.startsWith('UNB')) {
    findings.push(
      error(
        Code.MISSING,
        'the interchange does not start with UNB (after an optional UNA)',
        { segment: 'UNB' },
        first?.slice(0, 35),
      ),
    );
  } else if (first[3] !== delimiters.element) {
    findings.push(
      error(
        Code.INVALID_SERVICE_CHARACTERS,
        `UNB is followed by "${first[3] ?? ''}", not the data element separator "${delimiters.element}"; declare other separators in a UNA`,
        { segment: 'UNB', position: 1 },
        first[3],
      ),
    );
  }

  let level: string = 'UNOA';
  let syntaxId: string | null = null;
  // Assigned from the parser's callbacks, so held in an object the compiler does not narrow.
  const state: { current?: Segment | undefined; components: string[]; whole: boolean } = {
    components: [],
    whole: true,
  };
  const segments: Segment[] = [];

  const open = (): Parser => {
    const parser = new Parser();
    parser.configure({
      segmentTerminator: delimiters.segment.charCodeAt(0),
      dataElementSeparator: delimiters.element.charCodeAt(0),
      componentDataSeparator: delimiters.component.charCodeAt(0),
      decimalMark: delimiters.decimal.charCodeAt(0),
      releaseCharacter: delimiters.release.charCodeAt(0),
    });
    parser.encoding(level);
    parser.onopensegment = (tag) => {
      state.current = { tag, elements: [], index: segments.length + 1 };
      if (state.whole) segments.push(state.current);
    };
    parser.onelement = () => {
      state.components = [];
      state.current?.elements.push(state.components);
    };
    parser.oncomponent = (data) => {
      const { current, components } = state;
      components.push(data);
      // The syntax level is known once UNB S001 0001 is read; the rest of UNB is already held to it.
      if (
        syntaxId === null &&
        current?.tag === 'UNB' &&
        current.elements.length === 1 &&
        components.length === 1
      ) {
        syntaxId = data;
        if (isSyntaxLevel(data)) {
          level = data;
          parser.encoding(data);
        } else {
          level = 'UNOY';
          parser.encoding(level);
          findings.push(
            error(
              Code.VERSION_NOT_SUPPORTED,
              `syntax identifier ${data} is not supported; use one of ${SYNTAX_LEVELS.join(', ')}`,
              { segment: 'UNB', position: 1, element: 1, component: 1 },
              data,
            ),
          );
        }
      }
    };
    return parser;
  };

  // Read through a function: the compiler would otherwise keep `state.current` narrowed to undefined.
  const opened = (): Segment | undefined => state.current;
  // Fast path: the whole interchange in one write, when nothing in it calls for segment-by-segment reading.
  const before = findings.length;
  if (cleanlyReleased(body, delimiters) && terminated(body, delimiters)) {
    const parser = open();
    try {
      parser.write(body);
      parser.end();
      if (segments.every((segment) => segment.tag.length === 3))
        return { delimiters, syntaxId, segments, findings };
    } catch {
      // Read again segment by segment below, to say where and continue after it.
    }
    segments.length = 0;
    findings.length = before;
    syntaxId = null;
    level = 'UNOA';
  }

  state.whole = false;
  const { raws, tail, misreleased } = split(text, at, delimiters);
  if (tail !== '') raws.push(tail);
  let parser = open();
  for (const [n, raw] of raws.entries()) {
    state.current = undefined;
    const index = segments.length + 1;
    try {
      parser.write(raw + delimiters.segment);
    } catch (cause) {
      const broken = opened() ?? { tag: /^[A-Z]*/.exec(raw)?.[0] || raw.slice(0, 3), elements: [], index };
      broken.broken = describeBreak(cause, raw, broken.tag, index, delimiters, level);
      state.current = broken;
      parser = open();
    }
    const segment = opened() ?? { tag: raw.slice(0, 3), elements: [], index };
    const bad = misreleased.get(n);
    if (!segment.broken && bad !== undefined) {
      const { element, component } = positionIn(raw, bad, delimiters);
      segment.broken = error(
        Code.INVALID_SERVICE_CHARACTERS,
        `${segment.tag} releases "${raw[bad + 1] ?? ''}", which is not a service character`,
        { segment: segment.tag, position: index, element, component },
        raw.slice(bad, bad + 2),
      );
    }
    if (!segment.broken && segment.tag.length !== 3)
      segment.broken = error(
        Code.NOT_SUPPORTED_HERE,
        `"${segment.tag}" is not a segment tag (three capital letters)`,
        { segment: segment.tag, position: index },
        segment.tag,
      );
    segments.push(segment);
  }

  if (tail !== '') {
    const last = segments[segments.length - 1];
    findings.push(
      error(
        Code.MISSING,
        `the interchange is truncated: "${tail.slice(0, 35)}" has no segment terminator "${delimiters.segment}"`,
        { segment: last?.tag ?? 'UNZ', position: last?.index },
        tail.slice(0, 35),
      ),
    );
  }
  return { delimiters, syntaxId, segments, findings };
}
