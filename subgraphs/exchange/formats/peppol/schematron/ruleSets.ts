import path from 'node:path';
import { fileURLToPath } from 'node:url';

const schematronDir = fileURLToPath(new URL('../resources/schematron/', import.meta.url));

/** A Peppol document type and the Schematron files that judge it, run in this order. */
export type RuleSetId = 'invoice' | 'order' | 'orderResponse' | 'despatchAdvice' | 'mlr' | 'invoiceResponse';

export const RULE_SETS: Record<RuleSetId, readonly string[]> = {
  // EN 16931 first: Peppol BIS Billing is a CIUS, so both sets apply to every invoice and credit note.
  invoice: ['invoice/CEN-EN16931-UBL.sch', 'invoice/PEPPOL-EN16931-UBL.sch'],
  order: ['poacc/PEPPOLBIS-T01.sch'],
  orderResponse: ['poacc/PEPPOLBIS-T76.sch'],
  despatchAdvice: ['poacc/PEPPOLBIS-T16.sch'],
  mlr: ['poacc/PEPPOLBIS-T71.sch'],
  invoiceResponse: ['poacc/PEPPOLBIS-T111.sch'],
};

export function schematronSource(relative: string): string {
  return path.join(schematronDir, relative);
}

export function allSchematronSources(): string[] {
  return [...new Set(Object.values(RULE_SETS).flat())];
}
