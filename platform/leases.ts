/**
 * Runs `work` on rows it leased, renewing their lease every `renewEveryMs` until it ends. A lease can then
 * be short: rows a process leased when it died go to another within one lease, however long the work takes
 * in a process that lives (a large interchange, a subgraph slow to answer).
 */
export async function renewingLeases<T>(
  renew: () => Promise<unknown>,
  renewEveryMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const timer = setInterval(() => {
    // A renewal that fails is tried again at the next tick; the lease outlives a few of them.
    renew().catch((error: unknown) => console.error('renewing a lease:', error));
  }, renewEveryMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
