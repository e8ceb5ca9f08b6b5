import type { Database } from './database.ts';

/**
 * Wakes every waiter of one process when a notification arrives on `channel` (sent by a transaction's
 * `notifyOnCommit`, in this process or another on the same database). One LISTEN however many waiters;
 * waiters keep a timeout that covers a notification lost while a listener connection was replaced.
 */
export class Wakeup {
  private waiters = new Set<() => void>();
  /** How many wake-ups so far: a reader notes it before a read, and waits only if none came since. */
  private woken = 0;
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly db: Database,
    private readonly channel: string,
  ) {}

  async start(): Promise<void> {
    this.unlisten = await this.db.listen(this.channel, () => this.wakeAll());
  }

  get generation(): number {
    return this.woken;
  }

  /**
   * Resolves on the next notification, or after `timeoutMs`, or when `signal` aborts; at once if one
   * came since `generation` (noted before the read that found nothing new).
   */
  wait(timeoutMs: number, signal?: AbortSignal, since?: number): Promise<void> {
    if (since !== undefined && since !== this.woken) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  async stop(): Promise<void> {
    this.wakeAll();
    await this.unlisten?.();
  }

  private wakeAll(): void {
    this.woken += 1;
    for (const wake of [...this.waiters]) wake();
  }
}
