import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { isExpectedVersionConflictError } from "@event-driven-io/emmett";
import { pongoClient, type PongoClient } from "@event-driven-io/pongo";
import postgres from "postgres";
import { createLogger } from "@meridian/kit";
import type { AnyEnvelope } from "@meridian/kit/contracts";
import { connectBroker, type Broker } from "@meridian/kit/messaging";
import {
  createTestDatabase,
  metricValue,
  removeTopology,
  startTestIssuer,
  TEST_RABBITMQ_URL,
  uniqueName,
  waitFor,
  type TestDatabase,
  type TestIssuer,
} from "@meridian/kit/testing";
import { startAuditService, type AuditService } from "../src/app";
import { loadAuditConfig } from "../src/config";
import { DOCUMENTS_COLLECTION } from "../src/store/audit-store";

// Real brokers, databases and child processes: allow time (bounded waits inside set the real limits).
setDefaultTimeout(60_000);

const exchange = uniqueName("test.audit");
const queuePrefix = `${uniqueName("audit-test")}-`;
const consumerName = `${queuePrefix}audit`;
const logger = createLogger({ service: "audit-test", version: "test", level: process.env.TEST_LOG_LEVEL ?? "silent" });

let issuer: TestIssuer;
let db: TestDatabase;
let service: AuditService;
let orders: Broker;
let inventory: Broker;
let pongo: PongoClient;
let adminToken: string;

interface EventView {
  streamId: string;
  streamPosition: number;
  type: string;
  messageId: string;
  occurredAt: string;
  data: Record<string, unknown>;
}
interface DocumentView {
  id: string;
  entity: string;
  entityId: string;
  action: string;
  timestamp: string;
  actor: string;
  payload: Record<string, unknown>;
}
interface PageView<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

