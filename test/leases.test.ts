import { describe, expect, it, vi } from 'vitest';
import { workThroughLeased } from '../platform/leases.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A lease of 60 ms, renewed every 20 ms. */
const LEASE_SECONDS = 0.06;

describe('work on leased rows', () => {
  it('renews the lease while the work runs, and no longer once it has ended', async () => {
    let renewals = 0;
    const worked: string[] = [];
    const leased = await workThroughLeased(
      {
        lease: async () => ['first', 'second'],
        renew: async (rows) => {
          expect(rows).toEqual(['first', 'second']);
          renewals += 1;
        },
      },
      async (row) => {
        await pause(150);
        worked.push(row);
      },
      new AbortController().signal,
      LEASE_SECONDS,
    );
    expect(leased).toBe(2);
    expect(worked).toEqual(['first', 'second']);
    expect(renewals).toBeGreaterThanOrEqual(2);
    const atEnd = renewals;
    await pause(100);
    expect(renewals).toBe(atEnd);
  });

  it('stops renewing when the work fails, and passes its error on; a failed renewal stops nothing', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let renewals = 0;
    const failing = workThroughLeased(
      {
        lease: async () => ['row'],
        renew: async () => {
          renewals += 1;
          throw new Error('the database is away');
        },
      },
      async () => {
        await pause(100);
        throw new Error('the work failed');
      },
      new AbortController().signal,
      LEASE_SECONDS,
    );
    await expect(failing).rejects.toThrow('the work failed');
    expect(renewals).toBeGreaterThanOrEqual(2);
    const atEnd = renewals;
    await pause(100);
    expect(renewals).toBe(atEnd);
    expect(logged).toHaveBeenCalledTimes(atEnd);
    logged.mockRestore();
  });
});
