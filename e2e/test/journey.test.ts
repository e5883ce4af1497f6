/**
 * The platform end to end, as its users reach it: every call goes through the gateway and the repository's
 * own route table (gateway/ocelot.json), with Keycloak-shaped tokens, to the services running as processes
 * on real PostgreSQL, Redis and RabbitMQ.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { startTestIssuer, waitFor, type TestIssuer } from "@meridian/kit/testing";
import { startPlatform, type Platform } from "@meridian/platform";

setDefaultTimeout(120_000);

let issuer: TestIssuer;
let platform: Platform;
let adminToken: string;
let aliceToken: string;
let bobToken: string;
const alice = `alice-${randomUUID()}`;
const bob = `bob-${randomUUID()}`;
const SKU = "JOURNEY-LAMP";

interface Order {
  id: string;
  customerId: string;
  status: string;
  total: number;
  lines: Array<{ sku: string; quantity: number; unitPrice: number }>;
  rejectionReason?: string;
  shortages?: Array<{ sku: string; name: string; requested: number; available: number }>;
}
interface Product {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
  price: number;
}

async function call(method: string, path: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${platform.gatewayUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", body: text ? JSON.parse(text) : undefined };
}

const placeOrder = (token: string, key: string, quantity: number) =>
  call("POST", "/orders", token, { lines: [{ sku: SKU, quantity }] }, { "idempotency-key": key });

async function orderWhenFinal(id: string, token: string): Promise<Order> {
  return waitFor(
    async () => {
      const { status, body } = await call("GET", `/orders/${id}`, token);
      return status === 200 && body.status !== "pending" ? (body as Order) : undefined;
    },
    { timeoutMs: 20_000, what: `order ${id} to leave pending` },
  );
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  platform = await startPlatform({ issuer: issuer.issuer, env: { LOG_LEVEL: "warn" } });
  const all = ["orders.read", "orders.write", "inventory.read", "inventory.write", "notifications.read", "audit.read"];
  adminToken = await issuer.token({ sub: `ada-${randomUUID()}`, scopes: all, roles: ["admin"], expiresInSec: 900 });
  const customerScopes = ["orders.read", "orders.write", "inventory.read", "notifications.read"];
  aliceToken = await issuer.token({
    sub: alice,
    scopes: customerScopes,
    roles: ["customer"],
    expiresInSec: 900,
    claims: { name: "Alice Liddell", email: "alice@example.test" },
  });
  bobToken = await issuer.token({ sub: bob, scopes: customerScopes, roles: ["customer"], expiresInSec: 900 });

  const created = await call("PUT", `/inventory/products/${SKU}`, adminToken, { name: "Journey lamp", price: 25 });
  expect([200, 201]).toContain(created.status);
  const adjusted = await call("POST", `/inventory/products/${SKU}/adjustments`, adminToken, { delta: 10, reason: "initial stock" });
  expect(adjusted.status).toBe(200);
  // Orders learns prices from inventory.product-upserted.v1: wait until its catalogue has the product
  // (bob's probe order is cancelled again, so alice's tests start from 10 available).
  await waitFor(
    async () => {
      const { status, body } = await call(
        "POST",
        "/orders",
        bobToken,
        { lines: [{ sku: SKU, quantity: 1 }] },
        { "idempotency-key": `probe-${randomUUID()}` },
      );
      if (status === 201) await orderWhenFinal((body as Order).id, bobToken).then((o) => call("POST", `/orders/${o.id}/cancel`, bobToken));
      return status === 201 ? true : undefined;
    },
    { timeoutMs: 20_000, what: "orders' catalogue to learn the product" },
  );
  await waitFor(async () => ((await call("GET", `/inventory/products/${SKU}`, adminToken)).body as Product).reserved === 0 || undefined, {
    what: "the probe's reservation to be released",
  });
});

afterAll(async () => {
  await platform?.stop();
  await issuer?.stop();
});

describe("a customer's order through the gateway", () => {
  let orderId: string;

  test("when alice orders available stock twice with one idempotency key, then one order is confirmed and stock is reserved", async () => {
    const before = (await call("GET", `/inventory/products/${SKU}`, aliceToken)).body as Product;
    const key = `journey-${randomUUID()}`;
    const first = await placeOrder(aliceToken, key, 2);
    expect(first.status).toBe(201);
    const again = await placeOrder(aliceToken, key, 2);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    orderId = first.body.id;
    expect(first.body).toMatchObject({
      customerId: alice,
      customerName: "Alice Liddell",
      customerEmail: "alice@example.test",
      status: "pending",
      total: 50,
    });
    expect(first.body.lines).toEqual([{ sku: SKU, name: "Journey lamp", quantity: 2, unitPrice: 25 }]);

    const order = await orderWhenFinal(orderId, aliceToken);
    expect(order.status).toBe("confirmed");
    const after = (await call("GET", `/inventory/products/${SKU}`, aliceToken)).body as Product;
    expect(after.reserved).toBe(before.reserved + 2);
    expect(after.available).toBe(before.available - 2);
  });

  test("when the order is confirmed, then alice has an unread notification and bob sees nothing of hers", async () => {
    const unread = await waitFor(
      async () => {
        const { body } = await call("GET", "/notifications/unread-count", aliceToken);
        return body?.unread >= 1 ? body.unread : undefined;
      },
      { what: "alice's confirmation notification" },
    );
    expect(unread).toBe(1);
    const list = await call("GET", "/notifications", aliceToken);
    expect(list.body.items[0]).toMatchObject({ kind: "order-confirmed", orderId, read: false });
    expect((await call("GET", `/orders/${orderId}`, bobToken)).status).toBe(404);
  });

  test("when an admin ships it, then alice sees it shipped and audit holds its history in order", async () => {
    const shipped = await call("POST", `/orders/${orderId}/ship`, adminToken);
    expect(shipped.status).toBe(200);
    expect(shipped.body.status).toBe("shipped");
    expect((await call("GET", `/orders/${orderId}`, aliceToken)).body.status).toBe("shipped");
    await waitFor(
      async () => {
        const { body } = await call("GET", "/notifications", aliceToken);
        return body.items.some((n: { kind: string }) => n.kind === "order-shipped") || undefined;
      },
      { what: "alice's shipped notification" },
    );

    const history = await waitFor(
      async () => {
        const { body } = await call("GET", `/audit/events?streamId=order-${orderId}&pageSize=50`, adminToken);
        const types = (body?.items ?? []).map((e: { type: string }) => e.type);
        return types.includes("orders.order-shipped.v1") ? types : undefined;
      },
      { what: "the order's audit stream to include the shipment" },
    );
    expect(history).toEqual([
      "orders.order-created.v1",
      "inventory.stock-reserved.v1",
      "orders.order-confirmed.v1",
      "orders.order-shipped.v1",
    ]);
  });

  test("when a shipped order is cancelled, then the gateway passes on the service's 409 problem", async () => {
    const res = await call("POST", `/orders/${orderId}/cancel`, aliceToken);
    expect(res.status).toBe(409);
    expect(res.contentType).toContain("application/problem+json");
  });

  test("when alice orders more than is available, then the order is rejected and stock is unchanged", async () => {
    const before = (await call("GET", `/inventory/products/${SKU}`, aliceToken)).body as Product;
    const placed = await placeOrder(aliceToken, `journey-${randomUUID()}`, 500);
    expect(placed.status).toBe(201);
    const order = await orderWhenFinal(placed.body.id, aliceToken);
    expect(order.status).toBe("rejected");
    expect(order.shortages).toEqual([{ sku: SKU, name: "Journey lamp", requested: 500, available: before.available }]);
    const after = (await call("GET", `/inventory/products/${SKU}`, aliceToken)).body as Product;
    expect(after).toMatchObject({ onHand: before.onHand, reserved: before.reserved });
  });
});

describe("the admin dashboard through the gateway", () => {
  test("when an admin reads today's order stats, then alice's orders are counted by status; a customer gets 403", async () => {
    const stats = await call("GET", "/orders/stats", adminToken);
    expect(stats.status).toBe(200);
    expect(stats.body.orders).toBeGreaterThanOrEqual(2);
    expect(stats.body.shipped).toBeGreaterThanOrEqual(1);
    expect(stats.body.rejected).toBeGreaterThanOrEqual(1);
    expect(stats.body.revenue).toBeGreaterThanOrEqual(50);
    expect(stats.body.perHour).toHaveLength(24);
    const found = await call("GET", `/orders?q=${encodeURIComponent("alice liddell")}`, adminToken);
    expect(found.body.items.every((o: Order) => o.customerId === alice)).toBe(true);
    expect(found.body.total).toBeGreaterThanOrEqual(2);
    expect((await call("GET", "/orders/stats", aliceToken)).status).toBe(403);
  });
});

describe("the gateway's security on the platform's own route table", () => {
  test("when no token is sent, then 401 problem+json", async () => {
    const res = await call("GET", "/orders/mine", undefined);
    expect(res.status).toBe(401);
    expect(res.contentType).toContain("application/problem+json");
  });

  test("when an anonymous shopper browses the catalogue, then list, facets and item answer without stock counts, and nothing else opens", async () => {
    const list = await call("GET", "/catalogue?q=Journey%20lamp", undefined);
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { sku: string }) => i.sku)).toContain(SKU);
    const item = await call("GET", `/catalogue/items/${SKU}`, undefined);
    expect(item.status).toBe(200);
    expect(item.body).toMatchObject({ sku: SKU, name: "Journey lamp", price: 25 });
    expect(["in-stock", "low-stock", "out-of-stock"]).toContain(item.body.availability);
    for (const hidden of ["onHand", "reserved", "available"]) expect(item.body).not.toHaveProperty(hidden);
    expect((await call("GET", "/catalogue/facets", undefined)).status).toBe(200);
    expect((await call("PUT", `/catalogue/items/${SKU}`, undefined, { name: "x", price: 1 })).status).not.toBeLessThan(400);
    expect((await call("GET", `/inventory/products/${SKU}`, undefined)).status).toBe(401);
  });

  test("when a customer adjusts stock or reads audit, then 403", async () => {
    expect((await call("POST", `/inventory/products/${SKU}/adjustments`, aliceToken, { delta: 5, reason: "x" })).status).toBe(403);
    expect((await call("GET", "/audit/events", aliceToken)).status).toBe(403);
  });

  test("when a token lacks the write scope, then placing an order is 403", async () => {
    const readOnly = await issuer.token({ sub: alice, scopes: ["orders.read"], roles: ["customer"] });
    expect((await placeOrder(readOnly, `journey-${randomUUID()}`, 1)).status).toBe(403);
  });

  test("when a body breaks the schema, then the service's 400 names the field through the gateway", async () => {
    const res = await call(
      "POST",
      "/orders",
      aliceToken,
      { lines: [{ sku: SKU, quantity: "two" }] },
      { "idempotency-key": `journey-${randomUUID()}` },
    );
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).join(" ")).toContain("quantity");
  });
});