async function get<T>(path: string, token = adminToken): Promise<T> {
  const res = await fetch(`${service.url}/api/audit${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

async function post(path: string, body: unknown, token = adminToken): Promise<Response> {
  return fetch(`${service.url}/api/audit${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

const streamEvents = (streamId: string) => get<PageView<EventView>>(`/events?streamId=${streamId}&pageSize=100`);

async function waitForStream(streamId: string, count: number): Promise<PageView<EventView>> {
  return waitFor(
    async () => {
      const page = await streamEvents(streamId);
      return page.total >= count ? page : undefined;
    },
    { timeoutMs: 15_000, what: `${count} events in ${streamId}` },
  );
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  db = await createTestDatabase("audit");
  const config = loadAuditConfig({
    exit: false,
    env: {
      PORT: "0",
      DATABASE_URL: db.url,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
      OIDC_ISSUER: issuer.issuer,
      OIDC_JWKS_URL: issuer.jwksUrl,
      RABBITMQ_EXCHANGE: exchange,
      RABBITMQ_QUEUE_PREFIX: queuePrefix,
      SHUTDOWN_GRACE_MS: "2000",
    },
  });
  service = await startAuditService(config, { logger, retryDelaysMs: [100, 200, 300] });
  orders = await connectBroker({ url: TEST_RABBITMQ_URL, service: "orders", logger, exchange });
  inventory = await connectBroker({ url: TEST_RABBITMQ_URL, service: "inventory-worker", logger, exchange });
  pongo = pongoClient(db.url);
  adminToken = await issuer.token({ sub: "ada", scopes: ["openid", "audit.read"], roles: ["admin"] });
});

afterAll(async () => {
  await service?.stop();
  await orders?.close();
  await inventory?.close();
  await pongo?.close();
  await removeTopology([consumerName], exchange);
  await db?.drop();
  await issuer?.stop();
});

describe("the order stream", () => {
  const orderId = randomUUID();
  const streamId = `order-${orderId}`;
  let confirmed: AnyEnvelope;

  test("when an order is placed, stock reserved and the order confirmed, then its stream holds the three events in order", async () => {
    await orders.publish("orders.order-created.v1", {
      orderId,
      customerId: "alice",
      lines: [{ sku: "SKU-1", quantity: 2, unitPrice: 12.5 }],
      total: 25,
      createdAt: new Date().toISOString(),
    });
    await inventory.publish("inventory.stock-reserved.v1", { orderId, lines: [{ sku: "SKU-1", quantity: 2 }] });
    confirmed = (await orders.publish("orders.order-confirmed.v1", { orderId, customerId: "alice" })) as AnyEnvelope;

    const page = await waitForStream(streamId, 3);
    expect(page.items.map((e) => [e.streamPosition, e.type])).toEqual([
      [1, "orders.order-created.v1"],
      [2, "inventory.stock-reserved.v1"],
      [3, "orders.order-confirmed.v1"],
    ]);
    expect(page.items[2]).toMatchObject({ streamId, messageId: confirmed.messageId, data: { orderId, customerId: "alice" } });

    const docs = await get<PageView<DocumentView>>(`/documents/order?entityId=${orderId}`);
    expect(docs.total).toBe(3);
    // Newest first; the actor is the customer for what she did, the service for what it decided.
    const byAction = Object.fromEntries(docs.items.map((d) => [d.action, d]));
    expect(byAction["orders.order-created.v1"]).toMatchObject({ entity: "order", entityId: orderId, actor: "alice" });
    expect(byAction["inventory.stock-reserved.v1"]?.actor).toBe("service:inventory-worker");
    expect(byAction["orders.order-confirmed.v1"]).toMatchObject({
      id: confirmed.messageId,
      actor: "service:orders",
      timestamp: new Date(confirmed.occurredAt).toISOString(),
      payload: { orderId, customerId: "alice" },
    });
  });

  test("when the same event is delivered twice, then the stream keeps one entry and one document", async () => {
    const before = await metricValue(service.url, "messaging_consumed_total", {
      messaging_destination: "orders.order-confirmed.v1",
      outcome: "duplicate",
    });
    await orders.publish("orders.order-confirmed.v1", { orderId, customerId: "alice" }, { messageId: confirmed.messageId });
    await waitFor(
      async () =>
        (await metricValue(service.url, "messaging_consumed_total", {
          messaging_destination: "orders.order-confirmed.v1",
          outcome: "duplicate",
        })) > before,
      { timeoutMs: 15_000, what: "the redelivery to be handled as a duplicate" },
    );
    expect((await streamEvents(streamId)).total).toBe(3);
    expect((await get<PageView<DocumentView>>(`/documents/order?entityId=${orderId}`)).total).toBe(3);
  });

  test("when the documents are deleted and replayed, then identical documents are rebuilt from the events", async () => {
    const before = await get<PageView<DocumentView>>("/documents/order?pageSize=100");
    expect(before.total).toBeGreaterThanOrEqual(3);
    await pongo.db().collection(DOCUMENTS_COLLECTION).deleteMany({});
    expect((await get<PageView<DocumentView>>("/documents/order?pageSize=100")).total).toBe(0);

    const res = await post("/replay", {});
    expect(res.status).toBe(200);
    const { replayed } = (await res.json()) as { replayed: number };
    expect(replayed).toBe((await get<PageView<EventView>>("/events?pageSize=1")).total);
    expect(await get<PageView<DocumentView>>("/documents/order?pageSize=100")).toEqual(before);
  });

  test("when one stream is replayed, then only its documents are rebuilt and the count says how many", async () => {
    const before = await get<PageView<DocumentView>>(`/documents/order?entityId=${orderId}`);
    await pongo.db().collection(DOCUMENTS_COLLECTION).deleteMany({ entityId: orderId });
    expect((await get<PageView<DocumentView>>(`/documents/order?entityId=${orderId}`)).total).toBe(0);
    const res = await post("/replay", { streamId });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ replayed: 3 });
    expect(await get<PageView<DocumentView>>(`/documents/order?entityId=${orderId}`)).toEqual(before);
  });

  test("when an append expects an outdated stream version, then it is refused (optimistic concurrency)", async () => {
    const late: AnyEnvelope = {
      messageId: randomUUID(),
      type: "orders.order-shipped.v1",
      occurredAt: new Date().toISOString(),
      correlationId: confirmed.correlationId,
      causationId: confirmed.messageId,
      source: "orders",
      body: { orderId, customerId: "alice", shippedAt: new Date().toISOString() },
    };
    let error: unknown;
    await service.store.appendExpecting(late, 2n).catch((err: unknown) => {
      error = err;
    });
    expect(isExpectedVersionConflictError(error)).toBe(true);
    expect((await streamEvents(streamId)).total).toBe(3);
    expect(await service.store.appendExpecting(late, 3n)).toBe("appended");
    expect((await streamEvents(streamId)).items.map((e) => e.streamPosition)).toEqual([1, 2, 3, 4]);
  });

  test("when someone tries to change or remove a recorded event in the database, then it is refused (append-only)", async () => {
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      await expect(sql`update emt_messages set message_data = '{}'::jsonb where stream_id = ${streamId}`).rejects.toThrow(/append-only/);
      await expect(sql`delete from emt_messages where stream_id = ${streamId}`).rejects.toThrow(/append-only/);
    } finally {
      await sql.end();
    }
    expect((await streamEvents(streamId)).total).toBe(4);
  });
});

