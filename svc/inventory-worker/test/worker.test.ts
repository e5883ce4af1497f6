import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import amqp, { type ChannelModel } from "amqplib";
import { createLogger } from "@meridian/kit";
import type { AnyEnvelope } from "@meridian/kit/contracts";
import { connectBroker, type Broker } from "@meridian/kit/messaging";
import { createTestDatabase, removeTopology, TEST_RABBITMQ_URL, uniqueName, waitFor, type TestDatabase } from "@meridian/kit/testing";
import { InventoryStore, migrateInventoryDatabase, openInventoryDatabase, type InventoryDatabase } from "@meridian/inventory/store";
import { loadWorkerConfig } from "../src/config";
import { startWorker, type RunningWorker } from "../src/worker";

let db: TestDatabase;
let database: InventoryDatabase;
let store: InventoryStore;
let worker: RunningWorker;
let broker: Broker;
let listener: ChannelModel;
const exchange = uniqueName("worker_test_events");
const queuePrefix = `${uniqueName("worker_test")}.`;
const published: AnyEnvelope[] = [];

beforeAll(async () => {
  db = await createTestDatabase("inventory_worker");
  database = openInventoryDatabase(db.url, { max: 4 });
  await migrateInventoryDatabase(database);
  store = new InventoryStore(database.db);
  for (const [sku, name, onHand] of [
    ["W-PLENTY", "Plenty widget", 10],
    ["W-SCARCE", "Scarce widget", 1],
  ] as const) {
    await store.upsertProduct(sku, { name, price: 1 });
    await store.adjustStock(sku, onHand, "initial", "test");
  }

  // Everything inventory publishes on this test's exchange.
  listener = await amqp.connect(TEST_RABBITMQ_URL);
  const channel = await listener.createChannel();
  await channel.assertExchange(exchange, "topic", { durable: true });
  const { queue } = await channel.assertQueue("", { exclusive: true, autoDelete: true });
  await channel.bindQueue(queue, exchange, "inventory.#");
  await channel.consume(
    queue,
    (msg) => {
      if (msg) published.push(JSON.parse(msg.content.toString("utf8")) as AnyEnvelope);
    },
    { noAck: true },
  );

  const config = loadWorkerConfig({
    exit: false,
    env: {
      PORT: "0",
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      DATABASE_URL: db.url,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
      RABBITMQ_EXCHANGE: exchange,
      RABBITMQ_QUEUE_PREFIX: queuePrefix,
      SHUTDOWN_GRACE_MS: "2000",
    },
  });
  worker = await startWorker(config, { handleSignals: false });
  broker = await connectBroker({
    url: TEST_RABBITMQ_URL,
    service: "worker-test",
    exchange,
    logger: createLogger({ service: "worker-test", version: "0", level: "silent" }),
  });
}, 60_000);

afterAll(async () => {
  await broker?.close();
  await worker?.stop();
  await listener.close();
  await removeTopology([`${queuePrefix}inventory-worker`], exchange);
  await database?.close();
  await db?.drop();
});

function orderCreated(orderId: string, lines: { sku: string; quantity: number }[]) {
  return {
    orderId,
    customerId: "alice",
    lines: lines.map((l) => ({ ...l, unitPrice: 1 })),
    total: lines.reduce((s, l) => s + l.quantity, 0),
    createdAt: new Date().toISOString(),
  };
}

const answersFor = (orderId: string) => published.filter((e) => (e.body as { orderId?: string }).orderId === orderId);

