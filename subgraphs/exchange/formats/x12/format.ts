import type { DocumentFormat } from '../types.ts';
import { acknowledgeInterchange } from './acknowledgementOut.ts';
import { readInterchange, type X12Version } from './read.ts';
import { writeDocument } from './writer.ts';

const ISA_VERSION: Record<X12Version, string> = { '004010': '00401', '005010': '00501' };

/**
 * Whether content looks like an X12 interchange of this version: an ISA, and the version of its first GS
 * (GS08) or, failing that, its ISA12. Reads at most the first few hundred characters.
 */
function sniffs(content: Buffer, version: X12Version): boolean {
  const head = content
    .subarray(0, 512)
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart();
  if (!head.startsWith('ISA') || head.length < 106) return false;
  const element = head.charAt(3);
  const segment = head.charAt(105);
  const gs = head.slice(106).trimStart();
  if (gs.startsWith(`GS${element}`)) {
    const gs08 =
      gs.slice(0, gs.indexOf(segment) === -1 ? undefined : gs.indexOf(segment)).split(element)[8] ?? '';
    if (gs08.length >= 6) return gs08.startsWith(version);
  }
  return head.slice(84, 89) === ISA_VERSION[version];
}

/** ANSI ASC X12 in one of its versions: 850, 855, 856 and 810 both ways, 997 (004010) or 999 (005010) and TA1. */
export function x12Format(version: X12Version): DocumentFormat {
  return {
    id: `x12-${version}`,
    family: 'x12',
    mediaTypes: ['application/edi-x12'],
    sniff: (content) => sniffs(content, version),
    read: (content) => readInterchange(content, version),
    acknowledge: (received, outcomes, envelope) =>
      acknowledgeInterchange(received, outcomes, envelope, version),
    write: (document, envelope) => writeDocument(document, envelope, version),
  };
}
