/**
 * Downstream call timeouts, one timer per route rather than a setTimeout and clearTimeout per call (those and their
 * timer objects cost ~1 µs per request in bench/). Every call of a route has the route's timeout, so deadlines come
 * in the order calls start: the calls in flight form a queue, and the timer only needs to wait for its head.
 */

/** A call in flight: linked into its route's queue while it waits for the downstream's answer. */
export abstract class TimedCall {
  deadline = 0;
  prev: TimedCall | undefined = undefined;
  next: TimedCall | undefined = undefined;
  queued = false;
  /** The route's timeout passed before the call finished. */
  abstract expire(): void;
}

export class CallDeadlines {
  private head: TimedCall | undefined = undefined;
  private tail: TimedCall | undefined = undefined;
  private armed = false;

  constructor(private readonly timeoutMs: number) {}

  /** Starts the call's clock. */
  add(call: TimedCall): void {
    call.deadline = performance.now() + this.timeoutMs;
    call.prev = this.tail;
    call.next = undefined;
    call.queued = true;
    if (this.tail) this.tail.next = call;
    else this.head = call;
    this.tail = call;
    if (!this.armed) this.arm(this.timeoutMs);
  }

  /** Stops the call's clock (it answered or failed); a call already expired or removed is left alone. */
  remove(call: TimedCall): void {
    if (!call.queued) return;
    call.queued = false;
    if (call.prev) call.prev.next = call.next;
    else this.head = call.next;
    if (call.next) call.next.prev = call.prev;
    else this.tail = call.prev;
    call.prev = undefined;
    call.next = undefined;
  }

  /** Calls in flight (for tests). */
  get size(): number {
    let n = 0;
    for (let c = this.head; c; c = c.next) n++;
    return n;
  }

  private arm(ms: number): void {
    this.armed = true;
    // Unreferenced: a call in flight keeps the process alive by itself; an idle route's timer must not.
    setTimeout(this.fire, ms).unref();
  }

  private readonly fire = (): void => {
    this.armed = false;
    const now = performance.now();
    while (this.head && this.head.deadline <= now) {
      const expired = this.head;
      this.remove(expired);
      expired.expire();
    }
    // Timers have millisecond resolution: wait at least one more so an early wake-up doesn't spin.
    if (this.head) this.arm(Math.max(1, Math.ceil(this.head.deadline - now)));
  };
}
