import { describe, expect, it, vi } from 'vitest';
import { renewingLeases } from '../platform/leases.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('work on leased rows', () => {
  it('renews the lease while the work runs, and no longer once it has ended', async () => {
    let renewals = 0;
    const result = await renewingLeases(
      async () => {
        renewals += 1;
      },
      20,
      async () => {
        await pause(300);
        return 'done';
      },
    );
    expect(result).toBe('done');
    expect(renewals).toBeGreaterThanOrEqual(2);
    const atEnd = renewals;
    await pause(100);
    expect(renewals).toBe(atEnd);
  });

  it('stops renewing when the work fails, and passes its error on; a failed renewal stops nothing', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let renewals = 0;
    const failing = renewingLeases(
      async () => {
        renewals += 1;
        throw new Error('the database is away');
      },
      20,
      async () => {
        await pause(100);
        throw new Error('the work failed');
      },
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
