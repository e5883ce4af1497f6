import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { randomUUID } from "node:crypto";
import { ContractError, type EventBody } from "../../src/contracts";
import {
  type Broker,
  type Consumer,
  connectBroker,
  connectBrokerFromConfig,
  messageHeaders,
  queueNames,
  replayDeadLetters,
  startConsumer,
} from "../../src/messaging";
import { RABBITMQ_URL, brokerAdmin, closeConnectionByName, removeTopology, testLogger, uniqueName, waitFor } from "./support";

// Real broker and database round trips, with reconnects: more than bun's 5 s default.
setDefaultTimeout(30_000);

const exchange = uniqueName("test.consumer");
const service = uniqueName("consumer-test");
const retryDelays = [50, 100, 150];
const logger = testLogger();
let broker: Broker;
let admin: Awaited<ReturnType<typeof brokerAdmin>>;
const consumers: Consumer[] = [];
const extraServices: string[] = [];

function confirmed(orderId = randomUUID()): EventBody<"orders.order-confirmed.v1"> {
  return { orderId, customerId: "alice" };
}

beforeAll(async () => {
  broker = await connectBroker({ url: RABBITMQ_URL, service, logger, exchange, reconnect: { initialDelayMs: 300, maxDelayMs: 1000 } });
  admin = await brokerAdmin();
});

afterAll(async () => {
  for (const consumer of consumers) await consumer.stop();
  await broker.close();
  await removeTopology([service, ...extraServices], exchange, retryDelays.length);
  await admin.close();
});

