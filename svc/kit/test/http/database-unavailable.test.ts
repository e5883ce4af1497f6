/** A request that hits a dropped database connection is answered 503 problem+json with Retry-After, never 500. */
import { describe, expect, test } from "bun:test";
import postgres from "postgres";
import { createHttpApp, createLogger } from "../../src/index";
import { createTestDatabase, TEST_POSTGRES_URL } from "../../src/testing";

describe("a dropped database connection during a request", () => {
  test("when PostgreSQL terminates the backend while the request's query runs, then the answer is 503 problem+json with Retry-After", async () => {
    const database = await createTestDatabase("kit_http_503");
    const appName = `kit-http-503-${Date.now()}`;
    const sql = postgres(database.url, { max: 1, onnotice: () => {}, connection: { application_name: appName } });
    const admin = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} });
    try {
      await sql`select 1`;
      const app = createHttpApp({
        service: "kit-test",
        version: "0.0.0",
        logger: createLogger({ service: "kit-test", version: "0.0.0", level: "silent" }),
      }).get("/orders", async () => {
        // The backend is terminated while the request's query runs on it.
        setTimeout(
          () => admin`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${appName}`.then(() => {}),
          200,
        );
        return (await sql`select pg_sleep(5) as slept`)[0];
      });
      const res = await app.handle(new Request("http://localhost/orders"));
      expect(res.status).toBe(503);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.headers.get("retry-after")).toBe("1");
      const problem = (await res.json()) as { type: string; status: number };
      expect(problem.type).toBe("https://meridian.dev/problems/service-unavailable");
      // The pool is whole again for the next request.
      expect((await sql`select 2 as two`)[0]?.two).toBe(2);
    } finally {
      await sql.end();
      await admin.end();
      await database.drop();
    }
  });
});
