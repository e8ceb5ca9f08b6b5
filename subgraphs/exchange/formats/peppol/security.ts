import type { Finding } from '../types.ts';

/**
 * Refuses what no UBL document needs and every XML attack uses: a DOCTYPE (external entities, XXE; entity
 * expansion, billion laughs) or an entity declaration. Checked on the raw bytes, before any parser sees them,
 * so no parser option can ever be what stands between a partner's file and our file system.
 */
export function refuseDoctype(text: string): Finding | null {
  const match = /<!(DOCTYPE|ENTITY)\b/i.exec(text);
  if (!match) return null;
  const line = text.slice(0, match.index).split('\n').length;
  return {
    severity: 'ERROR',
    code: 'XML_DOCTYPE_REFUSED',
    message: `A ${match[1]!.toUpperCase()} declaration (line ${line}) is not accepted: UBL documents have none, and external or expanding entities are never resolved`,
    at: { segment: match[1]!.toUpperCase() },
    value: text.slice(match.index, match.index + 60),
  };
}
