import type { Finding } from '../types.ts';
import type { Location } from '../business.ts';

/**
 * Finding codes name the X12 acknowledgement element that carries them and the code from its list, so the
 * acknowledgement is written from the findings alone and a partner's analyst can look the code up:
 *   TA1-nnn  interchange note (TA105), for a broken ISA/IEA envelope;
 *   AK9-n    functional group error (AK905/AK9 in the 999), for GS/GE;
 *   AK5-n    transaction set error (AK502/IK502), for ST/SE and unsupported sets;
 *   AK3-n    segment error (AK304/IK304);  AK4-n  element error (AK403/IK403).
 */
export type AckLevel = 'TA1' | 'AK9' | 'AK5' | 'AK3' | 'AK4';

export const TA1 = {
  controlNumberMismatch: '001',
  versionNotSupported: '017',
  invalidControlNumber: '018',
  invalidTestIndicator: '020',
  invalidGroupCount: '021',
  invalidControlStructure: '022',
  prematureEnd: '023',
  invalidContent: '024',
  duplicateControlNumber: '025',
  invalidElementSeparator: '026',
  invalidComponentSeparator: '027',
  invalidSegmentTerminator: '004',
  invalidDate: '014',
  invalidTime: '015',
  invalidSenderId: '006',
  invalidReceiverId: '008',
} as const;

export const AK9 = {
  groupNotSupported: '1',
  versionNotSupported: '2',
  trailerMissing: '3',
  controlNumberMismatch: '4',
  countMismatch: '5',
  controlNumberSyntax: '6',
} as const;

export const AK5 = {
  notSupported: '1',
  trailerMissing: '2',
  controlNumberMismatch: '3',
  countMismatch: '4',
  segmentsInError: '5',
  missingIdentifier: '6',
  missingControlNumber: '7',
  duplicateControlNumber: '23',
} as const;

export const AK3 = {
  unrecognized: '1',
  unexpected: '2',
  mandatoryMissing: '3',
  elementErrors: '8',
} as const;

export const AK4 = {
  mandatoryMissing: '1',
  invalidCharacter: '6',
  invalidCode: '7',
  invalidDate: '8',
  invalidTime: '9',
} as const;

export function code(level: AckLevel, value: string): string {
  return `${level}-${value}`;
}

/** The acknowledgement level and list code of a finding code, or null for codes that are not X12's own. */
export function parseCode(findingCode: string): { level: AckLevel; value: string } | null {
  const match = /^(TA1|AK9|AK5|AK3|AK4)-([0-9A-Z]+)$/.exec(findingCode);
  return match ? { level: match[1] as AckLevel, value: match[2]! } : null;
}

export function error(
  level: AckLevel,
  value: string,
  message: string,
  at?: Location,
  found?: string,
): Finding {
  const finding: Finding = { severity: 'ERROR', code: code(level, value), message };
  if (at) finding.at = at;
  if (found !== undefined) finding.value = found;
  return finding;
}

export function warning(
  level: AckLevel,
  value: string,
  message: string,
  at?: Location,
  found?: string,
): Finding {
  return { ...error(level, value, message, at, found), severity: 'WARNING' };
}
