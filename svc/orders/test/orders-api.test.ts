import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { createTokenVerifier } from "@meridian/kit/auth";
import { createOrderMetrics } from "../src/domain/metrics";
import type { Order } from "../src/domain/order";
import { OrderService } from "../src/domain/order-service";
import { orderRoutes } from "../src/routes";
import type { PostgresOrdersStore } from "../src/store/postgres";
import { bearerCaller, type Call } from "@meridian/kit/testing";
import { customerToken, startOrdersHarness, type OrdersHarness } from "./support";

interface PageOf<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}
interface Problem {
  status: number;
  type: string;
  errors?: { field: string; message: string }[];
}

let h: OrdersHarness;
let alice: Call;
let bob: Call;

beforeAll(async () => {
  h = await startOrdersHarness({ prefix: "orders_api" });
  alice = bearerCaller(h.url, await customerToken(h.issuer, "alice"));
  bob = bearerCaller(h.url, await customerToken(h.issuer, "bob"));
  // Catalogue read model, as inventory.product-upserted.v1 would fill it.
  await h.orders.store.transaction(async (tx) => {
    await tx.upsertCatalogueProduct({ sku: "PEN-1", name: "Pen", priceCents: 250 }, new Date());
    await tx.upsertCatalogueProduct({ sku: "BOOK-1", name: "Book", priceCents: 1999 }, new Date());
  });
});

afterAll(async () => {
  await h?.stop();
});

const key = () => `key-${crypto.randomUUID()}`;
const place = (call: Call, lines: unknown, idempotencyKey = key()) =>
  call("POST", "/api/orders", { body: { lines }, headers: { "idempotency-key": idempotencyKey } });

async function outboxTypes(): Promise<string[]> {
  const rows = await (h.orders.store as PostgresOrdersStore).db.execute<{ type: string }>(
    sql`select type from messaging_outbox order by id`,
  );
  return [...rows].map((r) => r.type);
}

