/**
 * Per-key ordering: work with the same key runs one at a time, in the order it was submitted; different keys (and
 * work without a key) run in parallel.
 */
export class OrderingKeys {
  /** Tail of the chain of each key that has work in flight. */
  private readonly tails = new Map<string, Promise<void>>();

  /** Keys with work in flight (queued or running). */
  get active(): number {
    return this.tails.size;
  }

  /** Runs `work` after every earlier work with the same key has finished (no key: right away). */
  async run(key: string | undefined, work: () => Promise<void>): Promise<void> {
    if (!key) return work();
    const previous = this.tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.tails.set(key, mine);
    try {
      if (previous) await previous;
      await work();
    } finally {
      release();
      if (this.tails.get(key) === mine) this.tails.delete(key);
    }
  }
}
