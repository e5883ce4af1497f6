import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { waitFor } from "@meridian/kit/testing";
import type { Order } from "../src/domain/order";
import { settled, startFlow, type Flow } from "./flow-support";

let flow: Flow;

beforeAll(async () => {
  flow = await startFlow("worker_crash");
}, 90_000);

afterAll(async () => {
  await flow?.stop();
}, 60_000);

describe("worker crash", () => {
  test("when the worker is SIGKILLed mid-burst and restarted, then every order ends confirmed or rejected and nothing is reserved twice", async () => {
    const units = 120;
    await flow.stockProduct("CRASH-1", units);
    const customers = await Promise.all(Array.from({ length: 10 }, (_, i) => flow.customer(`crash-buyer-${i}`)));
    const place = (i: number) => flow.placeOrder(customers[i % customers.length]!, [{ sku: "CRASH-1", quantity: 1 }]);

    // Burst 1: 200 orders; kill the worker once some (not all) have been answered. The first reservation comes
    // only when the whole burst has been taken (orders' relay shares its connection pool with the 200 order
    // transactions): 2-4 s alone, ~10 s beside two more runs, over 30 s in one loaded CI run. A progress
    // precondition, not a latency bound: the deadline only ends a stalled run.
    const burst = Promise.all(Array.from({ length: 200 }, (_, i) => place(i)));
    await waitFor(
      async () => {
        const confirmed = await flow.orders.orders.store.listOrders({ status: "confirmed" }, 1, 1);
        return confirmed.total >= 20;
      },
      { timeoutMs: 90_000, intervalMs: 100, what: "first confirmations" },
    );
    await flow.worker.kill();
    const first: Order[] = await burst;
    const pendingAtKill = (await flow.orders.orders.store.listOrders({ status: "pending" }, 1, 1)).total;

    // Burst 2 while no worker runs: these can only be answered by the restarted worker.
    const second: Order[] = await Promise.all(Array.from({ length: 50 }, (_, i) => place(200 + i)));
    const stillPending = (await flow.orders.orders.store.listOrders({ status: "pending" }, 1, 1)).total;
    expect(stillPending).toBeGreaterThanOrEqual(50);
    console.info(`worker killed with ${pendingAtKill} of 200 orders unanswered; ${stillPending} pending before restart`);

    await flow.startWorker();
    const all = [...first, ...second];
    const final = await settled(
      flow,
      all.map((o) => o.id),
      120_000,
    );
    const confirmed = final.filter((o) => o.status === "confirmed");
    const rejected = final.filter((o) => o.status === "rejected");
    expect(confirmed.length + rejected.length).toBe(250);
    expect(confirmed.length).toBe(units);

    // No double reservation: reserved units = confirmed orders = reservation rows, one per order.
    expect(await flow.product("CRASH-1")).toEqual(expect.objectContaining({ onHand: units, reserved: units, available: 0 }));
    const rows = await flow.stock.db.execute<{ order_id: string }>(sql`select order_id from reservations where status = 'reserved'`);
    const reservedOrders = [...rows].map((r) => r.order_id);
    expect(reservedOrders).toHaveLength(units);
    expect(new Set(reservedOrders)).toEqual(new Set(confirmed.map((o) => o.id)));
  }, 300_000);
});
