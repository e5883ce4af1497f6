/**
 * Shared by the fault and hostile-input suites: a started platform with a seeded catalogue, direct (read-only)
 * database clients, a seeded random generator, a steady order load through the gateway and the platform-wide
 * consistency checks (final states, stock arithmetic, audit exactly once, empty queues).
 */
import { readFileSync } from "node:fs";
import postgres from "postgres";
import { startTestIssuer, waitFor, type TestIssuer } from "@meridian/kit/testing";
import { startPlatform, type Platform, type PlatformOptions } from "@meridian/platform";
import { placeOrder, queueDepths, seedCatalogue, tokensFor, type SeedProduct, type Tokens } from "../src/platform-client";

/** mulberry32: small, seeded, good enough to pick test inputs reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `application_name` of the test's own database connections. */
export const TEST_CLIENT_NAME = "meridian-fault-test";

export interface Fixture {
  platform: Platform;
  issuer: TestIssuer;
  tokens: Tokens;
  products: SeedProduct[];
  sql: { orders: postgres.Sql; inventory: postgres.Sql; audit: postgres.Sql };
  stop(): Promise<void>;
}

export async function startFixture(products: SeedProduct[], options: Partial<PlatformOptions> = {}): Promise<Fixture> {
  const issuer = await startTestIssuer();
  let platform: Platform;
  try {
    platform = await startPlatform({
      issuer: issuer.issuer,
      readyTimeoutMs: 90_000,
      ...options,
      env: { LOG_LEVEL: "warn", ...options.env },
    });
  } catch (error) {
    await issuer.stop();
    throw error;
  }
  console.log(`[fixture] platform ${platform.id}, logs in ${platform.processes.get("gateway")?.log.replace(/\/[^/]+$/, "")}`);
  // Named, so fault scenarios that terminate the services' backends spare the test's own connections.
  const open = (url: string) => postgres(url, { max: 2, onnotice: () => {}, connection: { application_name: TEST_CLIENT_NAME } });
  const sql = {
    orders: open(platform.databases.orders.url),
    inventory: open(platform.databases.inventory.url),
    audit: open(platform.databases.audit.url),
  };
  const stop = async () => {
    await Promise.allSettled([sql.orders.end(), sql.inventory.end(), sql.audit.end()]);
    await platform.stop();
    await issuer.stop();
  };
  try {
    const tokens = await tokensFor(issuer);
    await seedCatalogue(platform, tokens.admin, products);
    return { platform, issuer, tokens, products, sql, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One order request: when it started (ms since the epoch), how long it took, what came back. */
export interface RequestSample {
  startedAt: number;
  ms: number;
  status: number | "network";
}

export interface OrderLoadStats {
  accepted: Set<string>;
  /** Every order request, in completion order. */
  samples: RequestSample[];
  attempts: number;
  /** Answers other than 200/201 (and network errors), by status ("network" for the latter). */
  failures: Map<string, number>;
  cancelRequested: number;
}

/**
 * A steady order load through the gateway: `clients` customers each place an order, pause, place the next. A failed
 * attempt (5xx, 429, network error) is retried with the same Idempotency-Key, as a well-behaved client would, so an
 * order the platform committed but could not answer for is never placed twice. Every 4th accepted order is
 * cancelled right away (its stock is released again). Choices come from a seeded generator.
 */
export class OrderLoad {
  readonly stats: OrderLoadStats = { accepted: new Set(), samples: [], attempts: 0, failures: new Map(), cancelRequested: 0 };
  private running = true;
  private readonly workers: Promise<void>[] = [];

  constructor(
    private readonly fixture: Fixture,
    private readonly options: { seed: number; clients?: number; pauseMs?: number; scarceSku?: string },
  ) {}

  async start(): Promise<this> {
    const clients = this.options.clients ?? 3;
    for (let c = 0; c < clients; c++) {
      const token = await this.fixture.tokens.customer(`fault-customer-${c}`);
      this.workers.push(this.client(c, token, seededRandom(this.options.seed * 100 + c)));
    }
    return this;
  }

  private count(kind: string): void {
    this.stats.failures.set(kind, (this.stats.failures.get(kind) ?? 0) + 1);
  }

  private async client(index: number, token: string, random: () => number): Promise<void> {
    const gateway = this.fixture.platform.gatewayUrl;
    const skus = this.fixture.products.map((p) => p.sku).filter((s) => s !== this.options.scarceSku);
    let n = 0;
    while (this.running) {
      n += 1;
      const key = `fault-${this.options.seed}-${index}-${n}`;
      const first = skus[Math.floor(random() * skus.length)]!;
      const lines = [
        { sku: random() < 0.1 && this.options.scarceSku ? this.options.scarceSku : first, quantity: 1 + Math.floor(random() * 3) },
      ];
      if (random() < 0.3) {
        const second = skus[Math.floor(random() * skus.length)]!;
        if (second !== lines[0]!.sku) lines.push({ sku: second, quantity: 1 });
      }
      const cancel = random() < 0.25;
      // Retry the same key until accepted; after the load was told to stop, give up after a few more tries.
      for (let tries = 0; ; tries++) {
        this.stats.attempts += 1;
        const startedAt = Date.now();
        const result = await placeOrder(gateway, token, key, lines, AbortSignal.timeout(20_000)).catch(() => undefined);
        this.stats.samples.push({ startedAt, ms: Date.now() - startedAt, status: result ? result.status : "network" });
        if (result?.orderId) {
          this.stats.accepted.add(result.orderId);
          if (cancel) await this.cancel(token, result.orderId);
          break;
        }
        this.count(result ? String(result.status) : "network");
        if (result && result.status >= 400 && result.status < 500 && result.status !== 429 && result.status !== 408) {
          throw new Error(`order refused with ${result.status}: ${result.body}`);
        }
        if (!this.running && tries >= 20) break;
        await Bun.sleep(250);
      }
      await Bun.sleep(this.options.pauseMs ?? 120);
    }
  }

  private async cancel(token: string, orderId: string): Promise<void> {
    this.stats.cancelRequested += 1;
    for (let tries = 0; tries < 20; tries++) {
      const res = await fetch(`${this.fixture.platform.gatewayUrl}/orders/${orderId}/cancel`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(20_000),
      }).catch(() => undefined);
      // 200 cancelled; 409: inventory already answered and the order is final (rejected) — also fine.
      if (res && (res.ok || res.status === 409)) return;
      await Bun.sleep(250);
    }
  }

  /** Waits until `n` more orders were accepted than when called. */
  async acceptedMore(n: number, timeoutMs = 60_000): Promise<void> {
    const target = this.stats.accepted.size + n;
    await waitFor(() => this.stats.accepted.size >= target, { timeoutMs, intervalMs: 100, what: `${n} more accepted orders` }).catch(
      (error: Error) => {
        const failures = [...this.stats.failures].map(([k, v]) => `${k}×${v}`).join(", ");
        throw new Error(`${error.message} (answers other than 2xx so far: ${failures || "none"})\n${diagnose(this.fixture)}`);
      },
    );
  }

  async stop(): Promise<OrderLoadStats> {
    this.running = false;
    await Promise.all(this.workers);
    return this.stats;
  }
}

/** Everything that must hold once the platform settled; an empty list means consistent. */
export async function inconsistencies(fixture: Fixture, accepted: ReadonlySet<string>): Promise<string[]> {
  const { sql, platform, products } = fixture;
  const problems: string[] = [];

  // 1. Every accepted order exists and is final.
  const orders = await sql.orders<{ id: string; status: string }[]>`select id, status from orders`;
  const statusOf = new Map(orders.map((o) => [o.id, o.status]));
  const missing = [...accepted].filter((id) => !statusOf.has(id));
  if (missing.length) problems.push(`${missing.length} accepted orders missing, e.g. ${missing[0]}`);
  const open = orders.filter((o) => !["confirmed", "rejected", "cancelled"].includes(o.status));
  if (open.length) problems.push(`${open.length} orders not final, e.g. ${open[0]!.id} ${open[0]!.status}`);

  // 2. Stock arithmetic: on hand is the initial stock (nothing shipped); reserved is exactly what confirmed orders hold.
  const confirmedLines = await sql.orders<{ sku: string; quantity: number }[]>`
    select l.sku, sum(l.quantity)::int as quantity from order_lines l join orders o on o.id = l.order_id
    where o.status = 'confirmed' group by l.sku`;
  const heldBy = new Map(confirmedLines.map((l) => [l.sku, l.quantity]));
  const stock = await sql.inventory<{ sku: string; on_hand: number; reserved: number }[]>`select sku, on_hand, reserved from products`;
  for (const p of products) {
    const row = stock.find((s) => s.sku === p.sku);
    if (!row) {
      problems.push(`product ${p.sku} missing`);
      continue;
    }
    const held = heldBy.get(p.sku) ?? 0;
    if (row.on_hand !== p.stock) problems.push(`${p.sku}: on hand ${row.on_hand}, expected ${p.stock}`);
    if (row.reserved !== held)
      problems.push(
        `${p.sku}: reserved ${row.reserved}, confirmed orders hold ${held} (available ${row.on_hand - row.reserved}, expected ${p.stock - held})`,
      );
  }
  const reservations = await sql.inventory<{ order_id: string; status: string }[]>`select order_id, status from reservations`;
  for (const r of reservations) {
    const status = statusOf.get(r.order_id);
    if (r.status === "reserved" && status !== "confirmed") problems.push(`reservation of ${r.order_id} held for a ${status} order`);
    if (r.status === "released" && status !== "cancelled") problems.push(`reservation of ${r.order_id} released for a ${status} order`);
  }
  const reservedIds = new Set(reservations.filter((r) => r.status === "reserved").map((r) => r.order_id));
  const unreserved = orders.filter((o) => o.status === "confirmed" && !reservedIds.has(o.id));
  if (unreserved.length) problems.push(`${unreserved.length} confirmed orders without a reservation, e.g. ${unreserved[0]!.id}`);

  // 3. Every event the services wrote was published and is in the audit exactly once.
  const outbox = [
    ...(await sql.orders<
      { message_id: string; sent: boolean }[]
    >`select message_id::text, sent_at is not null as sent from messaging_outbox`),
    ...(await sql.inventory<
      { message_id: string; sent: boolean }[]
    >`select message_id::text, sent_at is not null as sent from messaging_outbox`),
  ];
  const unsent = outbox.filter((m) => !m.sent).length;
  if (unsent) problems.push(`${unsent} outbox messages not published`);
  const audited = await sql.audit<
    { message_id: string; n: number }[]
  >`select message_id::text, count(*)::int as n from emt_messages group by message_id`;
  const auditCount = new Map(audited.map((a) => [a.message_id, a.n]));
  const notAudited = outbox.filter((m) => !auditCount.has(m.message_id));
  if (notAudited.length)
    problems.push(`${notAudited.length} of ${outbox.length} events not in the audit, e.g. ${notAudited[0]!.message_id}`);
  const twice = audited.filter((a) => a.n > 1);
  if (twice.length) problems.push(`${twice.length} events in the audit more than once, e.g. ${twice[0]!.message_id}`);
  const published = new Set(outbox.map((m) => m.message_id));
  const unknown = audited.filter((a) => !published.has(a.message_id));
  if (unknown.length) problems.push(`${unknown.length} audit entries for events no service wrote, e.g. ${unknown[0]!.message_id}`);

  // 4. No message waits anywhere but in an error queue.
  const depths = await queueDepths(platform.id);
  for (const [queue, depth] of depths) if (depth > 0 && !queue.endsWith(".error")) problems.push(`queue ${queue} holds ${depth} messages`);
  if (depths.size === 0) problems.push("no queues found in the platform's vhost");
  return problems;
}

/** Waits (bounded) until the platform is consistent; fails with what is still wrong. */
export async function expectConsistent(fixture: Fixture, accepted: ReadonlySet<string>, timeoutMs = 90_000): Promise<void> {
  let last: string[] = [];
  try {
    await waitFor(
      async () => {
        last = await inconsistencies(fixture, accepted);
        return last.length === 0;
      },
      { timeoutMs, intervalMs: 1000, what: "the platform to settle consistently" },
    );
  } catch {
    throw new Error(`platform did not settle within ${timeoutMs} ms:\n  ${last.join("\n  ")}\n${diagnose(fixture)}`);
  }
}

function isAlive(pid: number | undefined): boolean {
  try {
    return pid !== undefined && process.kill(pid, 0);
  } catch {
    return false;
  }
}

/**
 * Plays the orchestrator (Kubernetes restarts a crashed container): restarts any platform process that died and
 * records it, so a test can check the data survived a crash and still fail on the crash itself.
 */
export class Supervisor {
  readonly crashed: string[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;

  constructor(private readonly fixture: Fixture) {}

  start(): this {
    this.timer = setInterval(() => void this.check(), 500);
    return this;
  }

  private async check(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const p of this.fixture.platform.processes.values()) {
        if (isAlive(p.pid)) continue;
        const tail = readFileSync(p.log, "utf8")
          .split("\n")
          .filter((l) => l.trim() && !l.startsWith("{"))
          .slice(0, 8)
          .join(" | ");
        this.crashed.push(`${p.name} exited: ${tail.slice(0, 400)}`);
        await this.fixture.platform.start(p.name).catch(() => undefined);
      }
    } finally {
      this.busy = false;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.check();
  }
}

/** For failure messages: which processes died, and the last warning/error lines of each log. */
export function diagnose(fixture: Fixture): string {
  const lines: string[] = [];
  for (const p of fixture.platform.processes.values()) {
    const alive = isAlive(p.pid);
    const log = readFileSync(p.log, "utf8").split("\n");
    const bad = log.filter((l) => !l.startsWith('{"level":"info"') && !l.startsWith('{"level":"debug"') && l.trim()).slice(-4);
    lines.push(
      `  ${p.name} (${alive ? "running" : "NOT RUNNING"}, log ${p.log})${bad.length ? `:\n    ${bad.map((l) => l.slice(0, 300)).join("\n    ")}` : ""}`,
    );
  }
  return lines.join("\n");
}

/** Error-queue depths (messages parked after failing): reported, since such a message left the normal flow. */
export async function errorQueueDepths(fixture: Fixture): Promise<Record<string, number>> {
  const depths = await queueDepths(fixture.platform.id);
  return Object.fromEntries([...depths].filter(([q, d]) => q.endsWith(".error") && d > 0));
}
