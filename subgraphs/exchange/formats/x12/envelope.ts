import type { Finding } from '../types.ts';
import { AK5, AK9, TA1, error } from './codes.ts';
import type { IsaHeader, RawSegment } from './syntax.ts';

/** A segment of a transaction set with its 1-based position in it (ST is 1). */
export interface Segment extends RawSegment {
  position: number;
}

export interface TransactionSet {
  id: string;
  controlNumber: string;
  /** ST..SE inclusive, positioned. */
  segments: Segment[];
  findings: Finding[];
}

export interface FunctionalGroup {
  functionalId: string;
  controlNumber: string;
  version: string;
  transactions: TransactionSet[];
  /** Group problems (GS/GE): they reject every transaction set of the group. */
  findings: Finding[];
}

export interface Envelope {
  groups: FunctionalGroup[];
  /** Segments between ISA and the first GS that belong to the interchange itself (TA1). */
  interchangeSegments: RawSegment[];
  findings: Finding[];
}

const SUPPORTED_VERSIONS = ['004010', '005010'];
const INTERCHANGE_LEVEL = new Set(['TA1', 'ISB', 'ISE', 'TA3']);

const at = (segment: string, element?: number) =>
  element === undefined ? { segment } : { segment, element };

/**
 * Walks the segments into interchange, groups and transaction sets, checking every count and control number
 * of the envelope. Interchange problems carry TA1 note codes, group problems AK9 codes, transaction set
 * problems AK5 codes, so the acknowledgement can say which level failed and why.
 */
