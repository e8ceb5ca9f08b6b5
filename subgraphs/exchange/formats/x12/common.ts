import type { ItemIdentifiers, PartyIdentifiers, WireUnit } from '../business.ts';
import type { Segment } from './envelope.ts';
import type { Reader } from './reader.ts';

/** A segment to write: tag and element values; trailing empty elements are dropped as X12 requires. */
export type Out = [tag: string, elements: string[]];

export function out(tag: string, ...elements: (string | undefined)[]): Out {
  const values = elements.map((value) => value ?? '');
  while (values.length > 0 && values[values.length - 1] === '') values.pop();
  return [tag, values];
}

/** N103 code for a GS1 Global Location Number. */
const GLN = 'UL';

/** The party of the first N1 whose entity code (N101) is listed, in the order listed. */
export function readParty(
  reader: Reader,
  entityCodes: readonly string[],
  within: readonly Segment[],
): PartyIdentifiers {
  const n1 = reader.qualified('N1', 1, entityCodes, within);
  const party: PartyIdentifiers = {};
  if (!n1) return party;
  const name = reader.text(n1, 2);
  const qualifier = reader.text(n1, 3);
  const id = reader.text(n1, 4);
  if (name) party.name = name;
  if (qualifier && id) {
    if (qualifier === GLN) party.gln = id;
    else party.ids = [`${qualifier}:${id}`];
  }
  return party;
}

/** One N1: the GLN when known, else the first other identifier (N1 carries one). */
export function writeParty(entityCode: string, party: PartyIdentifiers): Out[] {
  const [qualifier, id] = party.gln ? [GLN, party.gln] : splitId(party.ids?.[0]);
  if (!party.name && !id) return [];
  return [out('N1', entityCode, party.name, id ? qualifier : undefined, id)];
}

function splitId(id: string | undefined): [string | undefined, string | undefined] {
  if (!id) return [undefined, undefined];
  const colon = id.indexOf(':');
  return colon > 0 ? [id.slice(0, colon), id.slice(colon + 1)] : ['ZZ', id];
}

const BUYER_PART = ['BP', 'IN', 'CB'];
const VENDOR_PART = ['VP', 'VN', 'VA', 'SK'];
const GTIN = ['UP', 'EN', 'UK', 'UA', 'UI', 'UD'];

/**
 * Product/service ID pairs (qualifier, value) from element `from` on: PO106.., IT106.., LIN02... The buyer's,
 * the vendor's and the GTIN are taken by the first qualifier of each list present.
 */
export function readItem(
  reader: Reader,
  segment: Segment,
  from: number,
  within: readonly Segment[],
): ItemIdentifiers {
  const pairs = new Map<string, string>();
  for (let element = from; element < segment.elements.length; element += 2) {
    const qualifier = reader.text(segment, element);
    const value = reader.text(segment, element + 1);
    if (qualifier && value && !pairs.has(qualifier)) pairs.set(qualifier, value);
  }
  const pick = (qualifiers: readonly string[]) =>
    qualifiers.map((q) => pairs.get(q)).find((value) => value !== undefined);
  const item: ItemIdentifiers = {};
  const buyer = pick(BUYER_PART);
  const vendor = pick(VENDOR_PART);
  const gtin = pick(GTIN);
  const description = reader.text(reader.first('PID', within), 5) ?? pairs.get('PD');
  if (buyer) item.buyerPartNumber = buyer;
  if (vendor) item.vendorPartNumber = vendor;
  if (gtin) item.gtin = gtin;
  if (description) item.description = description;
  return item;
}

export function itemPairs(item: ItemIdentifiers): string[] {
  const pairs: string[] = [];
  if (item.buyerPartNumber) pairs.push('BP', item.buyerPartNumber);
  if (item.vendorPartNumber) pairs.push('VP', item.vendorPartNumber);
  if (item.gtin)
    pairs.push(item.gtin.length === 12 ? 'UP' : item.gtin.length === 13 ? 'EN' : 'UK', item.gtin);
  return pairs;
}

export function describeItem(item: ItemIdentifiers): Out[] {
  return item.description ? [out('PID', 'F', '', '', '', item.description)] : [];
}

export function x12Unit(code: string): WireUnit {
  return { code, codeList: 'X12' };
}

/** Units we write are X12 element 355 codes; a Recommendation 20 code cannot be sent as one. */
export function unitCode(unit: WireUnit): string {
  if (unit.codeList !== 'X12')
    throw new Error(`unit ${unit.code} is a ${unit.codeList} code; X12 needs its own (element 355)`);
  return unit.code;
}

/** Currency from the first CUR (CUR02), or US dollars, which X12 documents without a CUR mean. */
export function readCurrency(reader: Reader, within: readonly Segment[]): string {
  return reader.text(reader.first('CUR', within), 2) ?? 'USD';
}
