import type { Location } from '../business.ts';
import type { Finding, ReceivedVerdict } from '../types.ts';
import { code, error } from './codes.ts';
import type { Segment } from './envelope.ts';
import type { Reader } from './reader.ts';
import type { RawSegment } from './syntax.ts';

/**
 * A 997 or 999 received: the partner's verdict on our transaction sets, one per AK2 (or one for the whole
 * group when it names none). A 997 names our functional group (AK102), not our interchange, so the verdict's
 * interchangeControlNumber carries the group control number we wrote in GS06.
 */
const ACCEPTED = ['A', 'E'];

function detail(reader: Reader, segments: readonly Segment[]): Finding[] {
  const findings: Finding[] = [];
  let segmentAt: Location = {};
  for (const segment of segments) {
    const value = (n: number) => reader.text(segment, n);
    if (segment.tag === 'AK3' || segment.tag === 'IK3') {
      segmentAt = { segment: value(1) ?? '' };
      const position = Number(value(2));
      if (Number.isInteger(position) && position > 0) segmentAt.position = position;
      const why = value(4);
      if (why) findings.push(error('AK3', why, `segment ${value(1) ?? ''} in error`, { ...segmentAt }));
    } else if (segment.tag === 'AK4' || segment.tag === 'IK4') {
      const why = value(3) ?? '';
      const at: Location = { ...segmentAt };
      const element = Number(reader.component(segment, 1, 1));
      const component = Number(reader.component(segment, 1, 2));
      if (Number.isInteger(element) && element > 0) at.element = element;
      if (Number.isInteger(component) && component > 0) at.component = component;
      findings.push(
        error('AK4', why, `element ${at.element ?? '?'} of ${at.segment ?? '?'} in error`, at, value(4)),
      );
    } else if (segment.tag === 'AK5' || segment.tag === 'IK5') {
      for (let n = 2; n <= 6; n += 1) {
        const why = value(n);
        if (why) findings.push(error('AK5', why, `transaction set in error (${code('AK5', why)})`));
      }
    }
  }
  return findings;
}

export function readFunctionalAcknowledgement(reader: Reader): ReceivedVerdict[] | null {
  const ak1 = reader.segment('AK1', 2);
  const groupNumber = reader.required(ak1, 2, 'AK102 group control number');
  const ak9 = reader.segment('AK9', reader.segments.length - 1);
  const { loops } = reader.loops('AK2', reader.segments, ['AK9', 'SE']);
  if (!groupNumber) return null;
  const verdicts = loops.map(({ head, body }): ReceivedVerdict => {
    const ak5 = body.find((segment) => segment.tag === 'AK5' || segment.tag === 'IK5');
    if (!ak5) reader.findings.push(error('AK3', '3', 'each AK2 ends with its AK5 (IK5)', reader.at(head)));
    return {
      interchangeControlNumber: groupNumber,
      messageControlNumber: reader.text(head, 2) ?? '',
      accepted: ACCEPTED.includes(reader.text(ak5, 1) ?? ''),
      findings: detail(reader, body),
    };
  });
  if (verdicts.length > 0 || !ak9) return verdicts;
  const groupCodes: Finding[] = [];
  for (let n = 5; n <= 9; n += 1) {
    const why = reader.text(ak9, n);
    if (why) groupCodes.push(error('AK9', why, `functional group in error (${code('AK9', why)})`));
  }
  return [
    {
      interchangeControlNumber: groupNumber,
      accepted: ACCEPTED.includes(reader.text(ak9, 1) ?? ''),
      findings: groupCodes,
    },
  ];
}

/** TA1 segments of an interchange: the verdict on one of our interchanges (TA101) as a whole. */
export function readInterchangeAcknowledgements(segments: readonly RawSegment[]): ReceivedVerdict[] {
  return segments
    .filter((segment) => segment.tag === 'TA1')
    .map((segment) => {
      const note = segment.elements[4]?.trim() ?? '';
      return {
        interchangeControlNumber: segment.elements[0]?.trim() ?? '',
        accepted: ACCEPTED.includes(segment.elements[3]?.trim() ?? ''),
        findings: note && note !== '000' ? [error('TA1', note, `interchange note ${note}`)] : [],
      };
    });
}
