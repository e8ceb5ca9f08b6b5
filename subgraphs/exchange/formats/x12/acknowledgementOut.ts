import type { Finding, Interchange, Message, MessageOutcome, OutboundEnvelope } from '../types.ts';
import { AK3, AK4, AK5, TA1, parseCode } from './codes.ts';
import { out, type Out } from './common.ts';
import type { X12Version } from './read.ts';
import { writeInterchange, type OutboundGroup } from './writer.ts';

/** The 999's implementation guide (ST03 and GS08). */
const IG_999 = '005010X231A1';
const ACKNOWLEDGEMENTS = new Set(['997', '999', 'TA1']);
const MAX_CODES = 5;

interface Tags {
  segment: string;
  element: string;
  set: string;
}

const TAGS: Record<X12Version, Tags> = {
  '004010': { segment: 'AK3', element: 'AK4', set: 'AK5' },
  '005010': { segment: 'IK3', element: 'IK4', set: 'IK5' },
};

const errors = (findings: readonly Finding[]) => findings.filter((finding) => finding.severity === 'ERROR');

function codesAt(findings: readonly Finding[], level: 'AK5' | 'AK9'): string[] {
  const codes = errors(findings)
    .map((finding) => parseCode(finding.code))
    .filter((parsed) => parsed?.level === level)
    .map((parsed) => parsed!.value);
  return [...new Set(codes)].slice(0, MAX_CODES);
}

/** AK3/AK4 (IK3/IK4): one segment line per located segment, an element line per element finding in it. */
function segmentDetail(findings: readonly Finding[], tags: Tags): Out[] {
  const bySegment = new Map<string, { tag: string; position: number; codes: Set<string>; elements: Out[] }>();
  for (const finding of errors(findings)) {
    const at = finding.at;
    if (!at?.segment || at.position === undefined) continue;
    const parsed = parseCode(finding.code);
    if (parsed && parsed.level !== 'AK3' && parsed.level !== 'AK4') continue;
    const key = `${at.segment}@${at.position}`;
    const entry = bySegment.get(key) ?? {
      tag: at.segment,
      position: at.position,
      codes: new Set<string>(),
      elements: [],
    };
    bySegment.set(key, entry);
    if (at.element !== undefined) {
      // Our own findings (an unknown item, a wrong unit) name a value the receiver cannot use: invalid code value.
      const why = parsed?.level === 'AK4' ? parsed.value : AK4.invalidCode;
      entry.codes.add(AK3.elementErrors);
      entry.elements.push(out(tags.element, String(at.element), '', why, finding.value?.slice(0, 99)));
    } else if (parsed?.level === 'AK3') entry.codes.add(parsed.value);
  }
  return [...bySegment.values()].flatMap((entry) => [
    out(tags.segment, entry.tag, String(entry.position), '', [...entry.codes][0]),
    ...entry.elements,
  ]);
}

function setResponse(
  message: Message,
  outcome: MessageOutcome | undefined,
  tags: Tags,
): { accepted: boolean; segments: Out[] } {
  const findings = outcome ? outcome.findings : message.findings;
  const accepted = outcome ? outcome.accepted : errors(findings).length === 0;
  const segments: Out[] = [out('AK2', message.documentType ?? '', message.controlNumber ?? '')];
  if (accepted) return { accepted, segments: [...segments, out(tags.set, 'A')] };
  const detail = segmentDetail(findings, tags);
  const codes = codesAt(findings, 'AK5');
  if (detail.length > 0 && !codes.includes(AK5.segmentsInError) && codes.length < MAX_CODES)
    codes.push(AK5.segmentsInError);
  return { accepted, segments: [...segments, ...detail, out(tags.set, 'R', ...codes)] };
}

interface GroupKey {
  functionalId: string;
  controlNumber: string;
  version: string;
  entries: { message: Message; outcome: MessageOutcome | undefined }[];
}

/** 997 (004010) or 999 (005010): AK1 per functional group, AK2..AK5 per transaction set, AK9 with the counts. */
function functionalAcknowledgement(
  received: Interchange,
  outcomes: readonly MessageOutcome[],
  version: X12Version,
): OutboundGroup | null {
  const tags = TAGS[version];
  const groups = new Map<string, GroupKey>();
  received.messages.forEach((message, index) => {
    if (!message.group || ACKNOWLEDGEMENTS.has(message.documentType ?? '')) return;
    const key = `${message.group.functionalId}/${message.group.controlNumber}`;
    const group = groups.get(key) ?? { ...message.group, entries: [] };
    groups.set(key, group);
    group.entries.push({ message, outcome: outcomes[index] });
  });
  if (groups.size === 0) return null;
  const sets = [...groups.values()].map((group) => {
    const segments: Out[] = [
      out('AK1', group.functionalId, group.controlNumber, version === '005010' ? group.version : undefined),
    ];
    let accepted = 0;
    for (const { message, outcome } of group.entries) {
      const response = setResponse(message, outcome, tags);
      if (response.accepted) accepted += 1;
      segments.push(...response.segments);
    }
    const groupFindings = group.entries[0]!.message.findings;
    const groupCodes = codesAt(groupFindings, 'AK9');
    const declared = groupFindings.find((finding) => finding.code === 'AK9-5')?.value;
    const received = group.entries.length;
    const status = groupCodes.length > 0 || accepted === 0 ? 'R' : accepted === received ? 'A' : 'P';
    const included = declared && /^\d+$/.test(declared) ? declared : String(received);
    segments.push(out('AK9', status, included, String(received), String(accepted), ...groupCodes));
    return segments;
  });
  return {
    functionalId: 'FA',
    version: version === '005010' ? IG_999 : '004010',
    sets: sets.map((segments) =>
      version === '005010' ? { id: '999', segments, convention: IG_999 } : { id: '997', segments },
    ),
  };
}

/** TA1 for an interchange whose envelope is broken: its control number, date and time, R, and the note code. */
function interchangeAcknowledgement(received: Interchange): Out {
  const code =
    errors(received.findings)
      .map((finding) => parseCode(finding.code))
      .find((parsed) => parsed?.level === 'TA1')?.value ?? TA1.invalidContent;
  const stamped = received.preparedAt ?? '';
  const date = /^\d{4}-\d{2}-\d{2}/.test(stamped) ? stamped.slice(2, 10).replaceAll('-', '') : '000000';
  const time = /T\d{2}:\d{2}/.test(stamped) ? stamped.slice(11, 16).replace(':', '') : '0000';
  return out('TA1', received.controlNumber ?? '000000000', date, time, 'R', code);
}

export function acknowledgeInterchange(
  received: Interchange,
  outcomes: readonly MessageOutcome[],
  envelope: OutboundEnvelope,
  fallback: X12Version,
): Buffer {
  const version: X12Version =
    received.formatId === 'x12-005010' ? '005010' : received.formatId === 'x12-004010' ? '004010' : fallback;
  if (errors(received.findings).length > 0)
    return writeInterchange(envelope, version, [], [interchangeAcknowledgement(received)]);
  const group = functionalAcknowledgement(received, outcomes, version);
  return group ? writeInterchange(envelope, version, [group]) : Buffer.alloc(0);
}
