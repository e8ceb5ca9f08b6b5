import { X12Parser, type X12Segment } from 'node-x12';
import type { Finding } from '../types.ts';
import { TA1, error } from './codes.ts';
import { isoDate } from './values.ts';

/** A segment as read: its tag and element values (element 1 at index 0), components still joined. */
export interface RawSegment {
  tag: string;
  elements: string[];
}

export interface Separators {
  element: string;
  component: string;
  segment: string;
  /** ISA11 from version 00402 on; absent before. */
  repetition?: string;
}

/** The ISA as written: fixed-width fields, untrimmed, so the control number keeps its leading zeros. */
export interface IsaHeader {
  fields: string[];
  version: string;
  controlNumber: string;
  date: string;
  time: string;
  test: boolean;
  senderQualifier: string;
  sender: string;
  receiverQualifier: string;
  receiver: string;
}

export interface Tokens {
  isa: IsaHeader | null;
  separators: Separators | null;
  segments: RawSegment[];
  findings: Finding[];
}

/** ISA01..ISA16 widths: the ISA is 106 characters including its terminator, always. */
const ISA_WIDTHS = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];
const ISA_LENGTH = 106;

const isa = (element: number) => ({ segment: 'ISA', position: 1, element });

function readIsa(text: string, findings: Finding[]): { header: IsaHeader; separators: Separators } | null {
  if (!text.startsWith('ISA')) {
    findings.push(
      error(
        'TA1',
        TA1.invalidControlStructure,
        'an X12 interchange starts with ISA',
        isa(0),
        text.slice(0, 3),
      ),
    );
    return null;
  }
  if (text.length < ISA_LENGTH) {
    findings.push(
      error(
        'TA1',
        TA1.prematureEnd,
        `the interchange ends inside its ISA (${text.length} of 106 characters)`,
        isa(0),
      ),
    );
    return null;
  }
  const element = text.charAt(3);
  if (/[\s\w]/.test(element)) {
    findings.push(
      error(
        'TA1',
        TA1.invalidElementSeparator,
        'the element separator (ISA character 4) must be a special character',
        isa(0),
        element,
      ),
    );
    return null;
  }
  const fields: string[] = [];
  let at = 4;
  for (const [index, width] of ISA_WIDTHS.entries()) {
    const value = text.slice(at, at + width);
    const next = text.charAt(at + width);
    const last = index === ISA_WIDTHS.length - 1;
    // ISA16 may be any character but the element separator; that case is the component separator's own error.
    if (!last && (value.includes(element) || next !== element)) {
      findings.push(
        error(
          'TA1',
          TA1.invalidContent,
          `ISA${String(index + 1).padStart(2, '0')} must be exactly ${width} characters: the ISA is fixed-width, 106 characters`,
          isa(index + 1),
          value,
        ),
      );
      return null;
    }
    fields.push(value);
    at += width + 1;
  }
  const component = fields[15]!;
  const segment = text.charAt(105);
  if (/\w/.test(component) || component === element) {
    findings.push(
      error(
        'TA1',
        TA1.invalidComponentSeparator,
        'ISA16 must be a special character other than the element separator',
        isa(16),
        component,
      ),
    );
    return null;
  }
  if (/\w/.test(segment) || segment === element || segment === component) {
    findings.push(
      error(
        'TA1',
        TA1.invalidSegmentTerminator,
        'the segment terminator (ISA character 106) must be a special character of its own',
        isa(16),
        segment,
      ),
    );
    return null;
  }
  const version = fields[11]!;
  const separators: Separators = { element, component, segment };
  if (!/^\d{5}$/.test(version))
    findings.push(
      error(
        'TA1',
        TA1.versionNotSupported,
        'ISA12 must be a 5-digit version such as 00401 or 00501',
        isa(12),
        version,
      ),
    );
  else if (version >= '00402') {
    const repetition = fields[10]!;
    if (/\w/.test(repetition) || [element, component, segment].includes(repetition))
      findings.push(
        error(
          'TA1',
          '016',
          'ISA11 is the repetition separator from version 00402 on and must be a special character of its own',
          isa(11),
          repetition,
        ),
      );
    else separators.repetition = repetition;
  }
  const controlNumber = fields[12]!;
  if (!/^\d{9}$/.test(controlNumber))
    findings.push(error('TA1', TA1.invalidControlNumber, 'ISA13 must be 9 digits', isa(13), controlNumber));
  if (!isoDate(fields[8]!))
    findings.push(error('TA1', TA1.invalidDate, 'ISA09 must be a date YYMMDD', isa(9), fields[8]));
  if (!/^([01]\d|2[0-3])[0-5]\d$/.test(fields[9]!))
    findings.push(error('TA1', TA1.invalidTime, 'ISA10 must be a time HHMM', isa(10), fields[9]));
  if (!['0', '1'].includes(fields[13]!))
    findings.push(error('TA1', '019', 'ISA14 must be 0 or 1', isa(14), fields[13]));
  if (!['P', 'T', 'I'].includes(fields[14]!))
    findings.push(error('TA1', TA1.invalidTestIndicator, 'ISA15 must be P or T', isa(15), fields[14]));
  if (fields[5]!.trim() === '')
    findings.push(error('TA1', TA1.invalidSenderId, 'ISA06 names no sender', isa(6)));
  if (fields[7]!.trim() === '')
    findings.push(error('TA1', TA1.invalidReceiverId, 'ISA08 names no receiver', isa(8)));
  return {
    separators,
    header: {
      fields,
      version,
      controlNumber,
      date: fields[8]!,
      time: fields[9]!,
      test: fields[14] === 'T',
      senderQualifier: fields[4]!,
      sender: fields[5]!.trim(),
      receiverQualifier: fields[6]!,
      receiver: fields[7]!.trim(),
    },
  };
}

/**
 * node-x12's stream parser cuts the text into segments; it is used segment by segment rather than through
 * `parse()` because the object model drops what lies outside a functional group (a TA1) and stops at the
 * first envelope error, where a partner needs every message judged on its own.
 */
function segmentsOf(text: string): RawSegment[] {
  const parser = new X12Parser(false);
  parser.write(text);
  const segments: RawSegment[] = [];
  for (let next: unknown = parser.read(); next !== null; next = parser.read()) {
    const segment = next as X12Segment;
    segments.push({ tag: segment.tag, elements: segment.elements.map((element) => element.value) });
  }
  parser.destroy();
  return segments;
}

export function tokenize(content: Buffer): Tokens {
  const findings: Finding[] = [];
  const text = content
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  const head = readIsa(text, findings);
  if (!head) return { isa: null, separators: null, segments: [], findings };
  const { separators } = head;
  const end = text.lastIndexOf(separators.segment);
  const rest = text.slice(end + 1);
  if (rest.trim() !== '')
    findings.push(
      error(
        'TA1',
        TA1.prematureEnd,
        'the interchange ends in the middle of a segment',
        undefined,
        rest.trim().slice(0, 40),
      ),
    );
  let segments: RawSegment[];
  try {
    segments = segmentsOf(text.slice(0, end + 1));
  } catch (failure) {
    findings.push(
      error(
        'TA1',
        TA1.invalidContent,
        `the interchange cannot be cut into segments: ${(failure as Error).message}`,
      ),
    );
    return { isa: head.header, separators, segments: [], findings };
  }
  // The tokenizer reads ISA13 as a number; the fixed-width header keeps it as written.
  if (segments[0]) segments[0].elements = [...head.header.fields];
  return { isa: head.header, separators, segments, findings };
}
