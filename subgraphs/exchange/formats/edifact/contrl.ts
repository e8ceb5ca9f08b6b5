import type { Location } from '../business.ts';
import type { Finding, ReceivedVerdict } from '../types.ts';
import { CODE_TEXT, error } from './codes.ts';
import type { Fields } from './fields.ts';
import type { Segment } from './syntax.ts';

/** 0083 action: 7 acknowledged (lower levels too unless rejected explicitly), 8 received; 4 rejected. */
const ACCEPTED_ACTIONS = new Set(['7', '8']);

function finding(code: string | undefined, what: string, at: Location | undefined): Finding {
  const text = code === undefined ? 'rejected' : `${code} ${CODE_TEXT[code] ?? 'error'}`;
  return error(code ?? '18', `${what}: ${text}`, at);
}

/** The location of a UCI/UCM error: 0013 segment tag and S011 (0098 element, 0104 component). */
function serviceLocation(fields: Fields, segment: Segment, tagAt: number): Location | undefined {
  const tag = fields.text(segment, tagAt, 1);
  if (tag === undefined) return undefined;
  const location: Location = { segment: tag };
  const element = fields.text(segment, tagAt + 1, 1);
  const component = fields.text(segment, tagAt + 1, 2);
  if (element !== undefined && /^\d+$/.test(element)) location.element = Number(element);
  if (component !== undefined && /^\d+$/.test(component)) location.component = Number(component);
  return location;
}

/**
 * A partner's CONTRL about one of our interchanges: UCI (the interchange, its action and error), then per
 * message UCM (action and error) with UCS (segment position and error) and UCD (element position and
 * error). Each UCM is a verdict on one of our messages; a CONTRL without UCM is a verdict on the interchange.
 */
export function readControl(fields: Fields): ReceivedVerdict[] | null {
  const uci = fields.body.find((segment) => segment.tag === 'UCI');
  if (!uci) {
    fields.missing('UCI', 'interchange response', fields.body[0]);
    return null;
  }
  const interchange = fields.required(uci, 1, 1, 'interchange control reference (0020)');
  const action = fields.required(uci, 4, 1, 'action (0083)');
  if (interchange === undefined || action === undefined) return null;
  if (!['4', '7', '8'].includes(action))
    fields.invalid(uci, 4, 1, 'action (0083) is not 4 (rejected), 7 (acknowledged) or 8 (received)', action);
  const interchangeAccepted = ACCEPTED_ACTIONS.has(action);
  const interchangeFindings: Finding[] = [];
  const code = fields.text(uci, 5, 1);
  if (code !== undefined || !interchangeAccepted)
    interchangeFindings.push(finding(code, `interchange ${interchange}`, serviceLocation(fields, uci, 6)));

  const verdicts: ReceivedVerdict[] = [];
  let current: ReceivedVerdict | undefined;
  let position: number | undefined;
  for (const segment of fields.body) {
    if (segment.tag === 'UCM') {
      const reference = fields.required(segment, 1, 1, 'message reference number (0062)');
      const messageAction = fields.required(segment, 3, 1, 'action (0083)');
      const accepted =
        interchangeAccepted && messageAction !== undefined && ACCEPTED_ACTIONS.has(messageAction);
      current = { interchangeControlNumber: interchange, accepted, findings: [...interchangeFindings] };
      if (reference !== undefined) current.messageControlNumber = reference;
      const messageCode = fields.text(segment, 4, 1);
      if (messageCode !== undefined || !accepted)
        current.findings.push(
          finding(messageCode, `message ${reference ?? ''}`, serviceLocation(fields, segment, 5)),
        );
      verdicts.push(current);
      position = undefined;
    } else if (segment.tag === 'UCS' && current) {
      const at = fields.text(segment, 1, 1);
      position = at !== undefined && /^\d+$/.test(at) ? Number(at) : undefined;
      const segmentCode = fields.text(segment, 2, 1);
      if (segmentCode !== undefined)
        current.findings.push(
          finding(segmentCode, `segment ${at ?? ''}`, position === undefined ? undefined : { position }),
        );
    } else if (segment.tag === 'UCD' && current) {
      const location: Location = position === undefined ? {} : { position };
      const element = fields.text(segment, 2, 1);
      const component = fields.text(segment, 2, 2);
      if (element !== undefined && /^\d+$/.test(element)) location.element = Number(element);
      if (component !== undefined && /^\d+$/.test(component)) location.component = Number(component);
      current.findings.push(finding(fields.text(segment, 1, 1), `data element ${element ?? ''}`, location));
    }
  }
  if (verdicts.length === 0)
    verdicts.push({
      interchangeControlNumber: interchange,
      accepted: interchangeAccepted,
      findings: interchangeFindings,
    });
  return verdicts;
}
