import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type postgres from "postgres";
import { openPostgres, withAdvisoryLock } from "../../src";
import { createTestDatabase, type TestDatabase } from "../../src/testing";

const KEY = 424242;
let database: TestDatabase;
let pool: postgres.Sql;

beforeAll(async () => {
  database = await createTestDatabase("advisory_lock");
  pool = openPostgres(database.url, { max: 4 });
});
afterAll(async () => {
  await pool.end({ timeout: 1 });
  await database.drop();
});

async function heldLocks(): Promise<number> {
  const [row] = await pool<{ n: number }[]>`
    select count(*)::int as n from pg_locks where locktype = 'advisory' and objid = ${KEY} and granted`;
  return row?.n ?? 0;
}

describe("withAdvisoryLock", () => {
  test("when the work keeps the pool busy, then the lock is released afterwards and a second holder gets it", async () => {
    await withAdvisoryLock(database.url, KEY, async () => {
      expect(await heldLocks()).toBe(1);
      // The work spreads statements over every pooled connection, as a migration runner may.
      await Promise.all(Array.from({ length: 12 }, () => pool`select pg_sleep(0.02)`));
    });
    expect(await heldLocks()).toBe(0);
    const second = await Promise.race([
      withAdvisoryLock(database.url, KEY, async () => "acquired"),
      Bun.sleep(3_000).then(() => "still waiting"),
    ]);
    expect(second).toBe("acquired");
  });

  test("when the work needs the only connection of a pool of one, then it still runs", async () => {
    const single = openPostgres(database.url, { max: 1 });
    try {
      const answer = await Promise.race([
        withAdvisoryLock(database.url, KEY, async () => (await single<{ one: number }[]>`select 1 as one`)[0]?.one),
        Bun.sleep(5_000).then(() => "deadlocked"),
      ]);
      expect(answer).toBe(1);
    } finally {
      await single.end({ timeout: 1 });
    }
  });

  test("when two holders race, then their work never overlaps", async () => {
    const events: string[] = [];
    const holder = (name: string) =>
      withAdvisoryLock(database.url, KEY, async () => {
        events.push(`${name} in`);
        await pool`select pg_sleep(0.05)`;
        events.push(`${name} out`);
      });
    await Promise.all([holder("a"), holder("b")]);
    expect([events.slice(0, 2), events.slice(2)].every(([i, o]) => i?.endsWith("in") && o?.endsWith("out") && i[0] === o[0])).toBe(true);
    expect(await heldLocks()).toBe(0);
  });

  test("when the work throws, then the lock is released and the error surfaces", async () => {
    await expect(withAdvisoryLock(database.url, KEY, async () => Promise.reject(new Error("migration failed")))).rejects.toThrow(
      "migration failed",
    );
    expect(await heldLocks()).toBe(0);
  });
});
