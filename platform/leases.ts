/** How long a lease lasts: the rows of a process that died go to others after this. */
const LEASE_SECONDS = 30;

/** Rows a worker takes by leasing them (`lease_until`), so that other processes leave them alone. */
export interface LeasedRows<Row> {
  /** The next rows to work on, leased for `seconds`. */
  lease(seconds: number): Promise<Row[]>;
  /** Extends the lease of `rows`, still being worked on, by `seconds`. */
  renew(rows: readonly Row[], seconds: number): Promise<unknown>;
}

/**
 * Leases a batch of rows and works through them in order, renewing their lease every third of it until the
 * work ends. A lease can then be short: rows a process leased when it died go to another within one lease,
 * however long the work takes in a process that lives (a large interchange, a subgraph slow to answer).
 * Stops early once `signal` aborts; returns how many rows it leased.
 */
export async function workThroughLeased<Row>(
  rows: LeasedRows<Row>,
  work: (row: Row) => Promise<void>,
  signal: AbortSignal,
  leaseSeconds = LEASE_SECONDS,
): Promise<number> {
  const batch = await rows.lease(leaseSeconds);
  if (batch.length === 0) return 0;
  const renewal = setInterval(
    () => {
      // A renewal that fails is tried again at the next tick; the lease outlives two of them.
      rows.renew(batch, leaseSeconds).catch((error: unknown) => console.error('renewing a lease:', error));
    },
    (leaseSeconds * 1_000) / 3,
  );
  try {
    for (const row of batch) {
      if (signal.aborted) break;
      await work(row);
    }
  } finally {
    clearInterval(renewal);
  }
  return batch.length;
}
