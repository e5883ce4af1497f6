/**
 * The kit's PostgreSQL pool through a refused database, with the platform's TCP proxy in between (what the fault
 * tests use): once the database is back, the pool serves again within about a second, however long it was away.
 */
import { describe, expect, test } from "bun:test";
import { openPostgres } from "@meridian/kit/postgres";
import { TEST_POSTGRES_URL } from "@meridian/kit/testing";
import { startTcpProxy } from "../src";

describe("kit PostgreSQL pool through an outage", () => {
  test("when PostgreSQL refused connections for 5 s under steady queries, then within 1.5 s of its return the pool answers new queries and every query that waited", async () => {
    const target = new URL(TEST_POSTGRES_URL);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const url = new URL(TEST_POSTGRES_URL);
    url.port = String(proxy.port);
    const sql = openPostgres(url.toString(), { max: 4 });
    try {
      expect((await sql`select 1 as one`)[0]?.one).toBe(1);
      await proxy.refuse();
      // Steady work, as a service under load sends it: a query every 20 ms, none waiting for the one before. Every
      // failed connection counts towards the pool's backoff; a query that meets a connection waiting out its backoff
      // waits with it (requests held that long time out upstream).
      let back = Number.POSITIVE_INFINITY;
      let answeredAfterMs = Number.POSITIVE_INFINITY;
      let heldAfterReturnMs = 0;
      const pending = new Set<Promise<void>>();
      const load = setInterval(() => {
        const sent = Date.now();
        const query: Promise<void> = sql`select 1`.then(
          () => {
            if (Date.now() >= back) answeredAfterMs = Math.min(answeredAfterMs, Date.now() - back);
          },
          () => {},
        );
        const settled = query.finally(() => {
          if (sent < back) heldAfterReturnMs = Math.max(heldAfterReturnMs, Date.now() - back);
          pending.delete(settled);
        });
        pending.add(settled);
      }, 20);
      await Bun.sleep(5000);
      await proxy.accept();
      back = Date.now();
      await Bun.sleep(2000);
      clearInterval(load);
      await Promise.all(pending);
      console.log(
        `[outage] first answer ${answeredAfterMs} ms after PostgreSQL was back; queries sent during the outage settled within ${heldAfterReturnMs} ms of it`,
      );
      expect(answeredAfterMs).toBeLessThan(1500);
      // No query is held for the backoff of a pool that failed many times: what waited is answered once it is back.
      expect(heldAfterReturnMs).toBeLessThan(1500);
    } finally {
      await sql.end({ timeout: 1 });
      await proxy.close();
    }
  }, 60_000);
});