describe("broker and consumer", () => {
  test("when an event is published, then the consumer of its type receives the validated envelope once", async () => {
    const received: string[] = [];
    const name = `${service}-ok`;
    extraServices.push(name);
    consumers.push(
      await startConsumer({
        broker,
        service: name,
        types: ["orders.order-confirmed.v1"],
        retry: { delaysMs: retryDelays },
        handle: async (envelope) => {
          received.push(envelope.body.orderId);
          expect(envelope.source).toBe(service);
        },
      }),
    );
    const orderId = randomUUID();
    const envelope = await broker.publish("orders.order-confirmed.v1", confirmed(orderId), { correlationId: "corr-1" });
    expect(envelope.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(envelope.correlationId).toBe("corr-1");
    expect(envelope.causationId).toBe(envelope.messageId);
    await waitFor(() => received.includes(orderId), { what: "delivery" });
    expect(received.filter((id) => id === orderId)).toHaveLength(1);
  });

  test("when a body breaks its schema, then publish rejects naming the field and nothing is sent", async () => {
    const bad = { orderId: "not-a-uuid", customerId: "alice" } as EventBody<"orders.order-confirmed.v1">;
    const error = await broker.publish("orders.order-confirmed.v1", bad).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ContractError);
    expect((error as ContractError).issues[0]?.path).toBe("/body/orderId");
  });

  test("when a handler always fails, then the message is parked in the error queue after N attempts with the reason, and others keep flowing", async () => {
    const poisonId = randomUUID();
    const attempts: number[] = [];
    const handled: string[] = [];
    const consumer = await startConsumer({
      broker,
      service,
      types: ["orders.order-confirmed.v1", "orders.order-rejected.v1"],
      retry: { delaysMs: retryDelays },
      prefetch: 4,
      handle: async (envelope, ctx) => {
        if (envelope.body.orderId === poisonId) {
          attempts.push(ctx.attempt);
          throw new Error("stock service exploded");
        }
        handled.push(envelope.body.orderId);
      },
    });
    consumers.push(consumer);
    const queues = queueNames(service, retryDelays.length);
    expect(consumer.queues).toEqual(queues);

    const poison = await broker.publish("orders.order-confirmed.v1", confirmed(poisonId));
    const others = Array.from({ length: 20 }, () => randomUUID());
    for (const id of others) await broker.publish("orders.order-confirmed.v1", confirmed(id));
    await waitFor(() => others.every((id) => handled.includes(id)), { what: "other messages" });

    const parked = await waitFor(() => admin.get(queues.error), { timeoutMs: 15_000, what: "parked message" });
    expect(attempts).toEqual([1, 2, 3, 4]);
    const h = parked.properties.headers ?? {};
    expect(String(h[messageHeaders.reason])).toContain("stock service exploded");
    expect(h[messageHeaders.kind]).toBe("handler_failed");
    expect(Number(h[messageHeaders.attempts])).toBe(4);
    expect(h[messageHeaders.originalRoutingKey]).toBe("orders.order-confirmed.v1");
    expect(parked.properties.messageId).toBe(poison.messageId);
    expect(JSON.parse(parked.content.toString()).body.orderId).toBe(poisonId);
    // Nothing left behind (queue counts settle a moment after the moves).
    for (const queue of [...queues.retry, queues.events]) {
      await waitFor(async () => (await admin.messageCount(queue)) === 0 || undefined, { what: `${queue} empty` });
    }
  });

  test("when the broker is connected from the messaging config, then it publishes to RABBITMQ_EXCHANGE", async () => {
    const config = { RABBITMQ_URL, RABBITMQ_EXCHANGE: `${exchange}-from-config` };
    const fromConfig = await connectBrokerFromConfig(config, { service: `${service}-from-config`, logger });
    try {
      expect(fromConfig.exchange).toBe(config.RABBITMQ_EXCHANGE);
      // Confirmed by the broker: the exchange exists and took the message.
      expect((await fromConfig.publish("orders.order-confirmed.v1", confirmed())).source).toBe(`${service}-from-config`);
    } finally {
      await fromConfig.close();
      await removeTopology([], config.RABBITMQ_EXCHANGE);
    }
  });

  test("when the broker refuses a publish because the exchange is gone, then publish rejects and the next publish redeclares it", async () => {
    const name = `${service}-refused`;
    extraServices.push(name);
    const other = await connectBroker({ url: RABBITMQ_URL, service: name, logger, exchange: `${exchange}-refused` });
    try {
      await other.publish("orders.order-confirmed.v1", confirmed());
      await removeTopology([], other.exchange);
      await expect(other.publish("orders.order-confirmed.v1", confirmed())).rejects.toThrow(/NOT_FOUND|404|closed/i);
      await other.publish("orders.order-confirmed.v1", confirmed());
      await other.healthCheck.check();
    } finally {
      await other.close();
      await removeTopology([], other.exchange);
    }
  });

  test("when parked messages are replayed after the cause is fixed, then they are handled with a fresh retry budget", async () => {
    const name = `${service}-replay`;
    extraServices.push(name);
    let broken = true;
    const handled: string[] = [];
    const consumer = await startConsumer({
      broker,
      service: name,
      types: ["orders.order-rejected.v1"],
      retry: { delaysMs: [20] },
      handle: async (envelope, ctx) => {
        if (broken) throw new Error("downstream unavailable");
        expect(ctx.attempt).toBe(1);
        handled.push(envelope.body.orderId);
      },
    });
    consumers.push(consumer);
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const messageIds: string[] = [];
    for (const orderId of ids) {
      messageIds.push((await broker.publish("orders.order-rejected.v1", { orderId, customerId: "bob", reason: "x" })).messageId);
    }
    await waitFor(async () => (await admin.messageCount(consumer.queues.error)) === 3 || undefined, { what: "3 parked" });

    broken = false;
    const first = await replayDeadLetters({
      broker,
      service: name,
      filter: (m) => m.messageId !== messageIds[0] && m.type === "orders.order-rejected.v1" && Boolean(m.reason?.includes("downstream")),
    });
    expect(first).toEqual({ replayed: 2, kept: 1 });
    await waitFor(() => handled.length === 2 || undefined, { what: "2 replayed handled" });
    expect(handled).not.toContain(ids[0]);
    await waitFor(async () => (await admin.messageCount(consumer.queues.error)) === 1 || undefined, { what: "1 still parked" });
    const rest = await replayDeadLetters({ broker, service: name, limit: 5 });
    expect(rest).toEqual({ replayed: 1, kept: 0 });
    await waitFor(() => handled.length === 3 || undefined, { what: "all handled" });
    expect(handled.sort()).toEqual([...ids].sort());
    expect(await admin.messageCount(consumer.queues.error)).toBe(0);
  });

  test("when a message body fails its schema, then it goes straight to the error queue without retries", async () => {
    const name = `${service}-invalid`;
    extraServices.push(name);
    let calls = 0;
    const consumer = await startConsumer({
      broker,
      service: name,
      types: ["orders.order-shipped.v1"],
      retry: { delaysMs: retryDelays },
      handle: async () => {
        calls += 1;
      },
    });
    consumers.push(consumer);
    const messageId = randomUUID();
    const envelope = {
      messageId,
      type: "orders.order-shipped.v1",
      occurredAt: new Date().toISOString(),
      correlationId: messageId,
      causationId: messageId,
      source: "someone-else",
      body: { orderId: randomUUID(), customerId: "alice" }, // shippedAt missing
    };
    await admin.publishRaw(exchange, "orders.order-shipped.v1", Buffer.from(JSON.stringify(envelope)));
    await admin.publishRaw(exchange, "orders.order-shipped.v1", Buffer.from("{not json"));

    const first = await waitFor(() => admin.get(consumer.queues.error), { what: "invalid body parked" });
    const second = await waitFor(() => admin.get(consumer.queues.error), { what: "unparseable message parked" });
    const reasons = [first, second].map((m) => String(m.properties.headers?.[messageHeaders.reason]));
    expect(reasons.some((r) => r.includes("/body/shippedAt"))).toBe(true);
    expect(reasons.some((r) => r.includes("invalid message"))).toBe(true);
    for (const m of [first, second]) {
      expect(m.properties.headers?.[messageHeaders.kind]).toBe("invalid_message");
      expect(Number(m.properties.headers?.[messageHeaders.attempts])).toBe(0);
    }
    expect(calls).toBe(0);
    for (const retryQueue of consumer.queues.retry) expect(await admin.messageCount(retryQueue)).toBe(0);
  });

  test("when a consumer restarts with other retry delays, then its topology is redeclared idempotently as quorum queues", async () => {
    const name = `${service}-topology`;
    extraServices.push(name);
    const start = (delaysMs: number[]) =>
      startConsumer({ broker, service: name, types: ["orders.order-rejected.v1"], retry: { delaysMs }, handle: async () => {} });
    await (await start(retryDelays)).stop();
    const again = await start([70, 140, 210]);
    consumers.push(again);
    const listing = Bun.spawnSync(["rabbitmqctl", "-q", "list_queues", "name", "type", "durable"]).stdout.toString();
    const rows = listing.split("\n").filter((line) => line.startsWith(`${name}.`));
    const queues = [again.queues.events, ...again.queues.retry, again.queues.error];
    for (const queue of queues) expect(rows).toContain(`${queue}\tquorum\ttrue`);
  });

  test("when handlers are slow, then no more messages than the prefetch are in flight at once", async () => {
    const name = `${service}-prefetch`;
    extraServices.push(name);
    let inFlight = 0;
    let maxInFlight = 0;
    let done = 0;
    consumers.push(
      await startConsumer({
        broker,
        service: name,
        types: ["orders.order-shipped.v1"],
        retry: { delaysMs: retryDelays },
        prefetch: 3,
        handle: async () => {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await Bun.sleep(30);
          inFlight -= 1;
          done += 1;
        },
      }),
    );
    for (let i = 0; i < 15; i += 1) {
      await broker.publish("orders.order-shipped.v1", { orderId: randomUUID(), customerId: "bob", shippedAt: new Date().toISOString() });
    }
    await waitFor(() => done === 15 || undefined, { what: "15 handled" });
    expect(maxInFlight).toBe(3);
  });

  test("when one aggregate's events arrive together, then they are handled one at a time in order while other aggregates run in parallel", async () => {
    const name = `${service}-ordering`;
    extraServices.push(name);
    const log: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    consumers.push(
      await startConsumer({
        broker,
        service: name,
        types: ["orders.order-created.v1", "orders.order-cancelled.v1"],
        retry: { delaysMs: retryDelays },
        prefetch: 16,
        handle: async (envelope) => {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          // The first event of each order is slow: without ordering the cancel would overtake it.
          if (envelope.type === "orders.order-created.v1") await Bun.sleep(60);
          log.push(`${envelope.body.orderId}:${envelope.type}`);
          inFlight -= 1;
        },
      }),
    );
    const orders = Array.from({ length: 5 }, () => randomUUID());
    for (const orderId of orders) {
      await broker.publish(
        "orders.order-created.v1",
        {
          orderId,
          customerId: "alice",
          lines: [{ sku: "SKU-1", quantity: 1, unitPrice: 1 }],
          total: 1,
          createdAt: new Date().toISOString(),
        },
        { aggregateId: orderId },
      );
      await broker.publish("orders.order-cancelled.v1", { orderId, customerId: "alice", by: "alice" }, { aggregateId: orderId });
    }
    await waitFor(() => log.length === 10 || undefined, { what: "10 handled" });
    for (const orderId of orders) {
      expect(log.indexOf(`${orderId}:orders.order-created.v1`)).toBeLessThan(log.indexOf(`${orderId}:orders.order-cancelled.v1`));
    }
    expect(maxInFlight).toBeGreaterThan(1);
  });

  test("when a handler hangs past its timeout, then the delivery counts as failed and is retried", async () => {
    const name = `${service}-timeout`;
    extraServices.push(name);
    const attempts: number[] = [];
    consumers.push(
      await startConsumer({
        broker,
        service: name,
        types: ["inventory.stock-released.v1"],
        retry: { delaysMs: retryDelays },
        handlerTimeoutMs: 100,
        handle: async (_envelope, ctx) => {
          attempts.push(ctx.attempt);
          if (ctx.attempt === 1) await Bun.sleep(1000);
        },
      }),
    );
    await broker.publish("inventory.stock-released.v1", { orderId: randomUUID(), lines: [] });
    await waitFor(() => attempts.length === 2 || undefined, { what: "second attempt" });
    expect(attempts).toEqual([1, 2]);
  });

  test("when the consumer's queue exists with other arguments, then startConsumer rejects with the broker's reason", async () => {
    const name = `${service}-mismatch`;
    extraServices.push(name);
    await admin.declareClassicQueue(queueNames(name, 0).events);
    const started = startConsumer({
      broker,
      service: name,
      types: ["orders.order-shipped.v1"],
      retry: { delaysMs: [] },
      handle: async () => {},
    });
    await expect(started).rejects.toThrow(/PRECONDITION_FAILED/);
    await broker.healthCheck.check();
    await broker.publish("orders.order-confirmed.v1", confirmed());
  });

  test("when the broker is unreachable, then readiness is down, publish fails at once, and close does not hang", async () => {
    const unreachable = await connectBroker({
      url: "amqp://guest:guest@127.0.0.1:1",
      service: `${service}-unreachable`,
      logger,
      exchange,
      waitForConnection: false,
      reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    });
    expect(unreachable.connected).toBe(false);
    await expect(unreachable.healthCheck.check()).rejects.toThrow(/not connected/);
    await expect(unreachable.publish("orders.order-confirmed.v1", confirmed())).rejects.toThrow(/not connected/);
    await Bun.sleep(300); // a few reconnect attempts
    await unreachable.close();
    await expect(unreachable.healthCheck.check()).rejects.toThrow(/closed/);
  });

  test("when the broker closes our connection, then readiness reports down, and publisher and consumer come back by themselves", async () => {
    const name = `${service}-reconnect`;
    extraServices.push(name);
    const received = new Set<string>();
    const consumer = await startConsumer({
      broker,
      service: name,
      types: ["orders.order-cancelled.v1"],
      retry: { delaysMs: retryDelays },
      handle: async (envelope) => {
        received.add(envelope.body.orderId);
      },
    });
    consumers.push(consumer);
    await broker.healthCheck.check();
    await consumer.healthCheck.check();
    const before = randomUUID();
    await broker.publish("orders.order-cancelled.v1", { orderId: before, customerId: "bob", by: "bob" });
    await waitFor(() => received.has(before), { what: "delivery before the cut" });

    // Sample readiness and keep publishing while the connection is cut, to see what callers see.
    let sawDown = false;
    let consumerSawDown = false;
    let publishFailures = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        sawDown ||= await broker.healthCheck.check().then(
          () => false,
          () => true,
        );
        consumerSawDown ||= !consumer.consuming;
        await Bun.sleep(5);
      }
    })();
    const publisher = (async () => {
      while (sampling) {
        await broker.publish("orders.order-cancelled.v1", { orderId: randomUUID(), customerId: "bob", by: "bob" }).catch(() => {
          publishFailures += 1;
        });
        await Bun.sleep(10);
      }
    })();
    expect(await closeConnectionByName(broker.connectionName)).toBe(1);
    await waitFor(() => sawDown && publishFailures > 0, { what: "readiness down and publish failing" });
    await waitFor(
      () =>
        broker.healthCheck.check().then(
          () => true,
          () => false,
        ),
      { timeoutMs: 15_000, what: "readiness up" },
    );
    await waitFor(
      () =>
        consumer.healthCheck.check().then(
          () => true,
          () => false,
        ),
      { timeoutMs: 15_000, what: "consumer up" },
    );
    expect(consumerSawDown).toBe(true);
    sampling = false;
    await Promise.all([sampler, publisher]);

    const after = randomUUID();
    await broker.publish("orders.order-cancelled.v1", { orderId: after, customerId: "bob", by: "bob" });
    await waitFor(() => received.has(after), { timeoutMs: 15_000, what: "delivery after reconnect" });
  });
});
