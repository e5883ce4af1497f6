/**
 * PostgreSQL terminating a pool's backends under load (pg_terminate_backend every few milliseconds for 10 s,
 * three times): nothing escapes the driver (postgres.js' unawaited start-up query, porsager/postgres#1192/#1223,
 * patched in patches/), the pool does not wedge (porsager/postgres#1193: afterwards 20 queries at once answer
 * within 5 s), and the process keeps running. The pool runs in a child process so an escape cannot take the
 * test runner with it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import postgres from "postgres";
import { createTestDatabase, TEST_POSTGRES_URL, uniqueName, waitFor, type TestDatabase } from "../../src/testing";
import { isDatabaseUnavailable, isTransientDatabaseError, retryTransient } from "../../src/postgres";

let database: TestDatabase;
let child: ReturnType<typeof Bun.spawn> | undefined;
let childUrl = "";
const appName = uniqueName("storm");
const admin = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} });

beforeAll(async () => {
  database = await createTestDatabase("kit_storm");
  child = Bun.spawn(["bun", resolve(import.meta.dir, "../fixtures/postgres-load.ts")], {
    env: { ...process.env, DATABASE_URL: database.url, APP_NAME: appName },
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = (child.stdout as ReadableStream<Uint8Array>).getReader();
  let text = "";
  while (!text.includes("READY ")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`load process exited before it was ready: ${text}`);
    text += new TextDecoder().decode(value);
  }
  childUrl = `http://127.0.0.1:${text.split("READY ")[1]!.trim().split(/\s/)[0]}`;
});

afterAll(async () => {
  child?.kill("SIGKILL");
  await child?.exited;
  await admin.end();
  await database?.drop();
});

async function stats() {
  return (await (await fetch(`${childUrl}/stats`)).json()) as {
    ok: number;
    unavailable: number;
    otherErrors: string[];
    escaped: string[];
    slowestMs: number;
  };
}

/** Terminates every backend of the load's pool, again and again, for `ms`. */
async function storm(ms: number): Promise<number> {
  let terminated = 0;
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const rows =
      await admin`select count(*) filter (where pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = ${appName}`;
    terminated += rows[0]?.n ?? 0;
    await Bun.sleep(20 + Math.random() * 60);
  }
  return terminated;
}

describe("a postgres.js pool while PostgreSQL terminates its backends", () => {
  for (const round of [1, 2, 3]) {
    test(`when backends are terminated for 10 s under load (round ${round}), then nothing escapes, the process lives, and the pool answers within 5 s afterwards`, async () => {
      await waitFor(async () => (await stats()).ok > 20, { timeoutMs: 10_000, what: "load running" });
      await stats(); // resets the slowest-query mark
      const terminated = await storm(10_000);
      expect(terminated).toBeGreaterThan(10);
      expect(child!.exitCode).toBeNull();
      // Afterwards: the pool is whole again; no query waits on a dead connection.
      await Bun.sleep(500);
      const during = await stats();
      const probes = [];
      for (let i = 0; i < 3; i++) probes.push((await (await fetch(`${childUrl}/probe`)).json()) as { ms: number; failed: string[] });
      const after = await waitFor(
        async () => {
          const s = await stats();
          return s.ok > during.ok + 20 ? s : undefined;
        },
        { timeoutMs: 5_000, what: "load making progress after the storm" },
      );
      console.log(
        `[storm ${round}] terminated ${terminated} backends; ok ${during.ok}, unavailable ${during.unavailable}; probes ${probes.map((p) => p.ms).join("/")} ms; slowest after ${Math.round(after.slowestMs)} ms`,
      );
      expect(during.escaped).toEqual([]);
      expect(during.otherErrors).toEqual([]);
      expect(during.unavailable).toBeGreaterThan(0);
      for (const probe of probes) {
        expect(probe.failed).toEqual([]);
        expect(probe.ms).toBeLessThan(5_000);
      }
      expect(after.slowestMs).toBeLessThan(5_000);
      expect(child!.exitCode).toBeNull();
    }, 40_000);
  }
});

describe("transient database errors", () => {
  test("when a query fails because its backend was terminated, then it counts as unavailable and a retry in place succeeds", async () => {
    const own = postgres(database.url, { max: 1, onnotice: () => {}, connection: { application_name: `${appName}-own` } });
    try {
      await own`select 1`;
      let calls = 0;
      const value = await retryTransient(
        async () => {
          calls += 1;
          if (calls === 1) {
            await admin`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${`${appName}-own`}`;
            await own`select 1`; // fails: its backend is gone
          }
          return (await own`select 42 as v`)[0]!.v as number;
        },
        { initialDelayMs: 10 },
      );
      expect(value).toBe(42);
      expect(calls).toBe(2);
    } finally {
      await own.end();
    }
  });

  test("when an error is a constraint violation, then it is neither unavailable nor retried", async () => {
    const violation = Object.assign(new Error("duplicate key"), { code: "23505" });
    expect(isDatabaseUnavailable(violation)).toBe(false);
    expect(isTransientDatabaseError(violation)).toBe(false);
    expect(isTransientDatabaseError({ cause: { code: "40P01" } })).toBe(true);
    expect(isDatabaseUnavailable(new Error("wrapped", { cause: Object.assign(new Error("x"), { code: "57P01" }) }))).toBe(true);
    // node-postgres (audit, through Emmett) names a lost connection only in its message.
    expect(isTransientDatabaseError(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("connection refused by the business rule"))).toBe(false);
    let calls = 0;
    await expect(
      retryTransient(async () => {
        calls += 1;
        throw violation;
      }),
    ).rejects.toThrow("duplicate key");
    expect(calls).toBe(1);
  });
});
