import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { waitFor } from "@meridian/kit/testing";
import { settled, startFlow, type Flow } from "./flow-support";

let flow: Flow;

beforeAll(async () => {
  flow = await startFlow("order_flow");
}, 90_000);

afterAll(async () => {
  await flow?.stop();
}, 60_000);

describe("order flow (orders + inventory + worker process on PostgreSQL and RabbitMQ)", () => {
  test("when an order asks for available stock, then it is confirmed and the stock is reserved", async () => {
    await flow.stockProduct("FLOW-OK", 10, 4.5);
    const alice = await flow.customer("alice");
    const placed = await flow.placeOrder(alice, [{ sku: "FLOW-OK", quantity: 3 }]);
    expect(placed.status).toBe("pending");
    const started = performance.now();
    const [order] = await settled(flow, [placed.id], 30_000);
    console.info(`order confirmed after ${Math.round(performance.now() - started)} ms`);
    expect(order).toMatchObject({ status: "confirmed", total: 13.5 });
    expect(await flow.product("FLOW-OK")).toMatchObject({ onHand: 10, reserved: 3, available: 7 });
    const metrics = await (await fetch(`${flow.orders.url}/metrics`)).text();
    expect(metrics).toMatch(/orders_placed_total\{[^}]*status="pending"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/orders_status_changes_total\{[^}]*status="confirmed"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/orders_confirmation_seconds_count\{[^}]*outcome="confirmed"[^}]*\} [1-9]/);
  }, 90_000);

  test("when an order asks for more than is available, then it is rejected with the reason, named shortages, and stock is unchanged", async () => {
    await flow.stockProduct("FLOW-SHORT", 2);
    await flow.stockProduct("FLOW-PLENTY", 100);
    const bob = await flow.customer("bob");
    const placed = await flow.placeOrder(bob, [
      { sku: "FLOW-PLENTY", quantity: 5 },
      { sku: "FLOW-SHORT", quantity: 3 },
    ]);
    const [order] = await settled(flow, [placed.id], 30_000);
    expect(order?.status).toBe("rejected");
    expect(order?.rejectionReason).toContain("FLOW-SHORT");
    expect(order).toMatchObject({
      lines: [
        { sku: "FLOW-PLENTY", name: "Product FLOW-PLENTY" },
        { sku: "FLOW-SHORT", name: "Product FLOW-SHORT" },
      ],
      shortages: [{ sku: "FLOW-SHORT", name: "Product FLOW-SHORT", requested: 3, available: 2 }],
    });
    expect(await flow.product("FLOW-SHORT")).toMatchObject({ onHand: 2, reserved: 0 });
    expect(await flow.product("FLOW-PLENTY")).toMatchObject({ onHand: 100, reserved: 0 });
  }, 90_000);

  test("when a confirmed order is cancelled, then its reservation is released", async () => {
    await flow.stockProduct("FLOW-CANCEL", 5);
    const carol = await flow.customer("carol");
    const placed = await flow.placeOrder(carol, [{ sku: "FLOW-CANCEL", quantity: 4 }]);
    await settled(flow, [placed.id], 30_000);
    expect(await flow.product("FLOW-CANCEL")).toMatchObject({ reserved: 4 });

    const cancel = await carol("POST", `/api/orders/${placed.id}/cancel`);
    expect(cancel.status).toBe(200);
    await waitFor(async () => (await flow.product("FLOW-CANCEL")).reserved === 0, {
      timeoutMs: 30_000,
      what: "reservation released",
    });
    const reservations = (await (await flow.inventoryAdmin("GET", `/api/inventory/reservations?orderId=${placed.id}`)).json()) as {
      items: { status: string; releasedAt?: string }[];
    };
    expect(reservations.items[0]).toMatchObject({ status: "released" });
    expect((await flow.order(placed.id)).status).toBe("cancelled");
  }, 90_000);

  test("when a confirmed order is shipped by an admin, then it is shipped, its units leave stock, and it can no longer be cancelled", async () => {
    await flow.stockProduct("FLOW-SHIP", 5);
    const dave = await flow.customer("dave");
    const placed = await flow.placeOrder(dave, [{ sku: "FLOW-SHIP", quantity: 1 }]);
    await settled(flow, [placed.id], 30_000);
    const shipped = await flow.admin("POST", `/api/orders/${placed.id}/ship`);
    expect(shipped.status).toBe(200);
    expect(((await shipped.json()) as { status: string }).status).toBe("shipped");
    const cancel = await dave("POST", `/api/orders/${placed.id}/cancel`);
    expect(cancel.status).toBe(409);
    await waitFor(async () => (await flow.product("FLOW-SHIP")).onHand === 4, { timeoutMs: 30_000, what: "stock fulfilled" });
    expect(await flow.product("FLOW-SHIP")).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
  }, 90_000);
});