describe("inventory worker", () => {
  test("when OrderCreated arrives for available stock, then it reserves all lines and announces StockReserved", async () => {
    const orderId = crypto.randomUUID();
    await broker.publish(
      "orders.order-created.v1",
      orderCreated(orderId, [
        { sku: "W-PLENTY", quantity: 2 },
        { sku: "W-SCARCE", quantity: 1 },
      ]),
      {
        correlationId: orderId,
      },
    );
    const [answer] = await waitFor(() => answersFor(orderId).length > 0 && answersFor(orderId), {
      timeoutMs: 30_000,
      what: "StockReserved",
    });
    expect(answer).toMatchObject({
      type: "inventory.stock-reserved.v1",
      correlationId: orderId,
      body: {
        orderId,
        lines: [
          { sku: "W-PLENTY", quantity: 2 },
          { sku: "W-SCARCE", quantity: 1 },
        ],
      },
    });
    expect((await store.getProduct("W-PLENTY"))?.reserved).toBe(2);
    expect((await store.getProduct("W-SCARCE"))?.available).toBe(0);
  }, 60_000);

  test("when an order asks for more than is left, then nothing is reserved and StockRejected lists the shortages with product names", async () => {
    const orderId = crypto.randomUUID();
    await broker.publish(
      "orders.order-created.v1",
      orderCreated(orderId, [
        { sku: "W-PLENTY", quantity: 1 },
        { sku: "W-SCARCE", quantity: 1 },
      ]),
    );
    const [answer] = await waitFor(() => answersFor(orderId).length > 0 && answersFor(orderId), {
      timeoutMs: 30_000,
      what: "StockRejected",
    });
    expect(answer).toMatchObject({
      type: "inventory.stock-rejected.v1",
      body: {
        orderId,
        reason: "not enough stock: Scarce widget (1 requested, 0 left)",
        shortages: [{ sku: "W-SCARCE", name: "Scarce widget", requested: 1, available: 0 }],
      },
    });
    expect((await store.getProduct("W-PLENTY"))?.reserved).toBe(2);
  }, 60_000);

  test("when the same message is delivered twice, then stock is reserved once and answered once", async () => {
    const orderId = crypto.randomUUID();
    const messageId = crypto.randomUUID();
    const body = orderCreated(orderId, [{ sku: "W-PLENTY", quantity: 3 }]);
    await broker.publish("orders.order-created.v1", body, { messageId });
    await broker.publish("orders.order-created.v1", body, { messageId });
    await waitFor(() => answersFor(orderId).length > 0, { timeoutMs: 30_000, what: "StockReserved" });
    // The consumer counts the second delivery as a duplicate once the inbox has turned it away.
    await waitFor(async () => (await (await fetch(`${worker.server.url}/metrics`)).text()).includes('outcome="duplicate"'), {
      timeoutMs: 30_000,
      what: "duplicate counted",
    });
    await waitFor(async () => (await database.sql`select count(*)::int as n from messaging_outbox where sent_at is null`)[0]?.n === 0, {
      timeoutMs: 30_000,
      what: "outbox drained",
    });
    expect(answersFor(orderId)).toHaveLength(1);
    expect((await store.getProduct("W-PLENTY"))?.reserved).toBe(2 + 3);
  }, 60_000);

  test("when OrderCancelled arrives for a reserved order, then the reservation is released and StockReleased announced", async () => {
    const orderId = crypto.randomUUID();
    await broker.publish("orders.order-created.v1", orderCreated(orderId, [{ sku: "W-PLENTY", quantity: 1 }]));
    await waitFor(() => answersFor(orderId).length > 0, { timeoutMs: 30_000, what: "StockReserved" });
    const before = (await store.getProduct("W-PLENTY"))!.reserved;
    await broker.publish("orders.order-cancelled.v1", { orderId, customerId: "alice", by: "alice" });
    const released = await waitFor(() => answersFor(orderId).find((e) => e.type === "inventory.stock-released.v1"), {
      timeoutMs: 30_000,
      what: "StockReleased",
    });
    expect(released.body).toMatchObject({ orderId, lines: [{ sku: "W-PLENTY", quantity: 1 }] });
    expect((await store.getProduct("W-PLENTY"))?.reserved).toBe(before - 1);
    expect((await store.getReservation(orderId))?.status).toBe("released");
  }, 60_000);

  test("when an order ships, then its reserved units leave stock, the reservation is fulfilled and InventoryAdjusted announced", async () => {
    await store.upsertProduct("W-SHIP", { name: "Shipped", price: 1 });
    await store.adjustStock("W-SHIP", 5, "initial", "test");
    const orderId = crypto.randomUUID();
    await broker.publish("orders.order-created.v1", orderCreated(orderId, [{ sku: "W-SHIP", quantity: 2 }]));
    await waitFor(() => answersFor(orderId).length > 0, { timeoutMs: 30_000, what: "StockReserved" });
    const messageId = crypto.randomUUID();
    const shipped = { orderId, customerId: "alice", shippedAt: new Date().toISOString() };
    await broker.publish("orders.order-shipped.v1", shipped, { messageId });
    await broker.publish("orders.order-shipped.v1", shipped); // a second, distinct message for the same shipment
    const adjusted = await waitFor(
      () => published.find((e) => e.type === "inventory.inventory-adjusted.v1" && (e.body as { reason: string }).reason.includes(orderId)),
      { timeoutMs: 30_000, what: "InventoryAdjusted" },
    );
    expect(adjusted.body).toMatchObject({ sku: "W-SHIP", delta: -2, onHand: 3 });
    await waitFor(async () => (await store.getReservation(orderId))?.status === "fulfilled", { timeoutMs: 30_000, what: "fulfilled" });
    expect(await store.getProduct("W-SHIP")).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
  }, 60_000);

  test("when health and metrics are asked, then the worker answers with its dependencies and messaging metrics", async () => {
    const ready = await fetch(`${worker.server.url}/health/ready`);
    expect(ready.status).toBe(200);
    const report = (await ready.json()) as { checks: { name: string }[] };
    expect(report.checks.map((c) => c.name.replace(/^consumer:.*/, "consumer")).sort()).toEqual([
      "consumer",
      "outbox-relay",
      "postgres",
      "rabbitmq",
    ]);
    const metrics = await (await fetch(`${worker.server.url}/metrics`)).text();
    expect(metrics).toContain("messaging_consumed_total");
  }, 60_000);
});
