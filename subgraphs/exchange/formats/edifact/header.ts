import type { PartyIdentifiers } from '../business.ts';
import { Code, error } from './codes.ts';
import type { Fields } from './fields.ts';
import type { Segment } from './syntax.ts';

/** A message cut where its lines start (the first LIN) and where its summary starts (UNS). */
export interface Sections {
  header: Segment[];
  /** Each line: its LIN first, then every segment up to the next LIN or UNS. */
  lines: Segment[][];
  summary: Segment[];
}

export function sections(body: readonly Segment[]): Sections {
  const result: Sections = { header: [], lines: [], summary: [] };
  let inSummary = false;
  for (const segment of body) {
    if (segment.tag === 'UNS') inSummary = true;
    else if (inSummary) result.summary.push(segment);
    else if (segment.tag === 'LIN') result.lines.push([segment]);
    else if (result.lines.length > 0) result.lines[result.lines.length - 1]!.push(segment);
    else result.header.push(segment);
  }
  return result;
}

export interface Header {
  bgm?: Segment;
  /** BGM C002 1001: 220 order, 231 order response, 351 despatch advice, 380 invoice, 381 credit note. */
  documentCode?: string;
  /** BGM 1004. */
  number?: string;
  /** BGM 4343, the response type of an order response. */
  responseType?: string;
  /** DTM by qualifier (2005), as ISO dates. */
  dates: Map<string, string>;
  currency?: string;
  /** NAD by party qualifier (3035). */
  parties: Map<string, PartyIdentifiers>;
  /** RFF C506 by qualifier (1153): the reference and its line number (1156). */
  references: Map<string, { value: string; line?: string }>;
  /** FTX C108 texts, in order. */
  notes: string[];
  /** The last header segment, where a missing one would have been. */
  last?: Segment;
}

/** What every document's header carries: BGM, DTM, CUX, NAD, RFF and FTX, each at its first occurrence. */
export function readHeader(fields: Fields, header: readonly Segment[]): Header {
  const result: Header = { dates: new Map(), parties: new Map(), references: new Map(), notes: [] };
  for (const segment of header) {
    result.last = segment;
    switch (segment.tag) {
      case 'BGM':
        // A message has one beginning: a second BGM is a repetition the segment table does not allow.
        if (result.bgm)
          fields.findings.push(
            error(
              Code.TOO_MANY_REPETITIONS,
              'BGM appears more than once',
              fields.at(segment),
              fields.text(segment, 2, 1),
            ),
          );
        result.bgm ??= segment;
        result.documentCode ??= fields.text(segment, 1, 1);
        result.number ??= fields.text(segment, 2, 1);
        result.responseType ??= fields.text(segment, 4, 1);
        break;
      case 'DTM': {
        const qualifier = fields.text(segment, 1, 1);
        if (qualifier === undefined || result.dates.has(qualifier)) break;
        const date = fields.date(segment);
        if (date !== undefined) result.dates.set(qualifier, date);
        break;
      }
      case 'CUX':
        result.currency ??= fields.text(segment, 1, 2);
        break;
      case 'NAD': {
        const qualifier = fields.text(segment, 1, 1);
        if (qualifier !== undefined && !result.parties.has(qualifier))
          result.parties.set(qualifier, fields.party(segment));
        break;
      }
      case 'RFF': {
        const qualifier = fields.text(segment, 1, 1);
        const value = fields.text(segment, 1, 2);
        const line = fields.text(segment, 1, 3);
        if (qualifier !== undefined && value !== undefined && !result.references.has(qualifier))
          result.references.set(qualifier, line === undefined ? { value } : { value, line });
        break;
      }
      case 'FTX': {
        const text = [1, 2, 3, 4, 5]
          .map((i) => fields.text(segment, 4, i))
          .filter((part) => part !== undefined);
        if (text.length > 0) result.notes.push(text.join(''));
        break;
      }
    }
  }
  return result;
}

/** The document number and issue date every document needs, with a finding for each one missing. */
export function identity(fields: Fields, header: Header): { number: string; issueDate: string } | undefined {
  let number = header.number;
  if (header.bgm === undefined) fields.missing('BGM', 'beginning of message', header.last);
  else number ??= fields.required(header.bgm, 2, 1, 'document number (1004)');
  const issueDate = header.dates.get('137') ?? header.dates.get('4');
  if (issueDate === undefined)
    fields.missing('DTM', 'document date (qualifier 137)', header.bgm ?? header.last);
  return number === undefined || issueDate === undefined ? undefined : { number, issueDate };
}

export function seller(header: Header): PartyIdentifiers {
  return header.parties.get('SU') ?? header.parties.get('SE') ?? {};
}

export function buyer(header: Header): PartyIdentifiers {
  return header.parties.get('BY') ?? {};
}
