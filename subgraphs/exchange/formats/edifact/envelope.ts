import type { Location } from '../business.ts';
import type { Finding, WireParty } from '../types.ts';
import { Code, error } from './codes.ts';
import type { Lexed, Segment } from './syntax.ts';

/** UNH S009: what a message says it is. */
export interface MessageIdentifier {
  type: string;
  version: string;
  release: string;
  agency: string;
  association?: string;
}

/** One UNH..UNT message as the envelope delimits it; mapping to a business document comes later. */
export interface EnvelopedMessage {
  controlNumber: string | null;
  identifier: MessageIdentifier | null;
  group?: { functionalId: string; controlNumber: string; version: string };
  /** UNH first; UNT last when present. */
  segments: Segment[];
  findings: Finding[];
}

export interface InterchangeEnvelope {
  syntaxId: string | null;
  syntaxVersion: string | null;
  sender: WireParty | null;
  receiver: WireParty | null;
  controlNumber: string | null;
  test: boolean;
  findings: Finding[];
  messages: EnvelopedMessage[];
}

const MAX_ELEMENTS: Record<string, number> = { UNB: 11, UNG: 8, UNH: 7, UNT: 2, UNE: 2, UNZ: 2 };
const MAX_REFERENCE = 14;

export function component(segment: Segment, element: number, position = 1): string | undefined {
  const value = segment.elements[element - 1]?.[position - 1];
  return value === undefined || value === '' ? undefined : value;
}

/** Where a segment is: its position counted from UNH when it is in a message, from UNB otherwise. */
function at(segment: Segment, start: Segment | undefined, element?: number, part?: number): Location {
  const location: Location = {
    segment: segment.tag,
    position: start ? segment.index - start.index + 1 : segment.index,
  };
  if (element !== undefined) location.element = element;
  if (part !== undefined) location.component = part;
  return location;
}

function tooMany(segment: Segment, start: Segment | undefined, findings: Finding[]): void {
  const max = MAX_ELEMENTS[segment.tag];
  if (max !== undefined && segment.elements.length > max)
    findings.push(
      error(
        Code.TOO_MANY_CONSTITUENTS,
        `${segment.tag} has ${segment.elements.length} data elements; it has at most ${max}`,
        at(segment, start, max + 1),
      ),
    );
}

function required(
  segment: Segment,
  start: Segment | undefined,
  element: number,
  part: number,
  name: string,
  findings: Finding[],
): string | undefined {
  const value = component(segment, element, part);
  if (value === undefined)
    findings.push(error(Code.MISSING, `${segment.tag} has no ${name}`, at(segment, start, element, part)));
  return value;
}

function reference(
  segment: Segment,
  start: Segment | undefined,
  element: number,
  name: string,
  findings: Finding[],
): string | undefined {
  const value = required(segment, start, element, 1, name, findings);
  if (value !== undefined && value.length > MAX_REFERENCE)
    findings.push(
      error(
        Code.TOO_LONG,
        `${segment.tag} ${name} is longer than ${MAX_REFERENCE}`,
        at(segment, start, element, 1),
        value,
      ),
    );
  return value;
}

function count(
  segment: Segment,
  start: Segment | undefined,
  element: number,
  expected: number,
  what: string,
  findings: Finding[],
): void {
  const value = required(segment, start, element, 1, `count of ${what}`, findings);
  if (value === undefined) return;
  if (!/^\d+$/.test(value))
    findings.push(
      error(
        Code.INVALID_TYPE_OF_CHARACTER,
        `${segment.tag} count is not a number`,
        at(segment, start, element, 1),
        value,
      ),
    );
  else if (Number(value) !== expected)
    findings.push(
      error(
        Code.COUNT_DOES_NOT_MATCH,
        `${segment.tag} counts ${value} ${what}; there are ${expected}`,
        at(segment, start, element, 1),
        value,
      ),
    );
}

function matches(
  segment: Segment,
  start: Segment | undefined,
  element: number,
  expected: string | undefined,
  opener: string,
  findings: Finding[],
): void {
  const value = required(segment, start, element, 1, `reference repeating ${opener}'s`, findings);
  if (value !== undefined && expected !== undefined && value !== expected)
    findings.push(
      error(
        Code.REFERENCES_DO_NOT_MATCH,
        `${segment.tag} reference ${value} does not match ${opener} ${expected}`,
        at(segment, start, element, 1),
        value,
      ),
    );
}

