/**
 * A queue read as an async iterable: `push()` items, `end()`, and one consumer `for await`s them in
 * order. It joins a producer that runs on its own schedule (an LLM stream, the microphone) to a
 * consumer that takes items as fast as it can (the TTS, a streaming STT).
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private done = false;
  private wake: (() => void) | null = null;

  /** Adds items (ignored after `end()`). */
  push(...items: T[]): void {
    if (this.done) return;
    this.items.push(...items);
    this.wake?.();
  }

  /** No more items: the consumer's loop ends once it has taken what is queued. */
  end(): void {
    this.done = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      if (this.items.length > 0) yield this.items.shift()!;
      else if (this.done) return;
      else await new Promise<void>((r) => (this.wake = r));
      this.wake = null;
    }
  }
}
