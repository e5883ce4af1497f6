/**
 * A wait that a wake-up ends early. A wake-up while nobody waits is kept, so the next wait returns at once:
 * a NOTIFY that arrives while the relay is busy publishing is not lost.
 */
export class WakeableSleep {
  private wake: (() => void) | null = null;
  private pending = false;

  /** Ends the current wait, or the next one if none is running. */
  wakeUp(): void {
    this.pending = true;
    this.wake?.();
  }

  sleep(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = null;
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
