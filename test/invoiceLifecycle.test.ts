import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import type { InvoiceStatus } from '../subgraphs/invoices/generated/resolvers.ts';
import {
  assertMayTake,
  canTake,
  INVOICE_STATUSES,
  type InvoiceAction,
} from '../subgraphs/invoices/lifecycle.ts';
import type { InvoiceRow } from '../subgraphs/invoices/store.ts';

/** What each status allows, read as a person would: one row per status. */
const ALLOWS: Record<InvoiceStatus, InvoiceAction[]> = {
  DISPUTED: ['rematch', 'approve', 'cancel'],
  APPROVED: ['dispute', 'cancel', 'pay'],
  ISSUED: ['dispute', 'cancel', 'pay'],
  PARTIALLY_PAID: ['dispute', 'pay'],
  PAID: ['pay'],
  CANCELLED: [],
};
function refusalOf(step: () => void): GraphQLError | undefined {
  try {
    step();
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  return undefined;
}

const ACTIONS: InvoiceAction[] = ['rematch', 'approve', 'dispute', 'cancel', 'pay'];

describe('the invoice lifecycle', () => {
  it('knows every status', () => {
    expect([...INVOICE_STATUSES].sort()).toEqual(Object.keys(ALLOWS).sort());
  });

  it.each(INVOICE_STATUSES)('from %s allows exactly its actions', (status) => {
    expect(ACTIONS.filter((action) => canTake(status, action))).toEqual(ALLOWS[status]);
  });

  it.each(INVOICE_STATUSES)('from %s refuses every other action with CONFLICT and the status', (status) => {
    const invoice: Pick<InvoiceRow, 'number' | 'status'> = { number: 'INV-1', status };
    for (const action of ACTIONS.filter((candidate) => !ALLOWS[status].includes(candidate))) {
      const refusal = refusalOf(() => assertMayTake(invoice, action));
      expect(refusal?.extensions).toMatchObject({ code: 'CONFLICT', status });
      expect(refusal?.message).toContain('invoice INV-1 is');
    }
  });
});
