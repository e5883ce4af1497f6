import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import type { Order } from "../src/domain/order";
import { settled, startFlow, type Flow } from "./flow-support";

let flow: Flow;

beforeAll(async () => {
  flow = await startFlow("order_contention");
}, 90_000);

afterAll(async () => {
  await flow?.stop();
}, 60_000);

describe("contention", () => {
  test("when 200 orders compete for 50 units at once, then exactly 50 are confirmed, the rest rejected, stock never negative", async () => {
    await flow.stockProduct("HOT-1", 50);
    const customers = await Promise.all(Array.from({ length: 20 }, (_, i) => flow.customer(`buyer-${i}`)));
    const placed: Order[] = await Promise.all(
      Array.from({ length: 200 }, (_, i) => flow.placeOrder(customers[i % customers.length]!, [{ sku: "HOT-1", quantity: 1 }])),
    );
    expect(new Set(placed.map((o) => o.id)).size).toBe(200);

    const final = await settled(
      flow,
      placed.map((o) => o.id),
      90_000,
    );
    const byStatus = Object.groupBy(final, (o) => o.status);
    expect({ confirmed: byStatus.confirmed?.length ?? 0, rejected: byStatus.rejected?.length ?? 0 }).toEqual({
      confirmed: 50,
      rejected: 150,
    });
    expect(await flow.product("HOT-1")).toEqual(expect.objectContaining({ onHand: 50, reserved: 50, available: 0 }));

    // The inventory side agrees order by order: a reservation exists exactly for the confirmed orders.
    const rows = await flow.stock.db.execute<{ order_id: string }>(sql`select order_id from reservations where status = 'reserved'`);
    expect(new Set([...rows].map((r) => r.order_id))).toEqual(new Set(byStatus.confirmed!.map((o) => o.id)));
    const [negative] = await flow.stock.db.execute<{ n: number }>(
      sql`select count(*)::int as n from products where reserved < 0 or on_hand < reserved`,
    );
    expect(negative?.n).toBe(0);
  }, 180_000);
});