function party(segment: Segment, element: number): WireParty | null {
  const id = component(segment, element, 1);
  if (id === undefined) return null;
  const qualifier = component(segment, element, 2);
  return qualifier === undefined ? { id } : { qualifier, id };
}

function checkHeader(unb: Segment, findings: Finding[]): void {
  tooMany(unb, undefined, findings);
  const version = required(unb, undefined, 1, 2, 'syntax version number (S001 0002)', findings);
  if (version !== undefined && !['1', '2', '3', '4'].includes(version))
    findings.push(
      error(
        Code.VERSION_NOT_SUPPORTED,
        `syntax version ${version} is not supported; use 1 to 4`,
        at(unb, undefined, 1, 2),
        version,
      ),
    );
  required(unb, undefined, 2, 1, 'interchange sender (S002 0004)', findings);
  required(unb, undefined, 3, 1, 'interchange recipient (S003 0010)', findings);
  const date = required(unb, undefined, 4, 1, 'date of preparation (S004 0017)', findings);
  if (date !== undefined && !/^(\d{6}|\d{8})$/.test(date))
    findings.push(
      error(Code.INVALID_VALUE, 'UNB date is not YYMMDD or CCYYMMDD', at(unb, undefined, 4, 1), date),
    );
  const time = required(unb, undefined, 4, 2, 'time of preparation (S004 0019)', findings);
  if (time !== undefined && !/^\d{4}$/.test(time))
    findings.push(error(Code.INVALID_VALUE, 'UNB time is not HHMM', at(unb, undefined, 4, 2), time));
  reference(unb, undefined, 5, 'interchange control reference (0020)', findings);
  const test = component(unb, 11);
  if (test !== undefined && test !== '1')
    findings.push(
      error(Code.INVALID_VALUE, 'UNB test indicator (0035) can only be 1', at(unb, undefined, 11, 1), test),
    );
}

function identify(unh: Segment, findings: Finding[]): MessageIdentifier | null {
  const names = ['message type (0065)', 'version (0052)', 'release (0054)', 'controlling agency (0051)'];
  const [type, version, release, agency] = names.map((name, i) =>
    required(unh, unh, 2, i + 1, name, findings),
  );
  if (type === undefined || version === undefined || release === undefined || agency === undefined)
    return null;
  const association = component(unh, 2, 5);
  return association === undefined
    ? { type, version, release, agency }
    : { type, version, release, agency, association };
}

interface Group {
  messages: number;
  info: { functionalId: string; controlNumber: string; version: string };
}

/**
 * Checks the interchange structure (UNB..UNZ, optional UNG..UNE groups, UNH..UNT messages): counts, matching
 * references, duplicates and anything found outside a message. Problems of one message stay with it; only
 * problems of the interchange itself reject every message.
 */
