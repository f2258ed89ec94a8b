/**
 * A push-to-pull queue of one subscriber's events: the bus pushes, the GraphQL execution pulls with
 * `for await`. Unlike an async generator, `return()` takes effect at once even while a `next()` is
 * waiting (a generator would only see it at its next `yield`, so a client that leaves a quiet
 * subscription would stay registered until the next event).
 *
 * The buffer is bounded: a subscriber that falls `limit` events behind is ended with an error rather
 * than growing memory without bound; it can resume with `after:` its last event id.
 */
export class SubscriberTooSlowError extends Error {
  constructor(limit: number) {
    super(`The subscriber fell more than ${limit} events behind; resubscribe with \`after\` set to the last event id received.`);
  }
}

export class Channel<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private waiter: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | undefined;
  private done = false;
  private failure: unknown;

  /** `onClose` runs once, when the channel ends for any reason (the bus unregisters the subscriber). */
  constructor(
    private readonly onClose: () => void,
    private readonly limit = Number.POSITIVE_INFINITY,
  ) {}

  get closed(): boolean {
    return this.done;
  }

  push(value: T): void {
    if (this.done) return;
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve({ value, done: false });
      return;
    }
    if (this.buffer.length >= this.limit) return this.end(new SubscriberTooSlowError(this.limit));
    this.buffer.push(value);
  }

  /** Ends the channel: buffered values are still read, then `error` (if any) is thrown, then done. */
  end(error?: unknown): void {
    if (this.done) return;
    this.done = true;
    this.failure = error;
    this.onClose();
    if (this.waiter) {
      const { resolve, reject } = this.waiter;
      this.waiter = undefined;
      if (error === undefined) resolve({ value: undefined, done: true });
      else reject(error);
      this.failure = undefined;
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length) return Promise.resolve({ value: this.buffer.shift()!, done: false });
    if (this.done) {
      const error = this.failure;
      this.failure = undefined;
      return error === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.buffer.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    this.buffer.length = 0;
    this.end();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
