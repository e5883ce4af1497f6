/**
 * The outbox relay through database trouble: a first LISTEN that fails is asked again with backoff (the wake-up
 * is not lost for the life of the process), and the relay's readiness check reports a failing relay and its
 * recovery.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { type Broker, type OutboxStore, connectBroker, pgOutbox, startOutboxRelay } from "../../src/messaging";
import { RABBITMQ_URL, createTestDb, removeTopology, testLogger, uniqueName, waitFor } from "./support";

setDefaultTimeout(30_000);

const exchange = uniqueName("test.relay");
const service = uniqueName("relay-test");
const logger = testLogger();
let database: Awaited<ReturnType<typeof createTestDb>>;
let broker: Broker;

beforeAll(async () => {
  database = await createTestDb("kit_relay");
  broker = await connectBroker({ url: RABBITMQ_URL, service, logger, exchange, reconnect: { initialDelayMs: 200, maxDelayMs: 1000 } });
});

afterAll(async () => {
  await broker?.close();
  await removeTopology([], exchange, 0);
  await database?.drop();
});

async function enqueueOne(): Promise<string> {
  const orderId = randomUUID();
  await database.db.transaction(async (tx) => {
    await pgOutbox.enqueue(tx, { type: "orders.order-cancelled.v1", aggregateId: orderId, body: { orderId, customerId: "c", by: "c" } });
  });
  return orderId;
}

const pending = async () => Number((await database.client`select count(*)::int as n from messaging_outbox where sent_at is null`)[0]?.n);

describe("outbox relay under database trouble", () => {
  test("when the first LISTEN fails, then the relay asks again with backoff and a new row wakes it long before its next poll", async () => {
    const real = pgOutbox.store(database.db);
    let listenCalls = 0;
    const store: OutboxStore = {
      ...real,
      async listen(onNotify, onListening) {
        listenCalls += 1;
        // PostgreSQL restarting: the first two attempts fail as a refused connection would.
        if (listenCalls <= 2) throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
        return real.listen!(onNotify, onListening);
      },
    };
    // A poll interval far beyond the test: only a wake-up can publish the row in time.
    const relay = startOutboxRelay({ store, broker, logger, source: "orders", pollIntervalMs: 60_000, maxBackoffMs: 400 });
    try {
      await waitFor(() => relay.listening, { timeoutMs: 10_000, what: "LISTEN established after failures" });
      expect(listenCalls).toBe(3);
      await Bun.sleep(100); // the relay's first (empty) turn is over; it now sleeps for its poll interval
      await enqueueOne();
      const started = Date.now();
      await waitFor(async () => (await pending()) === 0, { timeoutMs: 5_000, intervalMs: 50, what: "the row published after a wake-up" });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await relay.stop();
    }
  });

  test("when the relay's database fails, then its readiness check is down with the reason, and up again once it recovers", async () => {
    const real = pgOutbox.store(database.db);
    let broken = true;
    const store: OutboxStore = {
      ...real,
      listen: undefined,
      async relayBatch(limit, publish) {
        if (broken) throw new Error("terminating connection due to administrator command");
        return real.relayBatch(limit, publish);
      },
    };
    const relay = startOutboxRelay({ store, broker, logger, source: "orders", pollIntervalMs: 50, maxBackoffMs: 200 });
    try {
      expect(relay.healthCheck.name).toBe("outbox-relay");
      await waitFor(
        async () =>
          relay.healthCheck.check().then(
            () => false,
            (error: Error) => error.message,
          ),
        { what: "relay check down" },
      ).then((message) => expect(message).toContain("administrator command"));
      broken = false;
      await enqueueOne();
      await waitFor(
        async () =>
          relay.healthCheck.check().then(
            () => true,
            () => false,
          ),
        { what: "relay check up again" },
      );
      await waitFor(async () => (await pending()) === 0, { what: "the row published after recovery" });
    } finally {
      await relay.stop();
    }
    await expect(relay.healthCheck.check()).rejects.toThrow("stopped");
  });
});
