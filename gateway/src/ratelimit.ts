/**
 * Ocelot 25.0's rate limiting (class RateLimiting: ProcessRequest, Count, RetryAfter, GetStorageKey): a fixed
 * counting window of `Period` from a client's first request, one counter per client and route; once the limit is
 * exceeded the client waits `Wait`/`PeriodTimespan` from the moment of exceeding (or until the window ends when there
 * is no wait).
 */
import type { RateLimitRule } from "./config";

interface Counter {
  startedAt: number;
  total: number;
  exceededAt?: number;
  /** When both the counting window and any wait are over (for sweeping). */
  endsAt?: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Seconds until the client may retry (blocked requests only). */
  retryAfterSec: number;
  limit: number;
  remaining: number;
  /** When the counting window resets. */
  resetAt: Date;
}

export class RateLimiter {
  private readonly counters = new Map<string, Counter>();
  private sweepAt = 0;

  constructor(private readonly prefix: string) {}

  check(routeId: string, clientId: string, rule: RateLimitRule, now = Date.now()): RateLimitDecision {
    this.sweep(now);
    const key = `${this.prefix}_${clientId}_${routeId}_${rule.period}`;
    let counter = this.count(this.counters.get(key), rule, now);
    let allowed = true;
    let retryAfterMs = 0;
    if (counter.total > rule.limit) {
      retryAfterMs = this.retryAfter(counter, rule, now);
      if (retryAfterMs < 0) counter = { startedAt: now, total: 1 };
      else allowed = false;
    }
    counter.endsAt = Math.max(counter.startedAt + rule.periodMs, (counter.exceededAt ?? 0) + rule.waitMs);
    this.counters.set(key, counter);
    return {
      allowed,
      retryAfterSec: Math.max(1, Math.ceil(retryAfterMs / 1000)),
      limit: rule.limit,
      remaining: Math.max(0, rule.limit - counter.total),
      resetAt: new Date(counter.startedAt + rule.periodMs),
    };
  }

  private count(entry: Counter | undefined, rule: RateLimitRule, now: number): Counter {
    if (!entry) return { startedAt: now, total: 1 };
    const counter = { ...entry, total: entry.total + 1 };
    if (counter.total > rule.limit && counter.exceededAt === undefined) counter.exceededAt = now;
    const inWindow = counter.startedAt + rule.periodMs >= now;
    const inWait = counter.exceededAt !== undefined && counter.exceededAt + rule.waitMs >= now;
    return inWindow || inWait ? counter : { startedAt: now, total: 1 };
  }

  private retryAfter(counter: Counter, rule: RateLimitRule, now: number): number {
    if (counter.total <= rule.limit || counter.exceededAt === undefined) return 0;
    if (rule.waitMs === 0 && counter.startedAt + rule.periodMs > now) return counter.startedAt + rule.periodMs - now;
    if (counter.exceededAt + rule.waitMs > now) return counter.exceededAt + rule.waitMs - now;
    return -1;
  }

  /** Drops counters whose window and wait are over, at most once a minute. */
  private sweep(now: number): void {
    if (now < this.sweepAt) return;
    this.sweepAt = now + 60_000;
    for (const [key, c] of this.counters) if ((c.endsAt ?? 0) < now) this.counters.delete(key);
  }
}
