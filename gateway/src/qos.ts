/**
 * Per-route circuit breaker as Ocelot 25.0 builds it with Polly v8 (PollyQoSResiliencePipelineProvider,
 * CircuitBreakerStrategyOptions): outcomes are sampled over a rolling `samplingMs` window; when at least
 * `minimumThroughput` calls were made in it and at least `failureRatio` of them failed, the circuit opens for `breakMs`
 * (requests are refused, 503); then one probe is let through (half-open): success closes it, failure opens it again.
 * Failures are exceptions (unreachable, timeout) and 5xx answers 500–508 (Ocelot's ServerErrorCodes).
 */
import type { BreakerRule } from "./config";

export type CircuitState = "closed" | "half-open" | "open";

export const SERVER_ERROR_CODES = new Set([500, 501, 502, 503, 504, 505, 506, 507, 508]);

/** Polly's sliding window keeps its health metrics in buckets; ten per window here. */
const BUCKETS = 10;

export class CircuitBreaker {
  private state: CircuitState = "closed";
  private openedAt = 0;
  private probing = false;
  private readonly bucketMs: number;
  private readonly bucketIds = new Float64Array(BUCKETS).fill(-1);
  private readonly calls = new Uint32Array(BUCKETS);
  private readonly failures = new Uint32Array(BUCKETS);

  constructor(
    private readonly rule: BreakerRule | undefined,
    private readonly onChange: (state: CircuitState) => void = () => {},
  ) {
    this.bucketMs = Math.max(1, (rule?.samplingMs ?? 10_000) / BUCKETS);
  }

  get current(): CircuitState {
    if (this.state === "open" && Date.now() - this.openedAt >= (this.rule?.breakMs ?? 0)) return "half-open";
    return this.state;
  }

  /** True when a request may go downstream now; the caller must then report success, failure or cancel. */
  tryAcquire(): boolean {
    if (!this.rule || this.state === "closed") return true;
    if (this.state === "open") {
      if (Date.now() - this.openedAt < this.rule.breakMs) return false;
      this.set("half-open");
    }
    if (this.probing) return false;
    this.probing = true;
    return true;
  }

  success(): void {
    if (!this.rule) return;
    if (this.state !== "closed") {
      this.probing = false;
      this.reset();
      this.set("closed");
      return;
    }
    this.record(false);
  }

  /** The request ended without a verdict (client went away): free a half-open probe slot. */
  cancel(): void {
    this.probing = false;
  }

  failure(): void {
    if (!this.rule) return;
    if (this.state !== "closed") {
      this.probing = false;
      if (this.state === "half-open") this.open();
      return;
    }
    this.record(true);
    const { calls, failures } = this.window();
    if (calls >= this.rule.minimumThroughput && failures / calls >= this.rule.failureRatio) this.open();
  }

  private record(failed: boolean): void {
    const id = Math.floor(Date.now() / this.bucketMs);
    const i = id % BUCKETS;
    if (this.bucketIds[i] !== id) {
      this.bucketIds[i] = id;
      this.calls[i] = 0;
      this.failures[i] = 0;
    }
    this.calls[i] = (this.calls[i] as number) + 1;
    if (failed) this.failures[i] = (this.failures[i] as number) + 1;
  }

  private window(): { calls: number; failures: number } {
    const oldest = Math.floor(Date.now() / this.bucketMs) - BUCKETS + 1;
    let calls = 0;
    let failures = 0;
    for (let i = 0; i < BUCKETS; i++) {
      if ((this.bucketIds[i] as number) < oldest) continue;
      calls += this.calls[i] as number;
      failures += this.failures[i] as number;
    }
    return { calls, failures };
  }

  private reset(): void {
    this.bucketIds.fill(-1);
  }

  private open(): void {
    this.openedAt = Date.now();
    this.reset();
    this.set("open");
  }

  private set(state: CircuitState): void {
    this.state = state;
    this.onChange(state);
  }
}
