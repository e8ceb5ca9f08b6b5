import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { ItemIdentifiers, PartyIdentifiers, WireUnit } from '../../business.ts';
import type { WireParty } from '../../types.ts';

export const CAC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2';
export const CBC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2';
export const rootNamespace = (root: string) => `urn:oasis:names:specification:ubl:schema:xsd:${root}-2`;

export type Node = XMLBuilder;

export function ublDocument(root: string): Node {
  return create({ version: '1.0', encoding: 'UTF-8' })
    .ele(rootNamespace(root), root)
    .att('http://www.w3.org/2000/xmlns/', 'xmlns:cac', CAC)
    .att('http://www.w3.org/2000/xmlns/', 'xmlns:cbc', CBC);
}

export function cbc(parent: Node, name: string, value: string, attrs: Record<string, string> = {}): Node {
  const element = parent.ele(CBC, `cbc:${name}`);
  for (const [key, attr] of Object.entries(attrs)) element.att(key, attr);
  element.txt(value);
  return parent;
}

export const cac = (parent: Node, name: string): Node => parent.ele(CAC, `cac:${name}`);

export function quantity(parent: Node, name: string, value: string, unit: WireUnit): void {
  cbc(parent, name, value, { unitCode: unit.code });
}

export function amount(parent: Node, name: string, value: string, currency: string): void {
  cbc(parent, name, value, { currencyID: currency });
}

export function serialize(root: Node): Buffer {
  return Buffer.from(root.end({ prettyPrint: true }), 'utf8');
}

export function endpoint(party: Node, wire: WireParty | undefined): void {
  // Peppol requires the scheme; a bare id is taken for a GLN, the scheme most trading partners publish.
  if (wire) cbc(party, 'EndpointID', wire.id, { schemeID: wire.qualifier ?? '0088' });
}

/** What a document type lets a party carry beyond its identifiers and name (the BIS data models differ). */
export interface PartyParts {
  address?: boolean;
  taxScheme?: boolean;
  legalEntity?: boolean;
  /** Party name as PartyName/Name (every BIS except the billing ones, which name it in PartyLegalEntity too). */
  partyName?: boolean;
  /** At most this many PartyIdentification (an invoice's buyer has one, UBL-SR-16); the GLN comes first. */
  maxIdentifiers?: number;
}

/** Party in UBL's own element order: EndpointID, PartyIdentification, PartyName, address, tax, legal entity. */
export function party(
  parent: Node,
  identifiers: PartyIdentifiers,
  wire: WireParty | undefined,
  parts: PartyParts,
): void {
  const element = cac(parent, 'Party');
  endpoint(element, wire);
  const ids = identifiers.ids ?? [];
  const others = ids.filter((value) => !value.startsWith('VAT:'));
  const room = (parts.maxIdentifiers ?? Infinity) - (identifiers.gln === undefined ? 0 : 1);
  if (identifiers.gln !== undefined)
    cbc(cac(element, 'PartyIdentification'), 'ID', identifiers.gln, { schemeID: '0088' });
  for (const id of others.slice(0, Math.max(0, room))) {
    const colon = id.indexOf(':');
    const scheme = colon > 0 ? { schemeID: id.slice(0, colon) } : undefined;
    cbc(cac(element, 'PartyIdentification'), 'ID', colon > 0 ? id.slice(colon + 1) : id, scheme);
  }
  if (identifiers.name !== undefined && parts.partyName !== false)
    cbc(cac(element, 'PartyName'), 'Name', identifiers.name);
  if (parts.address && identifiers.country !== undefined) {
    cbc(cac(cac(element, 'PostalAddress'), 'Country'), 'IdentificationCode', identifiers.country);
  }
  if (parts.taxScheme) {
    for (const vat of ids.filter((value) => value.startsWith('VAT:'))) {
      const scheme = cac(element, 'PartyTaxScheme');
      cbc(scheme, 'CompanyID', vat.slice(4));
      cbc(cac(scheme, 'TaxScheme'), 'ID', 'VAT');
    }
  }
  if (parts.legalEntity && identifiers.name !== undefined) {
    cbc(cac(element, 'PartyLegalEntity'), 'RegistrationName', identifiers.name);
  }
}

/** Item/Name is required by every BIS; a line without a description is named by its best identifier. */
export function itemName(item: ItemIdentifiers): string {
  return item.description ?? item.vendorPartNumber ?? item.buyerPartNumber ?? item.gtin ?? 'Item';
}

/** Identifications in UBL order; the caller adds what follows them (tax category, instances). */
export function item(parent: Node, identifiers: ItemIdentifiers): Node {
  const element = cac(parent, 'Item');
  cbc(element, 'Name', itemName(identifiers));
  if (identifiers.buyerPartNumber !== undefined)
    cbc(cac(element, 'BuyersItemIdentification'), 'ID', identifiers.buyerPartNumber);
  if (identifiers.vendorPartNumber !== undefined)
    cbc(cac(element, 'SellersItemIdentification'), 'ID', identifiers.vendorPartNumber);
  if (identifiers.gtin !== undefined)
    cbc(cac(element, 'StandardItemIdentification'), 'ID', identifiers.gtin, { schemeID: '0160' });
  return element;
}
