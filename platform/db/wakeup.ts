import type { Database } from './database.ts';

/**
 * Waiters woken together: a loop notes `generation` before it looks for work, and waits only if no
 * wake-up came since, so a wake-up between its look and its wait is never lost.
 */
export class Waiters {
  private waiters = new Set<() => void>();
  private woken = 0;

  get generation(): number {
    return this.woken;
  }

  /**
   * Resolves on the next wake-up, or after `timeoutMs`, or when `signal` aborts; at once if one came
   * since `generation` (noted before the look that found nothing to do).
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

  wake = (): void => {
    this.woken += 1;
    for (const done of [...this.waiters]) done();
  };
}

/**
 * Waiters woken by a notification on `channel` (sent by a transaction's `notifyOnCommit`, in this process
 * or another on the same database). One LISTEN however many waiters; their timeouts cover a notification
 * lost while a listener connection was replaced.
 */
export class Wakeup extends Waiters {
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly db: Database,
    private readonly channel: string,
  ) {
    super();
  }

  async start(): Promise<void> {
    this.unlisten = await this.db.listen(this.channel, this.wake);
  }

  async stop(): Promise<void> {
    this.wake();
    await this.unlisten?.();
  }
}
