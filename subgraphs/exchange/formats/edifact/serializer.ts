import type { OutboundEnvelope, WireParty } from '../types.ts';
import { DEFAULT_DELIMITERS, type Delimiters } from './syntax.ts';

/** A data element: a simple value, or the components of a composite; empty trailing parts are dropped. */
export type Element = string | undefined | readonly (string | undefined)[];
export type OutSegment = readonly [tag: string, ...elements: Element[]];

export type Directory = '96A' | '01B';

/** Releases the service characters; control characters (no syntax level has them) become spaces. */
function escape(value: string, delimiters: Delimiters): string {
  const special = [delimiters.release, delimiters.component, delimiters.element, delimiters.segment];
  let out = '';
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += ' ';
    else out += special.includes(char) ? delimiters.release + char : char;
  }
  return out;
}

function trimEnd<T>(values: readonly T[], empty: (value: T) => boolean): T[] {
  let end = values.length;
  while (end > 0 && empty(values[end - 1]!)) end--;
  return values.slice(0, end);
}

export function serializeSegment([tag, ...elements]: OutSegment, delimiters = DEFAULT_DELIMITERS): string {
  const written = elements.map((element) => {
    const parts = typeof element === 'string' || element === undefined ? [element] : element;
    return trimEnd(parts, (part) => part === undefined || part === '')
      .map((part) => escape(part ?? '', delimiters))
      .join(delimiters.component);
  });
  return (
    [tag, ...trimEnd(written, (element) => element === '')].join(delimiters.element) + delimiters.segment
  );
}

export interface OutMessage {
  /** UNH S009 0065, such as ORDERS or CONTRL. */
  type: string;
  version: string;
  release: string;
  /** The segments between UNH and UNT. */
  body: OutSegment[];
}

const MAX_REFERENCE = 14;

function party(wire: WireParty): Element {
  return wire.qualifier ? [wire.id, wire.qualifier] : [wire.id];
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}

/** Characters UNOC (ISO 8859-1) can carry; anything beyond needs UNOY (ISO 10646, syntax version 4). */
function fitsLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0xff) return false;
  }
  return true;
}

/**
 * Writes one interchange: UNA, UNB, each message between UNH and UNT with its segment count, and UNZ with
 * the message count. UNOC (syntax version 3) unless the data needs characters beyond ISO 8859-1, then UNOY
 * (syntax version 4). Envelope values a partner's translator would refuse are a bug of ours: they throw.
 */
export function writeInterchange(envelope: OutboundEnvelope, messages: readonly OutMessage[]): Buffer {
  for (const [name, value] of [
    ['interchange control number', envelope.interchangeControlNumber],
    ['message control number', envelope.messageControlNumber],
  ] as const)
    if (value === '' || value.length > MAX_REFERENCE)
      throw new Error(`EDIFACT ${name} "${value}" must have 1 to ${MAX_REFERENCE} characters`);

  const bodies = messages.map((message, i) => {
    const reference =
      messages.length === 1 ? envelope.messageControlNumber : `${envelope.messageControlNumber}${i + 1}`;
    const segments: OutSegment[] = [
      ['UNH', reference, [message.type, message.version, message.release, 'UN']],
      ...message.body,
    ];
    segments.push(['UNT', String(segments.length + 1), reference]);
    return segments.map((segment) => serializeSegment(segment)).join('');
  });
  const data = bodies.join('');
  const unicode = !fitsLatin1(data);
  const at = envelope.createdAt;
  const year = String(at.getUTCFullYear());
  const date = `${unicode ? year : year.slice(2)}${twoDigits(at.getUTCMonth() + 1)}${twoDigits(at.getUTCDate())}`;
  const time = `${twoDigits(at.getUTCHours())}${twoDigits(at.getUTCMinutes())}`;
  const unb: OutSegment = [
    'UNB',
    unicode ? ['UNOY', '4'] : ['UNOC', '3'],
    party(envelope.sender),
    party(envelope.receiver),
    [date, time],
    envelope.interchangeControlNumber,
    ...(envelope.test ? [undefined, undefined, undefined, undefined, undefined, '1'] : []),
  ];
  const unz: OutSegment = ['UNZ', String(messages.length), envelope.interchangeControlNumber];
  const text = `UNA${DEFAULT_DELIMITERS.component}${DEFAULT_DELIMITERS.element}${DEFAULT_DELIMITERS.decimal}${DEFAULT_DELIMITERS.release} ${DEFAULT_DELIMITERS.segment}${serializeSegment(unb)}${data}${serializeSegment(unz)}`;
  return Buffer.from(text, unicode ? 'utf8' : 'latin1');
}

/** DTM C507 in format 102 (CCYYMMDD). */
export function dtm(qualifier: string, isoDate: string): OutSegment {
  return ['DTM', [qualifier, isoDate.replaceAll('-', ''), '102']];
}
