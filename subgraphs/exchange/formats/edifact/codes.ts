import type { Location } from '../business.ts';
import type { Finding } from '../types.ts';

/**
 * UN/EDIFACT syntax error codes (data element 0085, ISO 9735 / CONTRL): the codes a partner's translator
 * understands, so every envelope and syntax finding carries one of them as its `code`.
 */
export const Code = {
  VERSION_NOT_SUPPORTED: '2',
  INVALID_VALUE: '12',
  MISSING: '13',
  VALUE_NOT_SUPPORTED_HERE: '14',
  NOT_SUPPORTED_HERE: '15',
  TOO_MANY_CONSTITUENTS: '16',
  NO_AGREEMENT: '17',
  UNSPECIFIED: '18',
  INVALID_DECIMAL: '19',
  INVALID_SERVICE_CHARACTER: '20',
  INVALID_CHARACTER: '21',
  INVALID_SERVICE_CHARACTERS: '22',
  DUPLICATE: '26',
  REFERENCES_DO_NOT_MATCH: '28',
  COUNT_DOES_NOT_MATCH: '29',
  GROUPS_AND_MESSAGES_MIXED: '30',
  LOWER_LEVEL_EMPTY: '32',
  OUTSIDE_MESSAGE: '33',
  TOO_MANY_REPETITIONS: '35',
  INVALID_TYPE_OF_CHARACTER: '37',
  TOO_LONG: '39',
} as const;

const SYNTAX_CODES = new Set<string>(Object.values(Code));

/** Whether a finding's code is an 0085 code (ours), rather than a business code of the inbox. */
export function isSyntaxCode(code: string): boolean {
  return SYNTAX_CODES.has(code);
}

export function error(code: string, message: string, at?: Location, value?: string): Finding {
  const finding: Finding = { severity: 'ERROR', code, message };
  if (at) finding.at = at;
  if (value !== undefined) finding.value = value;
  return finding;
}

export function warning(code: string, message: string, at?: Location, value?: string): Finding {
  return { ...error(code, message, at, value), severity: 'WARNING' };
}

/** What each 0085 code means, for findings read from a partner's CONTRL. */
export const CODE_TEXT: Record<string, string> = {
  '2': 'syntax version or level not supported',
  '7': 'interchange recipient not actual recipient',
  '12': 'invalid value',
  '13': 'missing',
  '14': 'value not supported in this position',
  '15': 'not supported in this position',
  '16': 'too many constituents',
  '17': 'no agreement',
  '18': 'unspecified error',
  '19': 'invalid decimal notation',
  '20': 'character invalid as service character',
  '21': 'invalid character(s)',
  '22': 'invalid service character(s)',
  '23': 'unknown interchange sender',
  '24': 'too old',
  '25': 'test indicator not supported',
  '26': 'duplicate detected',
  '28': 'references do not match',
  '29': 'control count does not match number of instances received',
  '30': 'functional groups and messages mixed',
  '32': 'lower level empty',
  '33': 'invalid occurrence outside message, package or group',
  '35': 'too many segment repetitions',
  '36': 'too many segment group repetitions',
  '37': 'invalid type of character(s)',
  '39': 'data element too long',
  '40': 'data element too short',
};