describe("product streams and queries", () => {
  const sku = `AUD-${randomUUID().slice(0, 8).toUpperCase()}`;

  test("when product events arrive, then they form the product's stream and documents filter by action and time", async () => {
    const inventoryApi = await connectBroker({ url: TEST_RABBITMQ_URL, service: "inventory", logger, exchange });
    try {
      const t0 = new Date(Date.now() - 60_000);
      await inventoryApi.publish("inventory.product-upserted.v1", { sku, name: "Audit widget", price: 9.99 }, { occurredAt: t0 });
      await inventoryApi.publish("inventory.inventory-adjusted.v1", { sku, delta: 10, onHand: 10, reason: "delivery", by: "ada" });
    } finally {
      await inventoryApi.close();
    }
    const page = await waitForStream(`product-${sku}`, 2);
    expect(page.items.map((e) => e.type)).toEqual(["inventory.product-upserted.v1", "inventory.inventory-adjusted.v1"]);

    const adjusted = await get<PageView<DocumentView>>(`/documents/product?entityId=${sku}&action=inventory.inventory-adjusted.v1`);
    expect(adjusted.items).toHaveLength(1);
    expect(adjusted.items[0]).toMatchObject({ entity: "product", entityId: sku, actor: "ada", payload: { delta: 10 } });

    const recent = await get<PageView<DocumentView>>(
      `/documents/product?entityId=${sku}&from=${encodeURIComponent(new Date(Date.now() - 30_000).toISOString())}`,
    );
    expect(recent.items.map((d) => d.action)).toEqual(["inventory.inventory-adjusted.v1"]);
    const byType = await get<PageView<EventView>>("/events?type=inventory.product-upserted.v1&pageSize=100");
    expect(byType.items.some((e) => e.streamId === `product-${sku}`)).toBe(true);
    expect(byType.items.every((e) => e.type === "inventory.product-upserted.v1")).toBe(true);
  });

  test("when events are paged, then pages are disjoint and total counts all of them", async () => {
    const all = await get<PageView<EventView>>("/events?pageSize=100");
    const first = await get<PageView<EventView>>("/events?page=1&pageSize=2");
    const second = await get<PageView<EventView>>("/events?page=2&pageSize=2");
    expect(first.total).toBe(all.total);
    expect([...first.items, ...second.items].map((e) => e.messageId)).toEqual(all.items.slice(0, 4).map((e) => e.messageId));
  });
});

describe("the API's guards", () => {
  test("when the caller is not an admin with audit.read, then 401 without a token and 403 otherwise", async () => {
    const noToken = await fetch(`${service.url}/api/audit/events`);
    expect(noToken.status).toBe(401);
    const customer = await issuer.token({ sub: "alice", scopes: ["audit.read"], roles: ["customer"] });
    expect((await fetch(`${service.url}/api/audit/events`, { headers: { authorization: `Bearer ${customer}` } })).status).toBe(403);
    const adminWithoutScope = await issuer.token({ sub: "ada", scopes: ["orders.read"], roles: ["admin"] });
    expect((await post("/replay", {}, adminWithoutScope)).status).toBe(403);
    expect((await post("/replay", {}, customer)).status).toBe(403);
  });

  test("when input is invalid, then 400 problem naming the field", async () => {
    const cases: Array<[string, string]> = [
      ["/documents/invoice", "params.entity"],
      ["/events?from=yesterday", "query.from"],
      ["/events?streamId=not%20a%20stream", "query.streamId"],
      ["/events?pageSize=101", "query.pageSize"],
    ];
    for (const [path, field] of cases) {
      const res = await fetch(`${service.url}/api/audit${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
      expect(res.status).toBe(400);
      const problem = (await res.json()) as { errors: Array<{ field: string }> };
      expect(problem.errors.map((e) => e.field)).toContain(field);
    }
    const replay = await post("/replay", { streamId: 42 });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toContain("streamId");
  });

  test("when replay is posted without a body, then everything is replayed", async () => {
    const res = await fetch(`${service.url}/api/audit/replay`, { method: "POST", headers: { authorization: `Bearer ${adminToken}` } });
    expect(res.status).toBe(200);
    const { replayed } = (await res.json()) as { replayed: number };
    expect(replayed).toBe((await get<PageView<EventView>>("/events?pageSize=1")).total);
  });

  test("when replaying a stream that does not exist, then 404 problem", async () => {
    const res = await post("/replay", { streamId: `order-${randomUUID()}` });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
  });

  test("when readiness is asked, then PostgreSQL, RabbitMQ and the consumer are reported up", async () => {
    const res = await fetch(`${service.url}/health/ready`);
    expect(res.status).toBe(200);
    const report = (await res.json()) as { checks: Array<{ name: string; status: string }> };
    expect(report.checks.map((c) => [c.name.replace(/^consumer:.*/, "consumer"), c.status])).toEqual([
      ["postgres", "up"],
      ["rabbitmq", "up"],
      ["consumer", "up"],
    ]);
  });
});
