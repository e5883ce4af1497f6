/**
 * Scale-out: three replicas each of orders, the inventory worker, audit and notifications on the same queues and
 * databases (the gateway balances orders round robin), under the order load; one orders replica and one worker
 * replica are killed (SIGKILL) mid-burst and stay down. The books must balance, every event be audited exactly
 * once, and only one relay per database publish at a time. Then stale events — an earlier status of an order
 * arriving after a later one, which replicas make possible — are written through the services' outboxes, and
 * every handler must shrug them off: the books still balance.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { expectConsistent, OrderLoad, startFixture, type Fixture } from "./support";

const PRODUCTS = Array.from({ length: 8 }, (_, i) => ({ sku: `SCALE-${String(i).padStart(2, "0")}`, price: 5 + i, stock: 100_000 }));
const REPLICATED = ["orders", "inventory-worker", "audit", "notifications"] as const;

let fixture: Fixture;
const accepted = new Set<string>();

beforeAll(async () => {
  fixture = await startFixture(PRODUCTS, {
    replicas: Object.fromEntries(REPLICATED.map((name) => [name, 3])),
    env: { CONSUMER_RETRY_DELAYS_MS: "1000,4000,12000" },
  });
}, 300_000);

afterAll(async () => {
  await fixture?.stop();
}, 90_000);

/** Samples, while the load runs, how many sessions hold a relay's advisory lock in each service database. */
function watchRelayLocks(): { stop(): Promise<Record<string, number>> } {
  const most: Record<string, number> = {};
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const [name, sql] of [
        ["orders", fixture.sql.orders],
        ["inventory", fixture.sql.inventory],
      ] as const) {
        const [row] = await sql<{ n: number }[]>`
          select count(*)::int as n from pg_locks
          where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())`;
        most[name] = Math.max(most[name] ?? 0, row?.n ?? 0);
      }
      await Bun.sleep(20);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return most;
    },
  };
}

describe("three replicas per consumer and API under the order load", () => {
  test("when a replica of orders and of the worker are killed mid-burst, then the books balance, the audit has each event once, and one relay per database publishes", async () => {
    const locks = watchRelayLocks();
    const load = await new OrderLoad(fixture, { seed: 40, clients: 6, pauseMs: 20 }).start();
    try {
      await load.acceptedMore(30, 90_000);
      await Promise.all([fixture.platform.kill("orders#2", "SIGKILL"), fixture.platform.kill("inventory-worker#3", "SIGKILL")]);
      await load.acceptedMore(30, 90_000);
    } finally {
      await load.stop();
    }
    for (const id of load.stats.accepted) accepted.add(id);
    const mostLocks = await locks.stop();
    await expectConsistent(fixture, accepted, 120_000);
    console.log(
      `[scale-out] ${accepted.size} orders accepted; answers ${JSON.stringify(Object.fromEntries(load.stats.failures))}; most relay locks held at once ${JSON.stringify(mostLocks)}`,
    );
    expect(mostLocks.orders).toBeLessThanOrEqual(1);
    expect(mostLocks.inventory).toBeLessThanOrEqual(1);
  }, 300_000);

  test("when stale events arrive after newer ones (an order's creation and reservation replayed after it was cancelled or confirmed), then every handler ignores them and the books still balance", async () => {
    const { sql } = fixture;
    const orders = await sql.orders<{ id: string; status: string; customer_id: string }[]>`
      select id, status, customer_id from orders where status in ('cancelled', 'confirmed') order by created_at limit 20`;
    const cancelled = orders.find((o) => o.status === "cancelled");
    const confirmed = orders.find((o) => o.status === "confirmed");
    expect(cancelled && confirmed).toBeTruthy();
    const stale = [cancelled!, confirmed!];
    for (const order of stale) {
      const [created] = await sql.orders<{ body: unknown }[]>`
        select body from messaging_outbox where aggregate_id = ${order.id} and type = 'orders.order-created.v1'`;
      const [reserved] = await sql.inventory<{ body: unknown }[]>`
        select body from messaging_outbox where aggregate_id = ${order.id} and type = 'inventory.stock-reserved.v1'`;
      // Written as new messages (new ids: the inbox must not be what saves us), through the services' outboxes.
      await sql.orders`insert into messaging_outbox (message_id, type, aggregate_id, correlation_id, causation_id, body)
        values (${randomUUID()}, 'orders.order-created.v1', ${order.id}, ${order.id}, ${order.id}, ${sql.orders.json(created!.body as never)}),
               (${randomUUID()}, 'orders.order-confirmed.v1', ${order.id}, ${order.id}, ${order.id}, ${sql.orders.json({ orderId: order.id, customerId: order.customer_id })})`;
      if (reserved) {
        await sql.inventory`insert into messaging_outbox (message_id, type, aggregate_id, correlation_id, causation_id, body)
          values (${randomUUID()}, 'inventory.stock-reserved.v1', ${order.id}, ${order.id}, ${order.id}, ${sql.inventory.json(reserved.body as never)})`;
      }
      await sql.orders`select pg_notify('messaging_outbox', '')`;
      await sql.inventory`select pg_notify('messaging_outbox', '')`;
    }
    await expectConsistent(fixture, accepted, 90_000);
    const after = await sql.orders<
      { id: string; status: string }[]
    >`select id, status from orders where id in ${sql.orders(stale.map((o) => o.id))}`;
    expect(Object.fromEntries(after.map((o) => [o.id, o.status]))).toEqual({ [cancelled!.id]: "cancelled", [confirmed!.id]: "confirmed" });
  }, 180_000);
});
