/**
 * Hostile input through the gateway, generated from every service's OpenAPI document (GET /openapi/json): wrong
 * types, missing fields, huge bodies, deep JSON, unicode, injection strings, bad ids, bad paging values. Never a
 * 5xx; a 4xx is always problem+json; invalid input is refused; and nothing is written for a refused request (every
 * table of the three databases and every Redis key of notifications are digested before and after). Seeded: set
 * HOSTILE_SEED to replay a failure's seed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import Redis from "ioredis";
import type postgres from "postgres";
import { openQueueProbe, REPO_ROOT, uniqueName, waitFor, type QueueProbe } from "@meridian/kit/testing";
import { placeOrder, queueDepths } from "../src/platform-client";
import { casesFor, operationsOf, type FuzzCase, type Operation } from "./fuzz";
import { diagnose, startFixture, type Fixture } from "./support";

const SEED = Number(process.env.HOSTILE_SEED ?? 20261125);
const SERVICES = ["orders", "inventory", "notifications", "audit"] as const;
const KEY_PREFIX = `${uniqueName("hostile")}:`;

let fixture: Fixture;
let redis: Redis;
let probe: QueueProbe;
/** The platform's queues (its consumers declared them at start). */
let queueNames: string[] = [];
let orderId: string;
const operations = new Map<string, Operation[]>();

beforeAll(async () => {
  fixture = await startFixture(
    [
      { sku: "HOSTILE-001", price: 12.5, stock: 1000 },
      { sku: "HOSTILE-002", price: 3, stock: 5 },
    ],
    {
      envFor: { notifications: { NOTIFICATIONS_KEY_PREFIX: KEY_PREFIX } },
      // A poison event reaches the error queue in about a second instead of 36 (audit and notifications read this).
      env: { CONSUMER_RETRY_DELAYS_MS: "200,400,800" },
    },
  );
  redis = new Redis(fixture.platform.redisUrl, { maxRetriesPerRequest: 2 });
  probe = await openQueueProbe(fixture.platform.rabbitmqUrl);
  queueNames = [...(await queueDepths(fixture.platform.id)).keys()];
  const placed = await placeOrder(fixture.platform.gatewayUrl, fixture.tokens.admin, `hostile-seed-order-${SEED}`, [
    { sku: "HOSTILE-001", quantity: 1 },
  ]);
  if (!placed.orderId) throw new Error(`could not place the seed order: ${placed.status} ${placed.body}`);
  orderId = placed.orderId;
  const routes = (
    JSON.parse(readFileSync(resolve(REPO_ROOT, "gateway/ocelot.json"), "utf8")) as { Routes: Parameters<typeof operationsOf>[2] }
  ).Routes;
  for (const service of SERVICES) {
    const res = await fetch(`${fixture.platform.url(service)}/openapi/json`);
    if (!res.ok) throw new Error(`${service} /openapi/json answered ${res.status}`);
    operations.set(service, operationsOf(service, (await res.json()) as Parameters<typeof operationsOf>[1], routes));
  }
}, 150_000);

afterAll(async () => {
  redis?.disconnect();
  await probe?.close();
  await fixture?.stop();
}, 60_000);

/** Base tables per database, read once (the schema is migrated before the suite starts). */
const tablesOf = new Map<string, string[]>();

async function tableDigest(db: string, sql: postgres.Sql, out: Record<string, string>): Promise<void> {
  let tables = tablesOf.get(db);
  if (!tables) {
    tables = (
      await sql<{ name: string }[]>`
        select quote_ident(table_name) as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`
    ).map((t) => t.name);
    tablesOf.set(db, tables);
  }
  if (tables.length === 0) return;
  const query = tables
    .map((t) => `select '${t}' as t, count(*)::int as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from ${t} x`)
    .join(" union all ");
  for (const row of await sql.unsafe<{ t: string; n: number; h: string }[]>(query)) out[`${db}.${row.t}`] = `${row.n}:${row.h}`;
}

async function redisDigest(out: Record<string, string>): Promise<void> {
  const keys = (await redis.keys(`${KEY_PREFIX}*`)).sort();
  for (const key of keys) {
    const type = await redis.type(key);
    const value =
      type === "string"
        ? await redis.get(key)
        : type === "hash"
          ? JSON.stringify(Object.entries(await redis.hgetall(key)).sort())
          : type === "list"
            ? JSON.stringify(await redis.lrange(key, 0, -1))
            : type === "set"
              ? JSON.stringify((await redis.smembers(key)).sort())
              : type === "zset"
                ? JSON.stringify(await redis.call("zrange", key, "0", "-1", "WITHSCORES"))
                : type === "stream"
                  ? JSON.stringify(await redis.xrange(key, "-", "+"))
                  : type;
    out[`redis.${key}`] = `${type}:${value}`;
  }
}

