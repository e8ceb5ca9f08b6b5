import type { ItemIdentifiers, PartyIdentifiers, WireUnit } from '../business.ts';
import type { Directory, Element, OutSegment } from './serializer.ts';

/** Splits text into the an..35 components a name or description is written in, at word breaks when it can. */
export function chunks(text: string, size = 35, max = 5): string[] {
  const out: string[] = [];
  let rest = text.trim();
  while (rest !== '' && out.length < max) {
    if (rest.length <= size) {
      out.push(rest);
      break;
    }
    const space = rest.lastIndexOf(' ', size);
    const cut = space > 0 ? space : size;
    out.push(rest.slice(0, cut));
    rest = rest.slice(space > 0 ? cut + 1 : cut);
  }
  return out;
}

/** NAD with the GLN (agency 9), or else the first other identifier, and the name in C080. */
export function nad(qualifier: string, party: PartyIdentifiers): OutSegment {
  let id: Element;
  if (party.gln) id = [party.gln, undefined, '9'];
  else {
    const first = party.ids?.[0];
    const colon = first?.indexOf(':') ?? -1;
    id =
      first === undefined
        ? undefined
        : colon < 0
          ? [first]
          : [first.slice(colon + 1), undefined, first.slice(0, colon)];
  }
  const name = party.name ? chunks(party.name) : [];
  return name.length > 0 ? ['NAD', qualifier, id, undefined, name] : ['NAD', qualifier, id];
}

/**
 * LIN carries the GTIN (EN in D96A, SRV from D01B on, as EANCOM does); PIA the buyer's (IN) and seller's (SA)
 * codes; IMD the description.
 */
export function itemSegments(
  lineNo: number,
  item: ItemIdentifiers,
  directory: Directory,
  action?: string,
): OutSegment[] {
  const segments: OutSegment[] = [
    ['LIN', String(lineNo), action, item.gtin ? [item.gtin, directory === '96A' ? 'EN' : 'SRV'] : undefined],
  ];
  const codes: Element[] = [];
  if (item.buyerPartNumber) codes.push([item.buyerPartNumber, 'IN']);
  if (item.vendorPartNumber) codes.push([item.vendorPartNumber, 'SA']);
  if (codes.length > 0) segments.push(['PIA', item.gtin ? '1' : '5', ...codes]);
  // Cut at exactly 35 characters: the reader joins the two 7008 components without a separator.
  if (item.description)
    segments.push([
      'IMD',
      'F',
      undefined,
      [undefined, undefined, undefined, item.description.slice(0, 35), item.description.slice(35, 70)],
    ]);
  return segments;
}

export function qty(qualifier: string, quantity: string, unit: WireUnit): OutSegment {
  return ['QTY', [qualifier, quantity, unit.code]];
}
