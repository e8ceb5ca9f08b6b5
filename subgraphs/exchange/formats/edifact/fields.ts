import type { ItemIdentifiers, Location, PartyIdentifiers, WireUnit } from '../business.ts';
import type { Finding } from '../types.ts';
import { Code, error } from './codes.ts';
import type { EnvelopedMessage } from './envelope.ts';
import type { Segment } from './syntax.ts';

/** DTM 2379 formats read, each with where year, month and day are. */
const DATE_FORMATS: Record<string, RegExp> = {
  '102': /^(\d{4})(\d{2})(\d{2})$/,
  '203': /^(\d{4})(\d{2})(\d{2})\d{4}$/,
  '204': /^(\d{4})(\d{2})(\d{2})\d{6}$/,
  '718': /^(\d{4})(\d{2})(\d{2})-?\d{8}$/,
  '101': /^(\d{2})(\d{2})(\d{2})$/,
};

/**
 * Reading the segments a mapping needs out of one message, each problem a finding that points at the
 * segment (its position counted from UNH), the element and the component, with the value found.
 */
export class Fields {
  readonly findings: Finding[] = [];
  /** The segments between UNH and UNT. */
  readonly body: Segment[];
  private readonly unh: Segment;

  constructor(message: EnvelopedMessage) {
    this.unh = message.segments[0]!;
    const last = message.segments[message.segments.length - 1]!;
    this.body = message.segments.slice(1, last.tag === 'UNT' ? -1 : undefined);
  }

  at(segment: Segment, element?: number, component?: number): Location {
    const location: Location = { segment: segment.tag, position: segment.index - this.unh.index + 1 };
    if (element !== undefined) location.element = element;
    if (component !== undefined) location.component = component;
    return location;
  }

  /** Where a missing segment should have been: after the last segment read. */
  after(tag: string, previous: Segment | undefined): Location {
    return { segment: tag, position: (previous ?? this.unh).index - this.unh.index + 2 };
  }

  text(segment: Segment, element: number, component = 1): string | undefined {
    const value = segment.elements[element - 1]?.[component - 1];
    return value === undefined || value === '' ? undefined : value;
  }

  required(segment: Segment, element: number, component: number, name: string): string | undefined {
    const value = this.text(segment, element, component);
    if (value === undefined)
      this.findings.push(
        error(Code.MISSING, `${segment.tag} has no ${name}`, this.at(segment, element, component)),
      );
    return value;
  }

  missing(tag: string, what: string, previous: Segment | undefined): void {
    this.findings.push(error(Code.MISSING, `no ${tag} ${what}`, this.after(tag, previous)));
  }

  invalid(segment: Segment, element: number, component: number, message: string, value: string): void {
    this.findings.push(error(Code.INVALID_VALUE, message, this.at(segment, element, component), value));
  }

  /** A decimal as written, with either decimal mark (ISO 9735 accepts both on receipt) read as a point. */
  decimal(segment: Segment, element: number, component: number, name: string): string | undefined {
    const value = this.required(segment, element, component, name);
    if (value === undefined) return undefined;
    if (!/^-?(\d+([.,]\d*)?|[.,]\d+)$/.test(value)) {
      this.findings.push(
        error(
          Code.INVALID_TYPE_OF_CHARACTER,
          `${segment.tag} ${name} is not a number`,
          this.at(segment, element, component),
          value,
        ),
      );
      return undefined;
    }
    const point = value.replace(',', '.').replace(/\.$/, '');
    return point.replace(/^(-?)\./, '$10.');
  }

