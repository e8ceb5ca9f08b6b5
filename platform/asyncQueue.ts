/**
 * An async iterator fed from outside, for subscriptions: values are buffered until read, and `return`
 * (the subscriber unsubscribed or disconnected) closes it and tells the feeder.
 */
export class AsyncQueue<Value> implements AsyncIterableIterator<Value> {
  private readonly buffer: Value[] = [];
  private readonly readers: ((result: IteratorResult<Value>) => void)[] = [];
  private readonly closeListeners = new Set<() => void>();
  private ended = false;
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

  /** Called once when the consumer goes away; returns a function that cancels the registration. */
  onClose(listener: () => void): () => void {
    if (this.closed) listener();
    else this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  next(): Promise<IteratorResult<Value>> {
    if (this.buffer.length > 0) {
      const value = this.buffer.shift() as Value;
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
