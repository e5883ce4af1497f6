/**
 * Per-route circuit breaker (Ocelot QoS docs: ExceptionsAllowedBeforeBreaking/MinimumThroughput consecutive
 * failures open the circuit for DurationOfBreak/BreakDuration ms; then one probe request is let through
 * (half-open): success closes it, failure opens it again). Failures are exceptions (unreachable, timeout) and
 * 5xx answers 500–508.
 */
export type CircuitState = "closed" | "half-open" | "open";

export const SERVER_ERROR_CODES = new Set([500, 501, 502, 503, 504, 505, 506, 507, 508]);

export class CircuitBreaker {
  private state: CircuitState = "closed";
  private failures = 0;
  private openedAt = 0;
  private probing = false;

  constructor(
    private readonly failuresBeforeBreaking: number,
    private readonly breakMs: number,
    private readonly onChange: (state: CircuitState) => void = () => {},
  ) {}

  get current(): CircuitState {
    if (this.state === "open" && Date.now() - this.openedAt >= this.breakMs) return "half-open";
    return this.state;
  }

  /** True when a request may go downstream now; the caller must then report success or failure. */
  tryAcquire(): boolean {
    if (this.failuresBeforeBreaking <= 0) return true;
    if (this.state === "closed") return true;
    if (this.state === "open") {
      if (Date.now() - this.openedAt < this.breakMs) return false;
      this.set("half-open");
    }
    if (this.probing) return false;
    this.probing = true;
    return true;
  }

  success(): void {
    if (this.failuresBeforeBreaking <= 0) return;
    this.failures = 0;
    this.probing = false;
    if (this.state !== "closed") this.set("closed");
  }

  /** The request ended without a verdict (client went away): free a half-open probe slot. */
  cancel(): void {
    this.probing = false;
  }

  failure(): void {
    if (this.failuresBeforeBreaking <= 0) return;
    this.probing = false;
    if (this.state === "half-open") {
      this.open();
      return;
    }
    this.failures += 1;
    if (this.failures >= this.failuresBeforeBreaking) this.open();
  }

  private open(): void {
    this.openedAt = Date.now();
    this.failures = 0;
    this.set("open");
  }

  private set(state: CircuitState): void {
    this.state = state;
    this.onChange(state);
  }
}