/** Every table's row count and content hash, per database, plus every notifications Redis key and its content. */
async function digest(): Promise<Record<string, string>> {
  const parts: Array<Record<string, string>> = [{}, {}, {}, {}];
  await Promise.all([
    tableDigest("orders", fixture.sql.orders, parts[0]!),
    tableDigest("inventory", fixture.sql.inventory, parts[1]!),
    tableDigest("audit", fixture.sql.audit, parts[2]!),
    redisDigest(parts[3]!),
  ]);
  return Object.assign({}, ...parts) as Record<string, string>;
}

function changes(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter((k) => before[k] !== after[k])
    .map((k) => `${k} ${before[k]?.split(":")[0] ?? "∅"} → ${after[k]?.split(":")[0] ?? "∅"}`);
}

/** Outbox messages written but not yet published by a relay (orders and inventory). */
async function unsentOutbox(): Promise<number> {
  const counts = await Promise.all(
    [fixture.sql.orders, fixture.sql.inventory].map(
      async (sql) => (await sql<{ n: number }[]>`select count(*)::int as n from messaging_outbox where sent_at is null`)[0]!.n,
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * After an accepted write, waits until its consequences (events, read models, audit) stopped changing anything:
 * every outbox message published, no message waits in any queue (retry queues included), and two digests in a row
 * agree. Those looks read ready messages over AMQP (milliseconds); a message a consumer holds unacked is invisible
 * to them, so a quiet state is confirmed by `rabbitmqctl list_queues` (ready and unacked) and one more digest.
 * Returns the digest and the error-queue depths.
 */
async function settled(): Promise<{ digest: Record<string, string>; parked: Map<string, number> }> {
  let previous = await digest();
  let why = "";
  let quiet = 0;
  try {
    return await waitFor(
      async () => {
        await Bun.sleep(150);
        const [ready, unsent, now] = await Promise.all([probe.readyDepths(queueNames), unsentOutbox(), digest()]);
        const waiting = [...ready].filter(([queue, depth]) => depth > 0 && !queue.endsWith(".error"));
        const changed = changes(previous, now);
        previous = now;
        why = [...waiting.map(([q, d]) => `${q} holds ${d}`), ...(unsent ? [`${unsent} outbox messages unsent`] : []), ...changed].join(
          ", ",
        );
        quiet = waiting.length || unsent || changed.length ? 0 : quiet + 1;
        // Two quiet looks in a row: some consequences start a moment after the answer (relays, fan-out).
        if (quiet < 2) return undefined;
        const depths = await queueDepths(fixture.platform.id);
        const held = [...depths].filter(([queue, depth]) => depth > 0 && !queue.endsWith(".error"));
        const confirmed = await digest();
        const late = changes(now, confirmed);
        previous = confirmed;
        if (held.length || late.length) {
          why = [...held.map(([q, d]) => `${q} holds ${d} (ready or unacked)`), ...late].join(", ");
          quiet = 0;
          return undefined;
        }
        return { digest: confirmed, parked: new Map([...depths].filter(([q, d]) => q.endsWith(".error") && d > 0)) };
      },
      { timeoutMs: 60_000, intervalMs: 0, what: "the platform to settle after an accepted write" },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}: ${why}`);
  }
}

interface Outcome {
  status: number;
  contentType: string;
  body: string;
}

async function sendOnce(c: FuzzCase): Promise<Outcome & { retryAfterSec: number }> {
  const res = await fetch(`${fixture.platform.gatewayUrl}${c.target}`, {
    method: c.method,
    headers: c.headers,
    ...(c.body !== undefined ? { body: c.body } : {}),
    redirect: "manual",
    signal: AbortSignal.timeout(20_000),
  });
  const contentType = res.headers.get("content-type") ?? "";
  const retryAfterSec = Number(res.headers.get("retry-after") ?? 1);
  if (contentType.startsWith("text/event-stream")) {
    await res.body?.cancel(); // an open live stream: the answer is in the status line
    return { status: res.status, contentType, body: "", retryAfterSec };
  }
  return { status: res.status, contentType, body: await res.text(), retryAfterSec };
}

/**
 * Sends a case. A rate-limited route's 429 is judged like any refusal (problem+json), then the case is sent again
 * after Retry-After, so the input itself still reaches the service.
 */
async function send(c: FuzzCase, where: string, failures: string[]): Promise<Outcome> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await sendOnce(c);
    if (outcome.status !== 429 || attempt === 3) return outcome;
    const verdict = judge(c, outcome);
    if (verdict) failures.push(`${where}: rate limited: ${verdict}`);
    await Bun.sleep(Math.min(Math.max(outcome.retryAfterSec, 1), 5) * 1000);
  }
}

function judge(c: FuzzCase, o: Outcome): string | undefined {
  if (o.status >= 500) return `answered ${o.status}: ${o.body.slice(0, 200)}`;
  if (o.status >= 400) {
    if (!o.contentType.startsWith("application/problem+json"))
      return `answered ${o.status} as ${o.contentType || "no content type"}, not problem+json: ${o.body.slice(0, 120)}`;
    try {
      const problem = JSON.parse(o.body) as { status?: number; title?: string };
      if (problem.status !== o.status || !problem.title) return `problem+json without matching status/title: ${o.body.slice(0, 160)}`;
    } catch {
      return `problem+json that is not JSON: ${o.body.slice(0, 120)}`;
    }
  } else if (c.expect === "reject") {
    return `accepted invalid input with ${o.status}: ${o.body.slice(0, 160)}`;
  }
  return undefined;
}

async function fuzz(service: (typeof SERVICES)[number]): Promise<{ cases: number; accepted: number; failures: string[] }> {
  const ops = operations.get(service)!;
  const failures: string[] = [];
  let { digest: baseline, parked } = await settled();
  let cases = 0;
  let accepted = 0;
  // A platform that cannot settle makes every later comparison meaningless: stop at the first such case.
  eachOperation: for (const op of ops) {
    for (const c of casesFor(op, { sku: "HOSTILE-001", orderId, seed: SEED }, fixture.tokens.admin)) {
      cases += 1;
      const where = `[seed ${SEED}] ${c.id} ${c.method} ${c.target.slice(0, 100)} (${c.label})`;
      let outcome: Outcome;
      try {
        outcome = await send(c, where, failures);
      } catch (error) {
        failures.push(`${where}: request failed: ${(error as Error).message}`);
        if ((error as Error).message.includes("ECONNREFUSED")) {
          failures.push(`the gateway stopped answering; platform state:\n${diagnose(fixture)}`);
          break eachOperation;
        }
        continue;
      }
      const verdict = judge(c, outcome);
      if (verdict) failures.push(`${where}: ${verdict}`);
      const wrote = outcome.status < 300 && c.method !== "GET" && c.method !== "HEAD";
      if (wrote) {
        accepted += 1;
        const after = await settled().catch((error: Error) => {
          failures.push(`${where}: accepted with ${outcome.status}, then ${error.message}`);
          return undefined;
        });
        if (!after) break eachOperation;
        for (const [queue, depth] of after.parked) {
          if (depth > (parked.get(queue) ?? 0))
            failures.push(
              `${where}: accepted with ${outcome.status}, but a consequence was dead-lettered to ${queue} (see its consumer's log)`,
            );
        }
        ({ digest: baseline, parked } = after);
      } else {
        const changed = changes(baseline, await digest());
        if (changed.length) {
          failures.push(`${where}: refused with ${outcome.status} but wrote: ${changed.join(", ")}`);
          ({ digest: baseline, parked } = await settled());
        }
      }
    }
  }
  return { cases, accepted, failures };
}

describe("hostile input through the gateway", () => {
  test("when the OpenAPI documents are read, then every public operation is reachable through a gateway route", () => {
    const all = [...operations.values()].flat();
    expect(all.length).toBeGreaterThan(15);
    const unrouted = all.filter((op) => !op.gatewayPath).map((op) => `${op.method} ${op.path}`);
    expect(unrouted).toEqual([]);
    // Anonymous operations (the public catalogue) may only read: a write open to anyone would be a hole.
    const anonymousWrites = all
      .filter((op) => op.anonymous && op.method !== "GET" && op.method !== "HEAD")
      .map((op) => `${op.method} ${op.path}`);
    expect(anonymousWrites).toEqual([]);
  });

  for (const service of SERVICES) {
    test(`when every ${service} operation gets hostile input, then no 5xx, 4xx are problem+json, invalid input is refused and refusals write nothing`, async () => {
      const { cases, accepted, failures } = await fuzz(service);
      console.log(`[hostile] ${service}: ${cases} cases, ${accepted} accepted writes, ${failures.length} failures`);
      expect(cases).toBeGreaterThan(30);
      expect(failures).toEqual([]);
    }, 240_000);
  }
});
