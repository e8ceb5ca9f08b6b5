/**
 * An async iterator fed from outside, for subscriptions: values are buffered until read, and `return`
 * (the subscriber unsubscribed or disconnected) closes it and tells the feeder.
 *
 * Whoever must know when a subscription is over registers with `onClose` instead of wrapping the iterator:
 * a wrapper costs a promise and a turn of the microtask queue on every value, for every subscriber.
 */
export class AsyncQueue<Value> implements AsyncIterableIterator<Value> {
  private readonly buffer: Value[] = [];
  private readonly readers: ((result: IteratorResult<Value>) => void)[] = [];
  private readonly closeListeners = new Set<() => void>();
  private ended = false;
  /** The consumer is done: it returned, or it read the end. */
  private over = false;
  closed = false;

  get size(): number {
    return this.buffer.length;
  }

  push(value: Value): void {
    if (this.ended) return;
    const reader = this.readers.shift();
    if (reader) reader({ value, done: false });
    else this.buffer.push(value);
  }

  /** No more values: readers get what is buffered, then the end. */
  end(): void {
    this.ended = true;
    if (this.buffer.length === 0) this.drainReaders();
  }

  /**
   * Called once when the consumer is done: it went away (`return`) or read the end. Returns a function
   * that cancels the registration.
   */
  onClose(listener: () => void): () => void {
    if (this.over) listener();
    else this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  next(): Promise<IteratorResult<Value>> {
    if (this.buffer.length > 0) {
      const value = this.buffer.shift() as Value;
      if (this.ended && this.buffer.length === 0) queueMicrotask(() => this.drainReaders());
      return Promise.resolve({ value, done: false });
    }
    if (this.ended || this.closed) {
      this.consumerDone();
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve) => this.readers.push(resolve));
  }

  return(): Promise<IteratorResult<Value>> {
    if (!this.closed) {
      this.closed = true;
      this.ended = true;
      this.buffer.length = 0;
      this.drainReaders();
      this.consumerDone();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private drainReaders(): void {
    const readers = this.readers.splice(0);
    for (const reader of readers) reader({ value: undefined, done: true });
    if (readers.length > 0) this.consumerDone();
  }

  private consumerDone(): void {
    if (this.over) return;
    this.over = true;
    for (const listener of this.closeListeners) listener();
    this.closeListeners.clear();
  }
}