export function walkEnvelope(isa: IsaHeader, segments: readonly RawSegment[]): Envelope {
  const envelope: Envelope = { groups: [], interchangeSegments: [], findings: [] };
  const findings = envelope.findings;
  let group: FunctionalGroup | null = null;
  let transaction: TransactionSet | null = null;
  let ended = false;

  const closeTransaction = () => {
    if (!transaction) return;
    transaction.findings.push(
      error('AK5', AK5.trailerMissing, `transaction set ${transaction.controlNumber} has no SE`, at('ST')),
    );
    transaction = null;
  };
  const closeGroup = () => {
    if (!group) return;
    closeTransaction();
    group.findings.push(
      error('AK9', AK9.trailerMissing, `functional group ${group.controlNumber} has no GE`, at('GS')),
    );
    group = null;
  };

  for (const [index, segment] of segments.entries()) {
    if (index === 0) continue;
    const value = (n: number) => segment.elements[n - 1] ?? '';
    if (ended) {
      if (segment.tag === 'ISA') {
        const repeated = (segment.elements[12] ?? '').padStart(9, '0') === isa.controlNumber;
        findings.push(
          repeated
            ? error(
                'TA1',
                TA1.duplicateControlNumber,
                `a second interchange repeats control number ${isa.controlNumber}`,
                at('ISA', 13),
                isa.controlNumber,
              )
            : error(
                'TA1',
                TA1.invalidControlStructure,
                'one document holds one interchange; another ISA follows the IEA',
                at('ISA'),
              ),
        );
      } else
        findings.push(
          error('TA1', TA1.invalidControlStructure, `${segment.tag} follows the IEA`, at(segment.tag)),
        );
      break;
    }
    switch (segment.tag) {
      case 'GS': {
        closeGroup();
        const opened: FunctionalGroup = {
          functionalId: value(1),
          controlNumber: value(6),
          version: value(8),
          transactions: [],
          findings: [],
        };
        if (!/^\d{1,9}$/.test(opened.controlNumber))
          opened.findings.push(
            error(
              'AK9',
              AK9.controlNumberSyntax,
              'GS06 must be a number of 1 to 9 digits',
              at('GS', 6),
              opened.controlNumber,
            ),
          );
        if (!SUPPORTED_VERSIONS.includes(opened.version.slice(0, 6)))
          opened.findings.push(
            error(
              'AK9',
              AK9.versionNotSupported,
              `version ${opened.version} is not supported; supported: ${SUPPORTED_VERSIONS.join(', ')}`,
              at('GS', 8),
              opened.version,
            ),
          );
        envelope.groups.push(opened);
        group = opened;
        break;
      }
      case 'GE': {
        if (!group) {
          findings.push(error('TA1', TA1.invalidControlStructure, 'GE without GS', at('GE')));
          break;
        }
        closeTransaction();
        if (Number(value(1)) !== group.transactions.length || !/^\d+$/.test(value(1)))
          group.findings.push(
            error(
              'AK9',
              AK9.countMismatch,
              `GE01 says ${value(1)} transaction sets, the group holds ${group.transactions.length}`,
              at('GE', 1),
              value(1),
            ),
          );
        if (value(2) !== group.controlNumber)
          group.findings.push(
            error(
              'AK9',
              AK9.controlNumberMismatch,
              `GE02 ${value(2)} does not match GS06 ${group.controlNumber}`,
              at('GE', 2),
              value(2),
            ),
          );
        group = null;
        break;
      }
      case 'ST': {
        if (!group) {
          findings.push(error('TA1', TA1.invalidControlStructure, 'ST outside a functional group', at('ST')));
          break;
        }
        closeTransaction();
        const opened: TransactionSet = {
          id: value(1),
          controlNumber: value(2),
          segments: [{ ...segment, position: 1 }],
          findings: [],
        };
        if (!/^\d{3}$/.test(opened.id))
          opened.findings.push(
            error(
              'AK5',
              AK5.missingIdentifier,
              'ST01 must name a transaction set such as 850',
              { segment: 'ST', position: 1, element: 1 },
              opened.id,
            ),
          );
        if (!/^[0-9A-Za-z]{4,9}$/.test(opened.controlNumber))
          opened.findings.push(
            error(
              'AK5',
              AK5.missingControlNumber,
              'ST02 must be a control number of 4 to 9 characters',
              { segment: 'ST', position: 1, element: 2 },
              opened.controlNumber,
            ),
          );
        else if (group.transactions.some((other) => other.controlNumber === opened.controlNumber))
          opened.findings.push(
            error(
              'AK5',
              AK5.duplicateControlNumber,
              `ST02 ${opened.controlNumber} repeats within the group`,
              { segment: 'ST', position: 1, element: 2 },
              opened.controlNumber,
            ),
          );
        group.transactions.push(opened);
        transaction = opened;
        break;
      }
      case 'SE': {
        if (!transaction) {
          findings.push(error('TA1', TA1.invalidControlStructure, 'SE without ST', at('SE')));
          break;
        }
        const count = transaction.segments.length + 1;
        transaction.segments.push({ ...segment, position: count });
        const where = (element: number) => ({ segment: 'SE', position: count, element });
        if (value(1) !== String(count) && Number(value(1)) !== count)
          transaction.findings.push(
            error(
              'AK5',
              AK5.countMismatch,
              `SE01 says ${value(1)} segments, ST..SE counts ${count}`,
              where(1),
              value(1),
            ),
          );
        if (value(2) !== transaction.controlNumber)
          transaction.findings.push(
            error(
              'AK5',
              AK5.controlNumberMismatch,
              `SE02 ${value(2)} does not match ST02 ${transaction.controlNumber}`,
              where(2),
              value(2),
            ),
          );
        transaction = null;
        break;
      }
      case 'IEA': {
        closeGroup();
        if (!/^\d+$/.test(value(1)) || Number(value(1)) !== envelope.groups.length)
          findings.push(
            error(
              'TA1',
              TA1.invalidGroupCount,
              `IEA01 says ${value(1)} groups, the interchange holds ${envelope.groups.length}`,
              at('IEA', 1),
              value(1),
            ),
          );
        // node-x12 reads IEA02 as a number, as it does ISA13: compare them as numbers.
        if (Number(value(2)) !== Number(isa.controlNumber))
          findings.push(
            error(
              'TA1',
              TA1.controlNumberMismatch,
              `IEA02 ${value(2)} does not match ISA13 ${isa.controlNumber}`,
              at('IEA', 2),
              value(2),
            ),
          );
        ended = true;
        break;
      }
      default: {
        if (transaction) transaction.segments.push({ ...segment, position: transaction.segments.length + 1 });
        else if (!group && INTERCHANGE_LEVEL.has(segment.tag)) envelope.interchangeSegments.push(segment);
        else
          findings.push(
            error(
              'TA1',
              TA1.invalidControlStructure,
              `${segment.tag} lies outside any transaction set`,
              at(segment.tag),
            ),
          );
      }
    }
  }
  if (!ended) {
    closeGroup();
    findings.push(error('TA1', TA1.prematureEnd, 'the interchange has no IEA: it was cut short', at('IEA')));
  }
  return envelope;
}
