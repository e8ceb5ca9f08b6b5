import type { Location } from '../formats/business.ts';
import type { Finding, Message } from '../formats/types.ts';

/** Where a finding points, as an EDI analyst reads it: "PO1 (segment 7), element 3", or an XPath. */
export function describeLocation(at: Location): string {
  if (at.path) return at.path;
  const parts = [
    at.segment && (at.position ? `${at.segment} (segment ${at.position})` : at.segment),
    at.element && `element ${at.element}${at.component ? `.${at.component}` : ''}`,
  ];
  return parts.filter(Boolean).join(', ');
}

/** One sentence per finding, naming the message when the interchange holds several. */
export function reasonOf(finding: Finding, message?: Message): string {
  const which = message ? `${message.documentType ?? 'message'} ${message.controlNumber ?? '?'}: ` : '';
  const where = finding.at ? `${describeLocation(finding.at)}: ` : '';
  const found =
    finding.value !== undefined && !finding.message.includes(finding.value)
      ? ` (found "${finding.value}")`
      : '';
  return `${which}${where}${finding.code}: ${finding.message}${found}`;
}
