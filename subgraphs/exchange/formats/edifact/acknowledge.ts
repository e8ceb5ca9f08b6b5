import type { Finding, Interchange, MessageOutcome, OutboundEnvelope, WireParty } from '../types.ts';
import { isSyntaxCode } from './codes.ts';
import type { MessageIdentifier } from './envelope.ts';
import { type Element, type OutSegment, writeInterchange } from './serializer.ts';

const SERVICE_SEGMENTS = new Set(['UNA', 'UNB', 'UNG', 'UNH', 'UNT', 'UNE', 'UNZ']);

/**
 * CONTRL carries 0085 codes only. A business finding (an unknown item, an order that cannot be confirmed)
 * becomes 12, invalid value, when it points at a data element, and 18, unspecified, when it does not.
 */
function syntaxCode(finding: Finding): string {
  if (isSyntaxCode(finding.code) || /^\d{1,3}$/.test(finding.code)) return finding.code;
  return finding.at?.element !== undefined ? '12' : '18';
}

function party(wire: WireParty | null): Element {
  if (!wire) return undefined;
  return wire.qualifier ? [wire.id, wire.qualifier] : [wire.id];
}

function position(finding: Finding): Element {
  const at = finding.at;
  if (at?.element === undefined) return undefined;
  return at.component === undefined ? [String(at.element)] : [String(at.element), String(at.component)];
}

function errors(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = JSON.stringify([finding.code, finding.at, finding.value]);
    if (finding.severity !== 'ERROR' || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** UCS per segment position in error, UCD per data element in error within it. */
function segmentErrors(findings: readonly Finding[]): OutSegment[] {
  const byPosition = new Map<number, Finding[]>();
  for (const finding of findings) {
    const at = finding.at?.position;
    if (at === undefined) continue;
    byPosition.set(at, [...(byPosition.get(at) ?? []), finding]);
  }
  const out: OutSegment[] = [];
  for (const [at, located] of [...byPosition].sort(([a], [b]) => a - b)) {
    const whole = located.find((finding) => finding.at?.element === undefined);
    out.push(['UCS', String(at), whole ? syntaxCode(whole) : undefined]);
    for (const finding of located)
      if (finding.at?.element !== undefined) out.push(['UCD', syntaxCode(finding), position(finding)]);
  }
  return out;
}

export interface AcknowledgedMessage {
  controlNumber: string | null;
  identifier: MessageIdentifier;
  findings: Finding[];
  outcome?: MessageOutcome;
}

/**
 * CONTRL for a received interchange: UCI with action 7 (acknowledged) or 4 (rejected, with the error code,
 * the service segment and the element in error), then UCM per message with its action and first error, and
 * UCS/UCD for every finding with a location in that message.
 */
export function writeControl(
  received: Interchange,
  messages: readonly AcknowledgedMessage[],
  envelope: OutboundEnvelope,
): Buffer {
  const envelopeErrors = errors(received.findings);
  const first = envelopeErrors[0];
  const uci: OutSegment = [
    'UCI',
    received.controlNumber ?? '',
    party(received.sender),
    party(received.receiver),
    first ? '4' : '7',
    ...(first
      ? [
          syntaxCode(first),
          first.at?.segment && SERVICE_SEGMENTS.has(first.at.segment) ? first.at.segment : undefined,
          position(first),
        ]
      : []),
  ];
  const body: OutSegment[] = [uci];
  for (const message of messages) {
    const found = errors([...message.findings, ...(message.outcome?.findings ?? [])]);
    const accepted = !first && found.length === 0 && (message.outcome?.accepted ?? true);
    const { type, version, release, agency, association } = message.identifier;
    const s009 = [type, version, release, agency, association];
    if (accepted) {
      body.push(['UCM', message.controlNumber ?? '', s009, '7']);
      continue;
    }
    // The message's first error goes in UCM; an error in UNH or UNT names that segment there.
    const lead = found[0];
    const inService = lead?.at?.segment !== undefined && SERVICE_SEGMENTS.has(lead.at.segment);
    body.push([
      'UCM',
      message.controlNumber ?? '',
      s009,
      '4',
      lead ? syntaxCode(lead) : undefined,
      inService ? lead.at!.segment : undefined,
      inService ? position(lead) : undefined,
    ]);
    body.push(...segmentErrors(found.filter((finding) => finding !== lead || !inService)));
  }
  return writeInterchange(envelope, [{ type: 'CONTRL', version: 'D', release: '3', body }]);
}
