import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "@meridian/kit/testing";
import {
  InventoryStore,
  migrateInventoryDatabase,
  openInventoryDatabase,
  releaseStock,
  reserveStock,
  type InventoryDatabase,
  type ReserveOutcome,
} from "../src/store";
import { products } from "../src/store/schema";

let testDb: TestDatabase;
let database: InventoryDatabase;
let store: InventoryStore;

beforeAll(async () => {
  testDb = await createTestDatabase("inventory_reservations");
  database = openInventoryDatabase(testDb.url, { max: 20 });
  await migrateInventoryDatabase(database);
  store = new InventoryStore(database.db);
});

afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

async function stock(sku: string, name: string, onHand: number): Promise<void> {
  await store.upsertProduct(sku, { name, price: 1 });
  if (onHand > 0) await store.adjustStock(sku, onHand, "initial stock", "test");
}

async function productRow(sku: string) {
  const [row] = await database.db.select().from(products).where(eq(products.sku, sku));
  return row!;
}

const reserve = (orderId: string, lines: { sku: string; quantity: number }[]) =>
  database.db.transaction((tx) => reserveStock(tx, orderId, lines));
const release = (orderId: string) => database.db.transaction((tx) => releaseStock(tx, orderId));

describe("reservations", () => {
  test("when 200 orders compete for the last 50 units at once, then exactly 50 are reserved and stock never goes negative", async () => {
    await stock("RACE-1", "Contended", 50);
    const outcomes: ReserveOutcome[] = await Promise.all(
      Array.from({ length: 200 }, () => reserve(crypto.randomUUID(), [{ sku: "RACE-1", quantity: 1 }])),
    );
    const reserved = outcomes.filter((o) => o.outcome === "reserved").length;
    const rejected = outcomes.filter((o) => o.outcome === "rejected").length;
    expect({ reserved, rejected }).toEqual({ reserved: 50, rejected: 150 });
    const row = await productRow("RACE-1");
    expect({ onHand: row.onHand, reserved: row.reserved }).toEqual({ onHand: 50, reserved: 50 });
    const [count] = await database.db.execute<{ n: number }>(sql`select count(*)::int as n from reservations where status = 'reserved'`);
    expect(count?.n).toBe(50);
  });

  test("when one line of an order is short, then nothing of the order is reserved and the shortage is reported", async () => {
    await stock("MULTI-A", "Plenty", 10);
    await stock("MULTI-B", "Scarce", 1);
    const result = await reserve(crypto.randomUUID(), [
      { sku: "MULTI-A", quantity: 3 },
      { sku: "MULTI-B", quantity: 2 },
      { sku: "MULTI-NONE", quantity: 1 },
    ]);
    expect(result).toEqual({
      outcome: "rejected",
      shortages: [
        { sku: "MULTI-B", name: "Scarce", requested: 2, available: 1 },
        { sku: "MULTI-NONE", name: "MULTI-NONE", requested: 1, available: 0 },
      ],
    });
    expect((await productRow("MULTI-A")).reserved).toBe(0);
    expect((await productRow("MULTI-B")).reserved).toBe(0);
  });

  test("when the same order is reserved twice, then the second attempt changes nothing", async () => {
    await stock("TWICE-1", "Twice", 5);
    const orderId = crypto.randomUUID();
    expect((await reserve(orderId, [{ sku: "TWICE-1", quantity: 2 }])).outcome).toBe("reserved");
    expect(await reserve(orderId, [{ sku: "TWICE-1", quantity: 2 }])).toEqual({ outcome: "exists", status: "reserved" });
    expect((await productRow("TWICE-1")).reserved).toBe(2);
  });

  test("when a reservation is released, then the units are available again and a second release is a no-op", async () => {
    await stock("REL-1", "Releasable", 4);
    const orderId = crypto.randomUUID();
    await reserve(orderId, [{ sku: "REL-1", quantity: 3 }]);
    expect(await release(orderId)).toEqual({ outcome: "released", lines: [{ sku: "REL-1", quantity: 3 }] });
    expect(await release(orderId)).toEqual({ outcome: "already-released" });
    expect((await productRow("REL-1")).reserved).toBe(0);
    const reservation = await store.getReservation(orderId);
    expect(reservation?.status).toBe("released");
    expect(reservation?.releasedAt).toBeDefined();
  });

  test("when an order is cancelled before its reservation is attempted, then the late reservation reserves nothing", async () => {
    await stock("LATE-1", "Late", 4);
    const orderId = crypto.randomUUID();
    expect(await release(orderId)).toEqual({ outcome: "nothing-reserved" });
    expect(await reserve(orderId, [{ sku: "LATE-1", quantity: 1 }])).toEqual({ outcome: "exists", status: "released" });
    expect((await productRow("LATE-1")).reserved).toBe(0);
  });

  test("when something writes reserved above on hand directly, then the database refuses it", async () => {
    await stock("GUARD-1", "Guarded", 1);
    const write = async () => {
      await database.db.update(products).set({ reserved: 2 }).where(eq(products.sku, "GUARD-1"));
    };
    await expect(write()).rejects.toThrow();
    expect((await productRow("GUARD-1")).reserved).toBe(0);
  });

  test("when reservations are listed by order and status, then the filter applies", async () => {
    await stock("LISTR-1", "Listed", 5);
    const orderId = crypto.randomUUID();
    await reserve(orderId, [{ sku: "LISTR-1", quantity: 1 }]);
    const byOrder = await store.listReservations({ orderId }, 1, 20);
    expect(byOrder.items).toHaveLength(1);
    expect(byOrder.items[0]).toMatchObject({ orderId, status: "reserved", lines: [{ sku: "LISTR-1", quantity: 1 }] });
    const released = await store.listReservations({ orderId, status: "released" }, 1, 20);
    expect(released.total).toBe(0);
  });
});
