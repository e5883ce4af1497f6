/**
 * One contract, every adapter: the same suite runs against PostgreSQL (always) and SQL Server (when MSSQL_URL
 * points at a server; otherwise the SQL Server suite is reported as skipped, never as passed).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import mssql from "mssql";
import { createTestDatabase, uniqueName } from "@meridian/kit/testing";
import type { OrderRecord } from "../src/domain/order";
import { MsSqlOrdersStore } from "../src/store/mssql";
import { PostgresOrdersStore } from "../src/store/postgres";
import type { NewOrder, OrdersStore, OutboxEvent, StatusChange } from "../src/store/types";

interface AdapterUnderTest {
  store: OrdersStore;
  /** The database's URL, for more stores on it (replicas). */
  url?: string;
  cleanup(): Promise<void>;
}

async function postgresAdapter(): Promise<AdapterUnderTest> {
  const db = await createTestDatabase("orders_contract");
  const store = new PostgresOrdersStore(db.url, { max: 10 });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await db.drop();
    },
  };
}

/** A fresh database on the SQL Server named by MSSQL_URL. */
async function mssqlAdapter(): Promise<AdapterUnderTest> {
  const serverUrl = new URL(process.env.MSSQL_URL!);
  const name = uniqueName("orders_contract");
  const admin = await new mssql.ConnectionPool(process.env.MSSQL_URL!).connect();
  await admin.request().batch(`create database [${name}]`);
  serverUrl.pathname = `/${name}`;
  const store = new MsSqlOrdersStore(serverUrl.toString());
  return {
    store,
    url: serverUrl.toString(),
    cleanup: async () => {
      await store.close();
      await admin.request().batch(`alter database [${name}] set single_user with rollback immediate; drop database [${name}]`);
      await admin.close();
    },
  };
}

const created = (order: OrderRecord): OutboxEvent => ({
  type: "orders.order-created.v1",
  aggregateId: order.id,
  body: {
    orderId: order.id,
    customerId: order.customerId,
    lines: order.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.unitPriceCents / 100 })),
    total: order.totalCents / 100,
    createdAt: order.createdAt.toISOString(),
  },
});

function newOrder(customerId: string, overrides: Partial<NewOrder> = {}): NewOrder {
  return {
    id: crypto.randomUUID(),
    customerId,
    customerName: `${customerId} Ünlü`,
    customerEmail: `${customerId}@example.test`,
    idempotencyKey: crypto.randomUUID(),
    requestHash: "hash",
    lines: [
      { sku: "SKU-1", name: "Hand burr grinder", quantity: 2, unitPriceCents: 1250 },
      { sku: "SKU-2", name: "Crème filters", quantity: 1, unitPriceCents: 99 },
    ],
    totalCents: 2599,
    createdAt: new Date(),
    ...overrides,
  };
}

function change(from: StatusChange["from"], to: StatusChange["to"], extra: Partial<StatusChange> = {}): StatusChange {
  return {
    from,
    to,
    at: new Date(),
    event: (o) => ({ type: "orders.order-confirmed.v1", aggregateId: o.id, body: { orderId: o.id, customerId: o.customerId } }),
    ...extra,
  };
}

/** An inventory.product-upserted.v1 envelope as the consumer receives it, with a fresh messageId. */
function productUpserted(body: { sku: string; name: string; price: number }) {
  return {
    messageId: crypto.randomUUID(),
    type: "inventory.product-upserted.v1" as const,
    occurredAt: new Date().toISOString(),
    correlationId: "c",
    causationId: "c",
    source: "inventory",
    body,
  };
}