describe("orders API", () => {
  test("when a customer places an order, then 201 with catalogue prices, total, status pending and OrderCreated written", async () => {
    const res = await place(alice, [
      { sku: "PEN-1", quantity: 3 },
      { sku: "BOOK-1", quantity: 1 },
    ]);
    expect(res.status).toBe(201);
    const order = (await res.json()) as Order;
    expect(order).toMatchObject({
      customerId: "alice",
      status: "pending",
      customerName: "test-user",
      customerEmail: null,
      lines: [
        { sku: "PEN-1", name: "Pen", quantity: 3, unitPrice: 2.5 },
        { sku: "BOOK-1", name: "Book", quantity: 1, unitPrice: 19.99 },
      ],
      total: 27.49,
    });
    expect(await outboxTypes()).toContain("orders.order-created.v1");
  });

  test("when a POST is retried with the same Idempotency-Key, then the same order answers 200 and no second order exists", async () => {
    const idempotencyKey = key();
    const first = await place(alice, [{ sku: "PEN-1", quantity: 1 }], idempotencyKey);
    const retries = await Promise.all([1, 2, 3].map(() => place(alice, [{ sku: "PEN-1", quantity: 1 }], idempotencyKey)));
    const firstOrder = (await first.json()) as Order;
    expect(first.status).toBe(201);
    for (const retry of retries) {
      expect(retry.status).toBe(200);
      expect(((await retry.json()) as Order).id).toBe(firstOrder.id);
    }
    const reused = await place(alice, [{ sku: "PEN-1", quantity: 2 }], idempotencyKey);
    expect(reused.status).toBe(422);
    const bobs = await place(bob, [{ sku: "PEN-1", quantity: 1 }], idempotencyKey);
    expect(bobs.status).toBe(201);
  });

  test("when the order input is invalid, then 400 problem+json names each failed field", async () => {
    const cases: [unknown, Record<string, string>, string][] = [
      [{ lines: [{ sku: "PEN-1", quantity: 1 }] }, {}, "idempotency-key"],
      [{ lines: [{ sku: "PEN-1", quantity: 1 }] }, { "idempotency-key": "short" }, "idempotency-key"],
      [{ lines: [] }, { "idempotency-key": key() }, "lines"],
      [{ lines: [{ sku: "PEN-1", quantity: 0 }] }, { "idempotency-key": key() }, "lines[0].quantity"],
      [{ lines: [{ sku: "PEN-1", quantity: 1001 }] }, { "idempotency-key": key() }, "lines[0].quantity"],
      [{ lines: [{ sku: "pen 1", quantity: 1 }] }, { "idempotency-key": key() }, "lines[0].sku"],
      [
        {
          lines: [
            { sku: "PEN-1", quantity: 1 },
            { sku: "NOPE-1", quantity: 1 },
          ],
        },
        { "idempotency-key": key() },
        "lines[1].sku",
      ],
      [
        {
          lines: [
            { sku: "PEN-1", quantity: 1 },
            { sku: "PEN-1", quantity: 2 },
          ],
        },
        { "idempotency-key": key() },
        "lines[1].sku",
      ],
      [{ lines: Array.from({ length: 51 }, (_, i) => ({ sku: `SKU-${i + 100}`, quantity: 1 })) }, { "idempotency-key": key() }, "lines"],
      [{}, { "idempotency-key": key() }, "lines"],
    ];
    for (const [body, headers, field] of cases) {
      const res = await alice("POST", "/api/orders", { body, headers });
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      const problem = (await res.json()) as Problem;
      expect(problem.errors?.map((e) => e.field).join(" ")).toContain(field);
    }
  });

  test("when an order is read, then the owner and admins see it, others and unknown ids get 404, bad ids 400", async () => {
    const order = (await (await place(alice, [{ sku: "BOOK-1", quantity: 2 }])).json()) as Order;
    expect((await alice("GET", `/api/orders/${order.id}`)).status).toBe(200);
    expect((await h.call("GET", `/api/orders/${order.id}`)).status).toBe(200);
    expect((await bob("GET", `/api/orders/${order.id}`)).status).toBe(404);
    const unknown = await alice("GET", `/api/orders/${crypto.randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("application/problem+json");
    const bad = await alice("GET", "/api/orders/not-a-uuid");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Problem).errors?.[0]?.field).toContain("id");
  });

  test("when a customer lists their orders, then only theirs come back, newest first, paged", async () => {
    const carol = bearerCaller(h.url, await customerToken(h.issuer, "carol"));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(((await (await place(carol, [{ sku: "PEN-1", quantity: i + 1 }])).json()) as Order).id);
    const page1 = (await (await carol("GET", "/api/orders/mine?pageSize=2")).json()) as PageOf<Order>;
    expect(page1).toMatchObject({ page: 1, pageSize: 2, total: 3 });
    expect(page1.items.map((o) => o.id)).toEqual([ids[2]!, ids[1]!]);
    const page2 = (await (await carol("GET", "/api/orders/mine?page=2&pageSize=2")).json()) as PageOf<Order>;
    expect(page2.items.map((o) => o.id)).toEqual([ids[0]!]);
    const bad = await carol("GET", "/api/orders/mine?pageSize=0");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Problem).errors?.[0]?.field).toContain("pageSize");
  });

  test("when an admin searches orders, then status, customer and date filters apply; customers get 403", async () => {
    const dave = bearerCaller(h.url, await customerToken(h.issuer, "dave"));
    const order = (await (await place(dave, [{ sku: "PEN-1", quantity: 1 }])).json()) as Order;
    await dave("POST", `/api/orders/${order.id}/cancel`);
    const from = new Date(Date.parse(order.createdAt) - 1000).toISOString();
    const res = await h.call("GET", `/api/orders?status=cancelled&customerId=dave&from=${from}`);
    expect(res.status).toBe(200);
    const found = (await res.json()) as PageOf<Order>;
    expect(found.items.map((o) => o.id)).toEqual([order.id]);
    const before = (await (await h.call("GET", `/api/orders?customerId=dave&to=${from}`)).json()) as PageOf<Order>;
    expect(before.total).toBe(0);

    expect((await dave("GET", "/api/orders")).status).toBe(403);
    for (const [query, field] of [
      ["status=lost", "status"],
      ["from=yesterday", "from"],
      ["to=2020-13-45", "to"],
      ["page=x", "page"],
    ]) {
      const bad = await h.call("GET", `/api/orders?${query}`);
      expect({ query, status: bad.status }).toEqual({ query, status: 400 });
      expect(((await bad.json()) as Problem).errors?.map((e) => e.field).join(" ")).toContain(field!);
    }
  });

  test("when the token names the customer, then the order records name and email, and admins find it by either", async () => {
    const token = await h.issuer.token({
      sub: "frank-sub",
      scopes: ["orders.read", "orders.write"],
      roles: ["customer"],
      claims: { name: "Frank Ödegaard", email: "frank.o@example.test" },
    });
    const order = (await (await place(bearerCaller(h.url, token), [{ sku: "BOOK-1", quantity: 1 }])).json()) as Order;
    expect(order).toMatchObject({ customerId: "frank-sub", customerName: "Frank Ödegaard", customerEmail: "frank.o@example.test" });
    for (const q of ["frank ödegaard", "FRANK.O@EXAMPLE", "frank-sub"]) {
      const found = (await (await h.call("GET", `/api/orders?q=${encodeURIComponent(q)}`)).json()) as PageOf<Order>;
      expect({ q, ids: found.items.map((o) => o.id) }).toEqual({ q, ids: [order.id] });
    }
    expect(((await (await h.call("GET", "/api/orders?q=nobody-like-this")).json()) as PageOf<Order>).total).toBe(0);
    expect((await h.call("GET", "/api/orders?q=")).status).toBe(400);

    const unnamed = await h.issuer.token({
      sub: "gina-sub",
      scopes: ["orders.write"],
      roles: ["customer"],
      omitClaims: ["preferred_username"],
    });
    const fallback = (await (await place(bearerCaller(h.url, unnamed), [{ sku: "PEN-1", quantity: 1 }])).json()) as Order;
    expect(fallback).toMatchObject({ customerName: "gina-sub", customerEmail: null });
  });

  test("when an admin asks for stats, then counts, revenue, rates and hours cover the orders of the window", async () => {
    const hour = 3_600_000;
    const from = new Date(Math.floor(Date.now() / hour) * hour - hour).toISOString();
    const to = new Date(Math.floor(Date.now() / hour) * hour + 2 * hour).toISOString();
    type Stats = {
      orders: number;
      pending: number;
      confirmed: number;
      cancelled: number;
      revenue: number;
      confirmationRate: number;
      rejectionRate: number;
      perHour: { hour: string; orders: number; revenue: number }[];
    };
    const stats = async () => {
      const res = await h.call("GET", `/api/orders/stats?from=${from}&to=${to}`);
      expect(res.status).toBe(200);
      return (await res.json()) as Stats;
    };
    const before = await stats();
    const erin = bearerCaller(h.url, await customerToken(h.issuer, "erin"));
    const placed: Order[] = [];
    for (const quantity of [1, 2, 3]) placed.push((await (await place(erin, [{ sku: "BOOK-1", quantity }])).json()) as Order);
    await erin("POST", `/api/orders/${placed[0]!.id}/cancel`);
    await h.orders.store.transaction((tx) =>
      tx.transition(placed[1]!.id, {
        from: ["pending"],
        to: "confirmed",
        at: new Date(),
        event: (o) => ({ type: "orders.order-confirmed.v1", aggregateId: o.id, body: { orderId: o.id, customerId: o.customerId } }),
      }),
    );
    const after = await stats();
    expect(after.orders - before.orders).toBe(3);
    expect(after.pending - before.pending).toBe(1);
    expect(after.cancelled - before.cancelled).toBe(1);
    expect(after.confirmed - before.confirmed).toBe(1);
    expect(Math.round((after.revenue - before.revenue) * 100)).toBe(3998);
    expect(after.perHour).toHaveLength(3);
    expect(after.perHour[0]!.hour).toBe(from);
    expect(after.perHour.reduce((sum, hr) => sum + hr.orders, 0)).toBe(after.orders);
    expect(after.confirmationRate).toBeCloseTo(after.confirmed / after.orders, 3);

    const today = (await (await h.call("GET", "/api/orders/stats")).json()) as Stats & { from: string; to: string };
    expect(today.perHour).toHaveLength(24);
    expect(today.from).toMatch(/T00:00:00\.000Z$/);
    expect(today.orders).toBeGreaterThanOrEqual(3);

    expect((await erin("GET", "/api/orders/stats")).status).toBe(403);
    for (const [query, field] of [
      ["from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from"],
      ["from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z", "to"],
      ["from=today", "from"],
    ]) {
      const bad = await h.call("GET", `/api/orders/stats?${query}`);
      expect({ query, status: bad.status }).toEqual({ query, status: 400 });
      expect(((await bad.json()) as Problem).errors?.map((e) => e.field).join(" ")).toContain(field!);
    }
  });

  test("when orders are cancelled and shipped, then only legal transitions happen; illegal ones answer 409 problem+json", async () => {
    const pending = (await (await place(alice, [{ sku: "PEN-1", quantity: 1 }])).json()) as Order;
    const ship = await h.call("POST", `/api/orders/${pending.id}/ship`);
    expect(ship.status).toBe(409);
    expect(ship.headers.get("content-type")).toContain("application/problem+json");
    expect((await bob("POST", `/api/orders/${pending.id}/cancel`)).status).toBe(404);
    const cancelled = await alice("POST", `/api/orders/${pending.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as Order).status).toBe("cancelled");
    const again = await alice("POST", `/api/orders/${pending.id}/cancel`);
    expect(again.status).toBe(409);
    expect(((await again.json()) as Problem).type).toContain("illegal-order-transition");
    expect(await outboxTypes()).toContain("orders.order-cancelled.v1");

    expect((await alice("POST", `/api/orders/${pending.id}/ship`)).status).toBe(403);
    expect((await h.call("POST", `/api/orders/${crypto.randomUUID()}/ship`)).status).toBe(404);
    expect((await h.call("POST", `/api/orders/${crypto.randomUUID()}/cancel`)).status).toBe(404);
    expect((await h.call("POST", "/api/orders/nope/cancel")).status).toBe(400);
    expect((await h.call("POST", "/api/orders/nope/ship")).status).toBe(400);
  });

  test("when a caller has no token or lacks the scope, then 401/403", async () => {
    expect((await alice("GET", "/api/orders/mine", { token: null })).status).toBe(401);
    const readOnly = await h.issuer.token({ sub: "alice", scopes: ["orders.read"], roles: ["customer"] });
    expect((await place(bearerCaller(h.url, readOnly), [{ sku: "PEN-1", quantity: 1 }])).status).toBe(403);
    const noScopes = await h.issuer.token({ sub: "alice", scopes: [], roles: ["customer"] });
    expect((await alice("GET", "/api/orders/mine", { token: noScopes })).status).toBe(403);
  });

  test("when /openapi/json is read, then every orders route is documented", async () => {
    const doc = (await (await fetch(`${h.url}/openapi/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    // Every route the plugin registers, read from Elysia itself (a new route cannot slip past this test).
    const plugin = orderRoutes({
      service: new OrderService(h.orders.store, createOrderMetrics()),
      verifier: createTokenVerifier({ issuer: h.issuer.issuer }),
    });
    const registered = plugin.routes.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    expect(registered).toHaveLength(7);
    for (const route of registered) expect(documented).toContain(route);
    expect(registered).toContain("POST /api/orders");
    expect(registered).toContain("POST /api/orders/{id}/ship");
  });

  test("when readiness is asked, then postgres, rabbitmq, the outbox relay and the consumer are up", async () => {
    const report = (await (await fetch(`${h.url}/health/ready`)).json()) as { status: string; checks: { name: string }[] };
    expect(report.status).toBe("up");
    expect(report.checks.map((c) => c.name.replace(/^consumer:.*/, "consumer")).sort()).toEqual([
      "consumer",
      "outbox-relay",
      "postgres",
      "rabbitmq",
    ]);
  });
});