export function readEnvelope(lexed: Lexed): InterchangeEnvelope {
  const findings = [...lexed.findings];
  const segments = lexed.segments;
  const unb = segments[0]?.tag === 'UNB' ? segments[0] : undefined;
  const envelope: InterchangeEnvelope = {
    syntaxId: lexed.syntaxId,
    syntaxVersion: unb ? (component(unb, 1, 2) ?? null) : null,
    sender: unb ? party(unb, 2) : null,
    receiver: unb ? party(unb, 3) : null,
    controlNumber: unb ? (component(unb, 5) ?? null) : null,
    test: unb ? component(unb, 11) === '1' : false,
    findings,
    messages: [],
  };
  if (unb) {
    if (unb.broken) findings.push(unb.broken);
    checkHeader(unb, findings);
  }

  const seen = new Set<string>();
  let message: EnvelopedMessage | undefined;
  let group: Group | undefined;
  let groups = 0;
  let ungrouped = 0;
  let unz: Segment | undefined;

  const close = (unt: Segment | undefined): void => {
    if (!message) return;
    const unh = message.segments[0]!;
    if (unt) {
      message.segments.push(unt);
      tooMany(unt, unh, message.findings);
      count(unt, unh, 1, message.segments.length, 'segments from UNH to UNT', message.findings);
      matches(unt, unh, 2, message.controlNumber ?? undefined, 'UNH 0062', message.findings);
    } else {
      const last = message.segments[message.segments.length - 1]!;
      message.findings.push(
        error(Code.MISSING, `message ${message.controlNumber ?? ''} has no UNT`, {
          segment: 'UNT',
          position: last.index - unh.index + 2,
        }),
      );
    }
    for (const segment of message.segments)
      if (segment.broken)
        message.findings.push({
          ...segment.broken,
          at: { ...segment.broken.at, position: segment.index - unh.index + 1 },
        });
    message = undefined;
  };

  const closeGroup = (une: Segment | undefined): void => {
    if (!group) return;
    if (une) {
      tooMany(une, undefined, findings);
      count(une, undefined, 1, group.messages, 'messages in the group', findings);
      matches(une, undefined, 2, group.info.controlNumber, 'UNG 0048', findings);
    } else
      findings.push(error(Code.MISSING, `group ${group.info.controlNumber} has no UNE`, { segment: 'UNE' }));
    group = undefined;
  };

  for (const segment of segments.slice(unb ? 1 : 0)) {
    if (unz) {
      findings.push(
        error(Code.OUTSIDE_MESSAGE, `${segment.tag} follows UNZ`, at(segment, undefined), segment.tag),
      );
      continue;
    }
    if (message && segment.tag !== 'UNH' && !['UNB', 'UNG', 'UNE', 'UNZ'].includes(segment.tag)) {
      if (segment.tag === 'UNT') close(segment);
      else message.segments.push(segment);
      continue;
    }
    close(undefined);
    switch (segment.tag) {
      case 'UNH': {
        const messageFindings: Finding[] = [];
        tooMany(segment, segment, messageFindings);
        const controlNumber = reference(
          segment,
          segment,
          1,
          'message reference number (0062)',
          messageFindings,
        );
        if (controlNumber !== undefined && seen.has(controlNumber))
          messageFindings.push(
            error(
              Code.DUPLICATE,
              `message reference ${controlNumber} is used twice in this interchange`,
              at(segment, segment, 1, 1),
              controlNumber,
            ),
          );
        if (controlNumber !== undefined) seen.add(controlNumber);
        message = {
          controlNumber: controlNumber ?? null,
          identifier: identify(segment, messageFindings),
          segments: [segment],
          findings: messageFindings,
        };
        if (group) {
          group.messages++;
          message.group = group.info;
        } else ungrouped++;
        envelope.messages.push(message);
        break;
      }
      case 'UNG': {
        closeGroup(undefined);
        tooMany(segment, undefined, findings);
        groups++;
        const controlNumber =
          reference(segment, undefined, 5, 'group reference number (0048)', findings) ?? '';
        const version = [component(segment, 7, 1), component(segment, 7, 2)].filter(Boolean).join(':');
        group = {
          messages: 0,
          info: { functionalId: component(segment, 1) ?? '', controlNumber, version },
        };
        if (segment.broken) findings.push(segment.broken);
        break;
      }
      case 'UNE':
        if (group) closeGroup(segment);
        else findings.push(error(Code.OUTSIDE_MESSAGE, 'UNE without UNG', at(segment, undefined), 'UNE'));
        break;
      case 'UNZ':
        closeGroup(undefined);
        unz = segment;
        break;
      default:
        findings.push(
          segment.broken ??
            error(
              Code.OUTSIDE_MESSAGE,
              `${segment.tag} is outside any UNH..UNT message`,
              at(segment, undefined),
              segment.tag,
            ),
        );
    }
  }
  close(undefined);
  closeGroup(undefined);

  if (groups > 0 && ungrouped > 0)
    findings.push(
      error(
        Code.GROUPS_AND_MESSAGES_MIXED,
        'the interchange mixes messages in groups (UNG) with messages outside groups',
        { segment: 'UNG' },
      ),
    );
  if (envelope.messages.length === 0 && unb)
    findings.push(error(Code.LOWER_LEVEL_EMPTY, 'the interchange holds no message', at(unb, undefined)));
  if (unz) {
    if (unz.broken) findings.push(unz.broken);
    tooMany(unz, undefined, findings);
    count(
      unz,
      undefined,
      1,
      groups > 0 ? groups : envelope.messages.length,
      groups > 0 ? 'groups' : 'messages',
      findings,
    );
    matches(unz, undefined, 2, envelope.controlNumber ?? undefined, 'UNB 0020', findings);
  } else if (unb) {
    findings.push(error(Code.MISSING, 'the interchange has no UNZ: it is truncated', { segment: 'UNZ' }));
  }
  return envelope;
}
