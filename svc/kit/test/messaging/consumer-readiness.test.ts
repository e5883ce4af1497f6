/**
 * A consumer whose subscription RabbitMQ ends (queue deleted) and whose re-subscription then fails (a queue of
 * the same name with other arguments is in the way): its readiness check is down for as long as it is not
 * consuming, it keeps re-subscribing with backoff, and it consumes again once the obstacle is gone.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import amqp from "amqplib";
import { randomUUID } from "node:crypto";
import { type Broker, type Consumer, connectBroker, startConsumer } from "../../src/messaging";
import { RABBITMQ_URL, removeTopology, testLogger, uniqueName, waitFor } from "./support";

setDefaultTimeout(60_000);

const exchange = uniqueName("test.readiness");
const service = uniqueName("readiness-test");
const logger = testLogger();
let broker: Broker;
let consumer: Consumer | undefined;

beforeAll(async () => {
  broker = await connectBroker({ url: RABBITMQ_URL, service, logger, exchange, reconnect: { initialDelayMs: 200, maxDelayMs: 1000 } });
});

afterAll(async () => {
  await consumer?.stop();
  await broker?.close();
  await removeTopology([service], exchange, 1);
});

const isUp = () =>
  consumer!.healthCheck.check().then(
    () => true,
    () => false,
  );

describe("consumer readiness", () => {
  test("when re-subscribing fails, then readiness is down while it fails and up again once the consumer re-subscribed", async () => {
    const received = new Set<string>();
    consumer = await startConsumer({
      broker,
      service,
      types: ["orders.order-confirmed.v1"],
      retry: { delaysMs: [100] },
      handle: async (envelope) => {
        received.add(envelope.body.orderId);
      },
    });
    expect(await isUp()).toBe(true);

    const admin = await amqp.connect(RABBITMQ_URL);
    admin.on("error", () => {});
    const ch = await admin.createChannel();
    ch.on("error", () => {});
    try {
      // Delete the consumer's queue and put a classic queue of the same name in the way: every re-declaration
      // of the quorum queue fails with PRECONDITION_FAILED.
      await ch.deleteQueue(consumer.queues.events);
      await ch.assertQueue(consumer.queues.events, { durable: false });
      await waitFor(async () => !(await isUp()), { timeoutMs: 5_000, what: "readiness down after the cancel" });
      await Bun.sleep(4_000); // several failed re-subscriptions
      expect(await isUp()).toBe(false);
      expect(consumer.consuming).toBe(false);

      await ch.deleteQueue(consumer.queues.events);
      const recovered = Date.now();
      await waitFor(isUp, { timeoutMs: 20_000, intervalMs: 100, what: "readiness up again after the obstacle went" });
      console.log(`[consumer] re-subscribed ${Date.now() - recovered} ms after the obstacle was removed`);
      const orderId = randomUUID();
      await broker.publish("orders.order-confirmed.v1", { orderId, customerId: "c" });
      await waitFor(() => received.has(orderId), { timeoutMs: 10_000, what: "a message consumed after recovery" });
    } finally {
      await ch.close().catch(() => {});
      await admin.close().catch(() => {});
    }
  });
});

describe("a handler that outlives its timeout", () => {
  test("when a handler times out and keeps running, then the next event of the same aggregate waits until it has ended, and its signal is aborted", async () => {
    const name = `${service}-slow`;
    const spans: { attempt: number; seq: number; start: number; end: number; aborted: boolean }[] = [];
    const slow = await startConsumer({
      broker,
      service: name,
      types: ["orders.order-confirmed.v1", "orders.order-cancelled.v1"],
      retry: { delaysMs: [50] },
      handlerTimeoutMs: 150,
      handle: async (envelope, ctx) => {
        const start = performance.now();
        const seq = envelope.type === "orders.order-confirmed.v1" ? 1 : 2;
        if (seq === 1 && ctx.attempt === 1) await Bun.sleep(1200); // hangs far past the timeout
        spans.push({ attempt: ctx.attempt, seq, start, end: performance.now(), aborted: ctx.signal.aborted });
      },
    });
    try {
      const orderId = randomUUID();
      await broker.publish("orders.order-confirmed.v1", { orderId, customerId: "c" }, { aggregateId: orderId });
      await broker.publish("orders.order-cancelled.v1", { orderId, customerId: "c", by: "c" }, { aggregateId: orderId });
      await waitFor(() => spans.length >= 3 || undefined, { timeoutMs: 15_000, what: "the slow handler, the next event and the retry" });
      const hung = spans.find((s) => s.seq === 1 && s.attempt === 1)!;
      expect(hung.aborted).toBe(true);
      // Nothing of the same aggregate ran while the timed-out handler still did.
      for (const other of spans.filter((s) => s !== hung)) expect(other.start).toBeGreaterThanOrEqual(hung.end);
    } finally {
      await slow.stop();
      await removeTopology([name], exchange, 1);
    }
  });
});

describe("transient failures", () => {
  test("when a handler fails with a dropped database connection, then it is retried in place and no redelivery is spent", async () => {
    const name = `${service}-transient`;
    const tries: number[] = [];
    const flaky = await startConsumer({
      broker,
      service: name,
      types: ["orders.order-shipped.v1"],
      retry: { delaysMs: [5_000] },
      transientRetry: { initialDelayMs: 20 },
      handle: async (_envelope, ctx) => {
        tries.push(ctx.attempt);
        if (tries.length < 3) throw Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });
      },
    });
    try {
      await broker.publish("orders.order-shipped.v1", { orderId: randomUUID(), customerId: "c", shippedAt: new Date().toISOString() });
      await waitFor(() => tries.length === 3 || undefined, { timeoutMs: 3_000, what: "three tries in place" });
      expect(tries).toEqual([1, 1, 1]); // all within the first delivery
    } finally {
      await flaky.stop();
      await removeTopology([name], exchange, 1);
    }
  });
});

describe("dead-letter notice", () => {
  test("when a message is parked, then the notice names its aggregate, so its owner can settle it", async () => {
    const name = `${service}-parks`;
    const watcher = `${service}-watcher`;
    const notices: { aggregateId?: string; service: string; type: string }[] = [];
    const failing = await startConsumer({
      broker,
      service: name,
      types: ["orders.order-created.v1"],
      retry: { delaysMs: [] },
      handle: async () => {
        throw new Error("cannot reserve");
      },
    });
    const watching = await startConsumer({
      broker,
      service: watcher,
      types: ["system.message-dead-lettered.v1"],
      retry: { delaysMs: [] },
      handle: async (envelope) => {
        notices.push(envelope.body);
      },
    });
    try {
      const orderId = randomUUID();
      await broker.publish(
        "orders.order-created.v1",
        { orderId, customerId: "c", lines: [{ sku: "SKU-001", quantity: 1, unitPrice: 1 }], total: 1, createdAt: new Date().toISOString() },
        { aggregateId: orderId },
      );
      await waitFor(() => notices.find((n) => n.service === name), { timeoutMs: 10_000, what: "the dead-letter notice" });
      expect(notices.find((n) => n.service === name)).toMatchObject({ aggregateId: orderId, type: "orders.order-created.v1" });
    } finally {
      await failing.stop();
      await watching.stop();
      await removeTopology([name, watcher], exchange, 0);
    }
  });
});
