/**
 * Who goes next on a connection that runs one thing at a time (PGlite's): a statement on its own, or a
 * transaction, which holds the connection from its begin to its end.
 *
 * In arrival order, a lone statement waited for every transaction queued before it, and a transaction holds
 * the connection for far longer than its statements take: each of them comes from, and answers to, a
 * thread that serves requests meanwhile. Under a steady stream of writes, a read that takes a millisecond
 * waited a hundred (a subscription event completed through the gateway waited for several such reads).
 * A statement outside any transaction can neither see nor disturb one that has not begun, so it may go
 * first, as it would beside it on a PostgreSQL server: when a transaction ends, the statements that waited
 * for it run, then the next transaction begins. Neither kind waits more than one round of the other, so
 * neither starves.
 *
 * Measured alternatives: putting event consumers' work behind requests' transactions made their batches,
 * hence their transactions, longer, and every read waited for those; writes went faster, reads slower.
 */
export class Turns {
  private inTransaction = false;
  /** Statements on their own, running. */
  private running = 0;
  /** Whether the statements that waited go before the next transaction. */
  private statementsNext = true;
  private readonly statements: (() => void)[] = [];
  private readonly transactions: (() => void)[] = [];

  /** Runs `work`, a statement on its own, when its turn comes. */
  async statement<T>(work: () => Promise<T>): Promise<T> {
    if (this.inTransaction || this.transactions.length > 0) {
      await new Promise<void>((resolve) => {
        this.statements.push(resolve);
        this.next();
      });
    } else this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
      this.next();
    }
  }

  /** Resolves when a transaction may begin; `transactionEnded` must follow, whatever becomes of it. */
  transactionTurn(): Promise<void> {
    return new Promise((resolve) => {
      this.transactions.push(resolve);
      this.next();
    });
  }

  transactionEnded(): void {
    this.inTransaction = false;
    this.statementsNext = true;
    this.next();
  }

  private next(): void {
    if (this.inTransaction || this.running > 0) return;
    if (this.statementsNext && this.statements.length > 0) {
      this.statementsNext = false;
      this.startStatements();
      return;
    }
    const begin = this.transactions.shift();
    if (begin) {
      this.inTransaction = true;
      begin();
    } else this.startStatements();
  }

  private startStatements(): void {
    const due = this.statements.splice(0);
    this.running += due.length;
    for (const start of due) start();
  }
}
