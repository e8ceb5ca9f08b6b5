import type { ItemIdentifiers, PartyIdentifiers, WireUnit } from '../../business.ts';
import type { Finding } from '../../types.ts';
import { all, first, text, type XmlElement } from '../tree.ts';

/**
 * Reads the fields every Peppol document shares, collecting a finding with the element's XPath for each
 * one that is missing or malformed instead of throwing, so one document yields every problem at once.
 */
export class FieldReader {
  readonly findings: Finding[] = [];

  constructor(readonly root: XmlElement) {}

  warn(code: string, message: string, path: string): void {
    this.findings.push({ severity: 'WARNING', code, message, at: { path } });
  }

  private problem(code: string, message: string, path: string, value?: string): void {
    this.findings.push({
      severity: 'ERROR',
      code,
      message,
      at: {
        segment: path
          .split('/')
          .pop()
          ?.replace(/\[\d+\]$/, ''),
        path,
      },
      ...(value === undefined ? {} : { value }),
    });
  }

  required(element: XmlElement | undefined, path: string, fallback = ''): string {
    const value = text(element, path);
    if (value === undefined) {
      this.problem(
        'MISSING_ELEMENT',
        `${path} is required`,
        `${element?.path ?? this.root.path}/${qualified(path)}`,
      );
      return fallback;
    }
    return value;
  }

  date(element: XmlElement | undefined, path: string, required: true): string;
  date(element: XmlElement | undefined, path: string, required?: false): string | undefined;
  date(element: XmlElement | undefined, path: string, required = false): string | undefined {
    const value = required ? this.required(element, path) : text(element, path);
    if (value === undefined || value === '') return value;
    if (!isDate(value)) {
      this.problem(
        'INVALID_DATE',
        `${path} must be a date YYYY-MM-DD`,
        first(element, path)?.path ?? path,
        value,
      );
    }
    return value;
  }

  lineNumber(element: XmlElement | undefined, path: string): number {
    const value = this.required(element, path, '0');
    if (!/^\d{1,9}$/.test(value)) {
      this.problem(
        'INVALID_LINE_NUMBER',
        `${path} must be a line number`,
        first(element, path)?.path ?? path,
        value,
      );
      return 0;
    }
    return Number(value);
  }

  quantity(element: XmlElement | undefined, path: string): { quantity: string; unit: WireUnit } {
    const quantity = this.required(element, path, '0');
    const field = first(element, path);
    if (field && !/^-?\d+(\.\d+)?$/.test(quantity)) {
      this.problem('INVALID_QUANTITY', `${path} must be a decimal number`, field.path, quantity);
    }
    const code = field?.attrs.unitCode;
    if (field && !code) this.problem('MISSING_ATTRIBUTE', `${path}/@unitCode is required`, field.path);
    return { quantity, unit: { code: code ?? '', codeList: 'REC20' } };
  }

  code<T>(
    element: XmlElement | undefined,
    path: string,
    codes: Record<string, T>,
    what: string,
  ): T | undefined {
    const value = this.required(element, path);
    if (value === '') return undefined;
    const mapped = codes[value];
    if (mapped === undefined) {
      this.problem(
        'UNSUPPORTED_CODE',
        `${what} ${value} is not supported; use one of ${Object.keys(codes).join(', ')}`,
        first(element, path)?.path ?? path,
        value,
      );
    }
    return mapped;
  }

  fail(code: string, message: string, path: string, value?: string): void {
    this.problem(code, message, path, value);
  }
}

const qualified = (path: string) =>
  path
    .split('/')
    .map((step) => (isBasic(step) ? `cbc:${step}` : `cac:${step}`))
    .join('/');

/** UBL basic components are leaves; in the paths we read those are the ones that carry text. */
const BASIC = /(ID|Date|Code|Name|Quantity|Amount|Note|Percent|Description|Time|Numeric|Measure|Indicator)$/;
const isBasic = (step: string) => BASIC.test(step);

export function isDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** GLN as PartyIdentification with scheme 0088; every other identification as `scheme:value`. */
export function partyOf(party: XmlElement | undefined): PartyIdentifiers {
  const result: PartyIdentifiers = {};
  const name = text(party, 'PartyName/Name') ?? text(party, 'PartyLegalEntity/RegistrationName');
  if (name !== undefined) result.name = name;
  const ids: string[] = [];
  for (const id of all(party, 'PartyIdentification/ID')) {
    const value = id.text.trim();
    if (id.attrs.schemeID === '0088' && result.gln === undefined) result.gln = value;
    else ids.push(id.attrs.schemeID ? `${id.attrs.schemeID}:${value}` : value);
  }
  const vat = text(party, 'PartyTaxScheme/CompanyID');
  if (vat !== undefined) ids.push(`VAT:${vat}`);
  if (ids.length > 0) result.ids = ids;
  const country = text(party, 'PostalAddress/Country/IdentificationCode');
  if (country !== undefined) result.country = country;
  return result;
}

export function itemOf(item: XmlElement | undefined): ItemIdentifiers {
  const result: ItemIdentifiers = {};
  const buyer = text(item, 'BuyersItemIdentification/ID');
  const seller = text(item, 'SellersItemIdentification/ID');
  const gtin = all(item, 'StandardItemIdentification/ID').find((id) => id.attrs.schemeID === '0160');
  const description = text(item, 'Description') ?? text(item, 'Name');
  if (buyer !== undefined) result.buyerPartNumber = buyer;
  if (seller !== undefined) result.vendorPartNumber = seller;
  if (gtin) result.gtin = gtin.text.trim();
  if (description !== undefined) result.description = description;
  return result;
}