function contract(title: string, open: () => Promise<AdapterUnderTest>) {
  describe(title, () => {
    let adapter: AdapterUnderTest;
    let store: OrdersStore;

    beforeAll(async () => {
      adapter = await open();
      store = adapter.store;
      await store.migrate();
      await store.migrate(); // a second start finds everything applied
    });
    afterAll(async () => {
      await adapter?.cleanup();
    });

    test("when an order is created, then it reads back with its lines, money in cents and status pending", async () => {
      const input = newOrder("alice");
      const result = await store.createOrder(input, created);
      expect(result.created).toBe(true);
      const read = await store.getOrder(input.id);
      expect(read).toMatchObject({
        id: input.id,
        customerId: "alice",
        customerName: "alice Ünlü",
        customerEmail: "alice@example.test",
        status: "pending",
        totalCents: 2599,
        rejectionReason: null,
        shortages: null,
      });
      expect(read?.lines).toEqual(input.lines);
      expect(Math.abs(read!.createdAt.getTime() - input.createdAt.getTime())).toBeLessThan(2);
    });

    test("when the same idempotency key is used again (also concurrently), then one order exists and it is returned", async () => {
      const key = crypto.randomUUID();
      const first = await store.createOrder(newOrder("bob", { idempotencyKey: key }), created);
      const again = await store.createOrder(newOrder("bob", { idempotencyKey: key }), created);
      expect(again).toMatchObject({ created: false, order: { id: first.order.id } });

      const raceKey = crypto.randomUUID();
      const racers = await Promise.all(
        Array.from({ length: 8 }, () => store.createOrder(newOrder("bob", { idempotencyKey: raceKey }), created)),
      );
      expect(racers.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(racers.map((r) => r.order.id)).size).toBe(1);

      const otherCustomer = await store.createOrder(newOrder("carol", { idempotencyKey: key }), created);
      expect(otherCustomer.created).toBe(true);
    });

    test("when an unknown id is read, then there is no order", async () => {
      expect(await store.getOrder(crypto.randomUUID())).toBeUndefined();
    });

    test("when orders are listed, then they come newest first, paged, and filtered by customer, status and dates", async () => {
      const customer = uniqueName("lister");
      const base = Date.now() - 60_000;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const order = newOrder(customer, { createdAt: new Date(base + i * 1000) });
        ids.push(order.id);
        await store.createOrder(order, created);
      }
      const page1 = await store.listOrders({ customerId: customer }, 1, 2);
      expect(page1.total).toBe(5);
      expect(page1.items.map((o) => o.id)).toEqual([ids[4]!, ids[3]!]);
      const page3 = await store.listOrders({ customerId: customer }, 3, 2);
      expect(page3.items.map((o) => o.id)).toEqual([ids[0]!]);
      expect(page3.items[0]?.lines).toHaveLength(2);

      await store.transaction((tx) => tx.transition(ids[1]!, change(["pending"], "confirmed")));
      const confirmed = await store.listOrders({ customerId: customer, status: "confirmed" }, 1, 20);
      expect(confirmed.items.map((o) => o.id)).toEqual([ids[1]!]);

      const window = await store.listOrders({ customerId: customer, from: new Date(base + 1000), to: new Date(base + 3000) }, 1, 20);
      expect(window.items.map((o) => o.id)).toEqual([ids[3]!, ids[2]!, ids[1]!]);
    });

    test("when orders are searched by q, then name, email or id match, ignoring case, with wildcards taken literally", async () => {
      const customer = uniqueName("searcher");
      const named = newOrder(customer, { customerName: "Grace O'Hopper", customerEmail: "grace_h@navy.test" });
      const nameless = newOrder(customer, { customerName: "", customerEmail: null });
      await store.createOrder(named, created);
      await store.createOrder(nameless, created);
      const ids = async (q: string) => (await store.listOrders({ customerId: customer, q }, 1, 20)).items.map((o) => o.id);
      expect(await ids("grace o'HOP")).toEqual([named.id]);
      expect(await ids("H@NAVY")).toEqual([named.id]);
      expect((await ids(customer.slice(0, 12))).sort()).toEqual([named.id, nameless.id].sort());
      expect(await ids("%")).toEqual([]);
      expect(await ids("e_h")).toEqual([named.id]);
      expect(await ids("c_h")).toEqual([]);
      expect((await store.listOrders({ q: "grace o'hopper" }, 1, 20)).items.map((o) => o.id)).toEqual([named.id]);
    });

    test("when a rejection carries shortages, then they read back with the product names", async () => {
      const order = newOrder("shorty");
      await store.createOrder(order, created);
      const shortages = [{ sku: "SKU-1", name: "Hand burr grinder", requested: 2, available: 1 }];
      await store.transaction((tx) =>
        tx.transition(order.id, change(["pending"], "rejected", { rejectionReason: "insufficient stock", shortages })),
      );
      expect(await store.getOrder(order.id)).toMatchObject({ status: "rejected", shortages });
    });

    test("when stats are asked for a window, then orders and totals come per hour and status, and nothing outside it", async () => {
      const hour = Date.UTC(2001, 0, 2, 10); // a window no other test writes into
      const at = (h: number, minute: number) => new Date(hour + h * 3_600_000 + minute * 60_000);
      const placed = [at(0, 5), at(0, 50), at(1, 0), at(2, 59), at(3, 0)].map((createdAt) => newOrder(uniqueName("stats"), { createdAt }));
      for (const order of placed) await store.createOrder(order, created);
      await store.transaction((tx) => tx.transition(placed[0]!.id, change(["pending"], "confirmed")));
      await store.transaction((tx) => tx.transition(placed[2]!.id, change(["pending"], "rejected", { rejectionReason: "x" })));
      const rows = await store.orderStats(new Date(hour), new Date(hour + 3 * 3_600_000));
      const sorted = rows
        .map((r) => ({ ...r, hour: r.hour.toISOString() }))
        .sort((a, b) => a.hour.localeCompare(b.hour) || a.status.localeCompare(b.status));
      expect(sorted).toEqual([
        { hour: "2001-01-02T10:00:00.000Z", status: "confirmed", orders: 1, totalCents: 2599 },
        { hour: "2001-01-02T10:00:00.000Z", status: "pending", orders: 1, totalCents: 2599 },
        { hour: "2001-01-02T11:00:00.000Z", status: "rejected", orders: 1, totalCents: 2599 },
        { hour: "2001-01-02T12:00:00.000Z", status: "pending", orders: 1, totalCents: 2599 },
      ]);
    });

    test("when a status change is allowed, then it applies; when not, nothing changes; when the id is unknown, not-found", async () => {
      const order = newOrder("dave");
      await store.createOrder(order, created);
      const rejected = await store.transaction((tx) =>
        tx.transition(order.id, change(["pending"], "rejected", { rejectionReason: "insufficient stock for SKU-1" })),
      );
      expect(rejected).toMatchObject({
        outcome: "changed",
        order: { status: "rejected", rejectionReason: "insufficient stock for SKU-1" },
      });
      const illegal = await store.transaction((tx) => tx.transition(order.id, change(["pending"], "confirmed")));
      expect(illegal).toMatchObject({ outcome: "illegal", order: { status: "rejected" } });
      expect(await store.transaction((tx) => tx.transition(crypto.randomUUID(), change(["pending"], "confirmed")))).toEqual({
        outcome: "not-found",
      });
    });

    test("when confirm and reject race for one pending order, then exactly one wins", async () => {
      const order = newOrder("erin");
      await store.createOrder(order, created);
      const results = await Promise.all([
        store.transaction((tx) => tx.transition(order.id, change(["pending"], "confirmed"))),
        store.transaction((tx) => tx.transition(order.id, change(["pending"], "rejected", { rejectionReason: "x" }))),
      ]);
      const winners = results.filter((r) => r.outcome === "changed");
      expect(winners).toHaveLength(1);
      expect((await store.getOrder(order.id))?.status).toBe((winners[0] as { order: OrderRecord }).order.status);
    });

    test("when a message is handled twice, then its effect happens once", async () => {
      const envelope = productUpserted({ sku: "INBOX-1", name: "Inboxed", price: 5 });
      let runs = 0;
      const first = await store.handleOnce(envelope, "orders-test", async (tx) => {
        runs += 1;
        await tx.upsertCatalogueProduct({ sku: "INBOX-1", name: "Inboxed", priceCents: 500 }, new Date(envelope.occurredAt));
      });
      const second = await store.handleOnce(envelope, "orders-test", async () => {
        runs += 1;
      });
      expect({ first, second, runs }).toEqual({ first: true, second: false, runs: 1 });
      expect((await store.findCatalogueProducts(["INBOX-1"])).get("INBOX-1")).toEqual({ sku: "INBOX-1", name: "Inboxed", priceCents: 500 });
    });

    test("when a failing effect throws, then neither the effect nor the inbox record is kept", async () => {
      const envelope = productUpserted({ sku: "ROLLBACK-1", name: "Rolled back", price: 1 });
      const failing = store.handleOnce(envelope, "orders-test", async (tx) => {
        await tx.upsertCatalogueProduct({ sku: "ROLLBACK-1", name: "Rolled back", priceCents: 100 }, new Date());
        throw new Error("boom");
      });
      await expect(failing).rejects.toThrow("boom");
      expect((await store.findCatalogueProducts(["ROLLBACK-1"])).size).toBe(0);
      expect(await store.handleOnce(envelope, "orders-test", async () => {})).toBe(true);
    });

    test("when catalogue updates arrive out of order, then the newest price wins", async () => {
      const newer = new Date();
      const older = new Date(newer.getTime() - 60_000);
      await store.transaction((tx) => tx.upsertCatalogueProduct({ sku: "PRICE-1", name: "New", priceCents: 300 }, newer));
      await store.transaction((tx) => tx.upsertCatalogueProduct({ sku: "PRICE-1", name: "Old", priceCents: 100 }, older));
      const found = await store.findCatalogueProducts(["PRICE-1", "PRICE-MISSING"]);
      expect([...found.values()]).toEqual([{ sku: "PRICE-1", name: "New", priceCents: 300 }]);
    });

    test("when readiness is checked, then the store's checks pass", async () => {
      for (const check of store.healthChecks) await check.check();
      expect(store.healthChecks.length).toBeGreaterThan(0);
    });
  });
}

contract("orders store contract: PostgreSQL adapter", postgresAdapter);

describe.skipIf(!process.env.MSSQL_URL)("orders store contract: SQL Server adapter (skipped: MSSQL_URL not set)", () => {
  contract("SQL Server adapter", mssqlAdapter);

  test("when three replicas migrate a fresh database at once, then each start succeeds and the schema is applied once", async () => {
    const first = await mssqlAdapter();
    const replicas = [first.store, ...[1, 2].map(() => new MsSqlOrdersStore(first.url!))];
    try {
      await Promise.all(replicas.map((s) => s.migrate()));
      const order = await first.store.createOrder(newOrder("race"), created);
      expect(order.created).toBe(true);
    } finally {
      await Promise.all(replicas.slice(1).map((s) => s.close()));
      await first.cleanup();
    }
  });
});