  /** DTM C507 (2005 qualifier, 2380 value, 2379 format) as an ISO date. */
  date(dtm: Segment): string | undefined {
    const value = this.required(dtm, 1, 2, 'date (C507 2380)');
    if (value === undefined) return undefined;
    const format = this.text(dtm, 1, 3) ?? (value.length === 8 ? '102' : undefined);
    const pattern = format === undefined ? undefined : DATE_FORMATS[format];
    if (!pattern) {
      this.invalid(dtm, 1, 3, 'date format (2379) is not one of 102, 203, 204, 718, 101', format ?? '');
      return undefined;
    }
    const parts = pattern.exec(value);
    if (parts) {
      const year = parts[1]!.length === 2 ? `20${parts[1]!}` : parts[1]!;
      const iso = `${year}-${parts[2]!}-${parts[3]!}`;
      const parsed = new Date(`${iso}T00:00:00Z`);
      if (!Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(iso)) return iso;
    }
    this.invalid(dtm, 1, 2, `${value} is not a date in format ${format!}`, value);
    return undefined;
  }

  /** QTY C186 (6063 qualifier, 6060 quantity, 6411 unit); no unit means the trade unit, REC20 C62 (one). */
  quantity(qty: Segment): { quantity: string; unit: WireUnit } | undefined {
    const quantity = this.decimal(qty, 1, 2, 'quantity (C186 6060)');
    if (quantity === undefined) return undefined;
    return { quantity, unit: { code: this.text(qty, 1, 3) ?? 'C62', codeList: 'REC20' } };
  }

  /** NAD: the GLN when C082 is agency 9 (GS1) and 13 digits; any other code as `agency:id`; C080 as the name. */
  party(nad: Segment): PartyIdentifiers {
    const party: PartyIdentifiers = {};
    const id = this.text(nad, 2, 1);
    const agency = this.text(nad, 2, 3);
    if (id !== undefined) {
      if (agency === '9' && /^\d{13}$/.test(id)) party.gln = id;
      else party.ids = [`${agency ?? ''}:${id}`];
    }
    const name = [1, 2, 3, 4, 5].map((i) => this.text(nad, 4, i)).filter((part) => part !== undefined);
    const lines = [1, 2, 3, 4, 5].map((i) => this.text(nad, 3, i)).filter((part) => part !== undefined);
    if (name.length > 0) party.name = name.join(' ');
    else if (lines.length > 0) party.name = lines.join(' ');
    return party;
  }
}

const GTIN_TYPES = new Set(['EN', 'SRV', 'UP', 'GTIN']);
const BUYER_TYPES = new Set(['IN', 'BP']);
const VENDOR_TYPES = new Set(['SA', 'VN', 'VP']);

/** LIN C212 and PIA C212s: every code the line carries, by its item number type (7143). */
export function addItemCode(item: ItemIdentifiers, code: string | undefined, type: string | undefined): void {
  if (code === undefined) return;
  if (type !== undefined && GTIN_TYPES.has(type)) item.gtin ??= code;
  else if (type !== undefined && BUYER_TYPES.has(type)) item.buyerPartNumber ??= code;
  else if (type !== undefined && VENDOR_TYPES.has(type)) item.vendorPartNumber ??= code;
}

/** Reads the item codes and description of LIN, PIA and IMD segments into `item`. */
export function readItemSegment(fields: Fields, segment: Segment, item: ItemIdentifiers): void {
  if (segment.tag === 'LIN') addItemCode(item, fields.text(segment, 3, 1), fields.text(segment, 3, 2));
  else if (segment.tag === 'PIA')
    for (let element = 2; element <= 6; element++)
      addItemCode(item, fields.text(segment, element, 1), fields.text(segment, element, 2));
  else if (segment.tag === 'IMD') {
    const text = [4, 5].map((i) => fields.text(segment, 3, i)).filter((part) => part !== undefined);
    if (text.length > 0 && item.description === undefined) item.description = text.join('');
  }
}

/** The line number of LIN 1082, a finding when it is absent or not a number. */
export function lineNumber(fields: Fields, lin: Segment): number | undefined {
  const value = fields.required(lin, 1, 1, 'line item number (1082)');
  if (value === undefined) return undefined;
  if (!/^\d{1,6}$/.test(value)) {
    fields.findings.push(
      error(
        Code.INVALID_TYPE_OF_CHARACTER,
        'LIN line item number is not a number',
        fields.at(lin, 1, 1),
        value,
      ),
    );
    return undefined;
  }
  return Number(value);
}
