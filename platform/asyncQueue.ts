import type { GraphQLError } from 'graphql';
import type { ExecutionResult } from 'graphql';

/**
 * An async iterator fed from outside: what graphql-ws reads a subscription's results from. Values are
 * buffered until read; `return` (the client unsubscribed or disconnected) closes it and tells the feeder.
 */
export class PushIterator<Value extends ExecutionResult> implements AsyncIterableIterator<Value> {
  private readonly buffer: Value[] = [];
  private readonly readers: ((result: IteratorResult<Value>) => void)[] = [];
  private readonly closeListeners = new Set<() => void>();
  private ended = false;
  closed = false;

  push(value: Value): void {
    if (this.ended) return;
    const reader = this.readers.shift();
    if (reader) reader({ value, done: false });
    else this.buffer.push(value);
  }

  /** A last result carrying the errors, then the end. */
  fail(errors: readonly GraphQLError[]): void {
    this.push({ errors } as unknown as Value);
    this.end();
  }

  end(): void {
    this.ended = true;
    if (this.buffer.length === 0) this.drainReaders();
  }

  /** Called once when the consumer goes away; returns a function that cancels the registration. */
  onClose(listener: () => void): () => void {
    if (this.closed) listener();
    else this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  next(): Promise<IteratorResult<Value>> {
    const value = this.buffer.shift();
    if (value !== undefined) {
      if (this.ended && this.buffer.length === 0) queueMicrotask(() => this.drainReaders());
      return Promise.resolve({ value, done: false });
    }
    if (this.ended || this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.readers.push(resolve));
  }

  return(): Promise<IteratorResult<Value>> {
    if (!this.closed) {
      this.closed = true;
      this.ended = true;
      this.buffer.length = 0;
      this.drainReaders();
      for (const listener of this.closeListeners) listener();
      this.closeListeners.clear();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private drainReaders(): void {
    for (const reader of this.readers.splice(0)) reader({ value: undefined, done: true });
  }
}
