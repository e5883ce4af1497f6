import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { AnyEnvelope, EventType } from "../../src/contracts";
import {
  type Broker,
  type Consumer,
  type ConsumerOptions,
  type HandleOutcome,
  type OutboxRelay,
  type OutboxStore,
  connectBroker,
  pgInbox,
  pgOutbox,
  startConsumer,
  startOutboxRelay,
} from "../../src/messaging";
import { RABBITMQ_URL, closeConnectionByName, createTestDb, removeTopology, testLogger, uniqueName, waitFor } from "./support";

// Real broker and database round trips, with reconnects: more than bun's 5 s default.
setDefaultTimeout(30_000);

const exchange = uniqueName("test.outbox");
const service = uniqueName("outbox-test");
const retryDelays = [50, 100];
const logger = testLogger();
let database: Awaited<ReturnType<typeof createTestDb>>;
let broker: Broker;
const relays: OutboxRelay[] = [];
const consumers: Consumer[] = [];
const services: string[] = [];

beforeAll(async () => {
  database = await createTestDb("kit_outbox");
  await database.client.unsafe(`
    CREATE TABLE orders (id uuid PRIMARY KEY, customer_id text NOT NULL);
    CREATE TABLE effects (order_id uuid PRIMARY KEY, applied integer NOT NULL, seq integer NOT NULL);
    CREATE TABLE sequence_log (aggregate_id text NOT NULL, seq integer NOT NULL, at bigserial);
  `);
  broker = await connectBroker({
    url: RABBITMQ_URL,
    service,
    logger,
    exchange,
    reconnect: { initialDelayMs: 200, maxDelayMs: 1000 },
  });
});

afterAll(async () => {
  for (const relay of relays) await relay.stop();
  for (const consumer of consumers) await consumer.stop();
  await broker?.close();
  await removeTopology(services, exchange, retryDelays.length);
  await database?.drop();
});

/** The queue owner `<service>-<suffix>`; its queues are removed after the file. */
function consumerNamed(suffix: string): string {
  const name = `${service}-${suffix}`;
  services.push(name);
  return name;
}

/** A consumer on this file's broker with the short retry delays, stopped after the file. */
async function consume<T extends EventType>(
  consumerService: string,
  options: Pick<ConsumerOptions<T>, "types" | "handle" | "prefetch">,
): Promise<Consumer> {
  const consumer = await startConsumer({ broker, service: consumerService, retry: { delaysMs: retryDelays }, ...options });
  consumers.push(consumer);
  return consumer;
}

/** The order's effect through the inbox: `applied` counts how often it ran, so a repeat with effect shows. */
function applyEffectOnce(
  envelope: Pick<AnyEnvelope, "messageId" | "type"> & { body: { orderId: string } },
  consumerService: string,
  seq = 0,
): Promise<HandleOutcome> {
  return pgInbox.handleOnce(database.db, envelope, consumerService, async (tx) => {
    await tx.execute(
      sql`insert into effects (order_id, applied, seq) values (${envelope.body.orderId}, 1, ${seq})
          on conflict (order_id) do update set applied = effects.applied + 1`,
    );
  });
}

/** A consumer of `type` applying each order's effect through the inbox; answers the outcomes, in arrival order. */
async function consumeThroughInbox(suffix: string, type: "orders.order-shipped.v1" | "orders.order-rejected.v1"): Promise<HandleOutcome[]> {
  const consumerService = consumerNamed(suffix);
  const outcomes: HandleOutcome[] = [];
  await consume(consumerService, {
    types: [type],
    handle: async (envelope) => {
      const outcome = await applyEffectOnce(envelope, consumerService);
      outcomes.push(outcome);
      return outcome;
    },
  });
  return outcomes;
}

describe("transactional outbox, relay and inbox on PostgreSQL", () => {
  test("when a transaction rolls back, then its outbox event is gone with it", async () => {
    const orderId = randomUUID();
    await database.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into orders (id, customer_id) values (${orderId}, 'alice')`);
        await pgOutbox.enqueue(tx, {
          type: "orders.order-confirmed.v1",
          body: { orderId, customerId: "alice" },
          aggregateId: orderId,
        });
        throw new Error("business rule says no");
      })
      .catch(() => {});
    const rows = await database.client`select count(*)::int as n from messaging_outbox`;
    expect(rows[0]?.n).toBe(0);
  });

  test("when 1,000 events go through the outbox while the broker connection is cut, then all arrive and none has a second effect", async () => {
    const consumerService = consumerNamed("effects");
    let deliveries = 0;
    let duplicates = 0;
    await consume(consumerService, {
      types: ["orders.order-created.v1"],
      prefetch: 32,
      handle: async (envelope) => {
        deliveries += 1;
        const outcome = await applyEffectOnce(envelope, consumerService, Number(envelope.body.total));
        if (outcome === "duplicate") duplicates += 1;
        return outcome;
      },
    });
    const relay = startOutboxRelay({ db: database.db, broker, logger, source: "orders", batchSize: 50, pollIntervalMs: 200 });
    relays.push(relay);

    const total = 1000;
    const perTransaction = 10;
    let written = 0;
    const writer = (async () => {
      for (let batch = 0; batch < total / perTransaction; batch += 1) {
        await database.db.transaction(async (tx) => {
          for (let i = 0; i < perTransaction; i += 1) {
            const orderId = randomUUID();
            await tx.execute(sql`insert into orders (id, customer_id) values (${orderId}, 'alice')`);
            await pgOutbox.enqueue(tx, {
              type: "orders.order-created.v1",
              aggregateId: orderId,
              body: {
                orderId,
                customerId: "alice",
                lines: [{ sku: "SKU-001", quantity: 1, unitPrice: 2.5 }],
                total: written + i,
                createdAt: new Date().toISOString(),
              },
            });
          }
        });
        written += perTransaction;
        if (batch % 5 === 0) await Bun.sleep(5);
      }
    })();

    const applied = async () => Number((await database.client`select count(*)::int as n from effects`)[0]?.n);
    await waitFor(async () => (await applied()) >= 200, { timeoutMs: 20_000, what: "first 200 effects" });
    expect(await closeConnectionByName(broker.connectionName, "outbox test cut 1")).toBe(1);
    await waitFor(async () => (await applied()) >= 600, { timeoutMs: 30_000, what: "600 effects" });
    expect(await closeConnectionByName(broker.connectionName, "outbox test cut 2")).toBe(1);
    await writer;

    await waitFor(async () => (await applied()) === total || undefined, { timeoutMs: 60_000, intervalMs: 200, what: "all effects" });
    const [stats] = await database.client`
      select count(*)::int as rows, coalesce(max(applied), 0)::int as max_applied from effects`;
    expect(stats?.rows).toBe(total);
    expect(stats?.max_applied).toBe(1);
    const [pending] = await database.client`select count(*)::int as n from messaging_outbox where sent_at is null`;
    expect(pending?.n).toBe(0);
    expect(deliveries).toBe(total + duplicates);
    await waitFor(() => relay.backlog === 0 || undefined, { what: "backlog gauge at zero" });
    await relay.stop();
  }, 120_000);

  test("when the broker is unreachable, then the relay keeps rows pending, reports the backlog, and delivers them after the reconnect", async () => {
    const consumerService = consumerNamed("outage");
    const slowBroker = await connectBroker({
      url: RABBITMQ_URL,
      service: `${service}-slow`,
      logger,
      exchange,
      reconnect: { initialDelayMs: 5000, maxDelayMs: 6000 },
    });
    const received = new Set<string>();
    await consume(consumerService, {
      types: ["orders.order-cancelled.v1"],
      handle: async (envelope) => {
        received.add(envelope.body.orderId);
      },
    });
    const relay = startOutboxRelay({ db: database.db, broker: slowBroker, logger, source: "orders", pollIntervalMs: 50 });
    relays.push(relay);
    try {
      expect(await closeConnectionByName(slowBroker.connectionName, "outage test")).toBe(1);
      await waitFor(() => !slowBroker.connected, { what: "relay's broker down" });
      const ids = Array.from({ length: 20 }, () => randomUUID());
      await database.db.transaction(async (tx) => {
        for (const orderId of ids) {
          await pgOutbox.enqueue(tx, {
            type: "orders.order-cancelled.v1",
            aggregateId: orderId,
            body: { orderId, customerId: "bob", by: "bob" },
          });
        }
      });
      await waitFor(() => relay.backlog === 20 || undefined, { what: "backlog of 20 during the outage" });
      expect(slowBroker.connected).toBe(false);
      expect(received.size).toBe(0);
      await waitFor(() => ids.every((id) => received.has(id)), { timeoutMs: 20_000, what: "delivery after reconnect" });
      await waitFor(() => relay.backlog === 0 || undefined, { what: "backlog back to zero" });
    } finally {
      await relay.stop();
      await slowBroker.close();
    }
  });

  test("when the same message is delivered twice, then its effect is applied once", async () => {
    const outcomes = await consumeThroughInbox("dupes", "orders.order-shipped.v1");
    const orderId = randomUUID();
    const envelope = await broker.publish("orders.order-shipped.v1", {
      orderId,
      customerId: "alice",
      shippedAt: new Date().toISOString(),
    });
    await broker.publishEnvelope(envelope);
    await waitFor(() => outcomes.length === 2 || undefined, { what: "both deliveries" });
    expect(outcomes.sort()).toEqual(["applied", "duplicate"]);
    const [row] = await database.client`select applied from effects where order_id = ${orderId}`;
    expect(row?.applied).toBe(1);
  });

  test("when two relays run against one database, then one aggregate's events arrive once each and in the order written", async () => {
    const seen: number[] = [];
    const aggregateId = randomUUID();
    await consume(consumerNamed("order"), {
      types: ["inventory.inventory-adjusted.v1"],
      prefetch: 1,
      handle: async (envelope) => {
        seen.push(envelope.body.onHand);
      },
    });
    const pair = [1, 2].map(() =>
      startOutboxRelay({ db: database.db, broker, logger, source: "inventory", batchSize: 5, pollIntervalMs: 50 }),
    );
    relays.push(...pair);
    for (let i = 1; i <= 60; i += 1) {
      await database.db.transaction(async (tx) => {
        await pgOutbox.enqueue(tx, {
          type: "inventory.inventory-adjusted.v1",
          aggregateId,
          body: { sku: "SKU-ORDER", delta: 1, onHand: i, reason: "count", by: "ada" },
        });
      });
    }
    await waitFor(() => seen.length >= 60 || undefined, { what: "60 adjustments" });
    await Bun.sleep(200); // a duplicate would arrive right behind
    expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    for (const relay of pair) await relay.stop();
  });

  test("when the relay fails after the broker confirmed but before marking rows sent, then it publishes them again and the inbox absorbs the repeat", async () => {
    const outcomes = await consumeThroughInbox("crash", "orders.order-rejected.v1");
    const ids = Array.from({ length: 10 }, () => randomUUID());
    await database.db.transaction(async (tx) => {
      for (const orderId of ids) {
        await pgOutbox.enqueue(tx, {
          type: "orders.order-rejected.v1",
          aggregateId: orderId,
          body: { orderId, customerId: "bob", reason: "no stock" },
        });
      }
    });
    const real = pgOutbox.store(database.db);
    let crashes = 0;
    const crashingOnce: OutboxStore = {
      ...real,
      relayBatch: (limit, publish) =>
        real.relayBatch(limit, async (rows) => {
          const result = await publish(rows);
          if (crashes === 0) {
            crashes += 1;
            throw new Error("simulated crash before commit");
          }
          return result;
        }),
    };
    const relay = startOutboxRelay({ store: crashingOnce, broker, logger, source: "orders", pollIntervalMs: 50 });
    relays.push(relay);
    await waitFor(() => outcomes.length >= 20 || undefined, { what: "deliveries and redeliveries" });
    expect(outcomes.filter((o) => o === "applied")).toHaveLength(10);
    expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(10);
    const rows = await database.client`select applied from effects where order_id = any(${ids})`;
    expect(rows.map((r) => r.applied)).toEqual(ids.map(() => 1));
    await waitFor(
      async () =>
        Number((await database.client`select count(*)::int as n from messaging_outbox where sent_at is null`)[0]?.n) === 0 || undefined,
      {
        what: "outbox drained",
      },
    );
    await relay.stop();
  });

  test("when sent outbox rows and old inbox rows are purged, then pending rows and recent inbox rows stay", async () => {
    await database.client`delete from messaging_outbox`;
    await database.client`delete from messaging_inbox`;
    const sentId = randomUUID();
    const pendingId = randomUUID();
    await database.db.transaction(async (tx) => {
      await pgOutbox.enqueue(tx, { type: "orders.order-confirmed.v1", body: { orderId: sentId, customerId: "x" } });
      await pgOutbox.enqueue(tx, { type: "orders.order-confirmed.v1", body: { orderId: pendingId, customerId: "x" } });
    });
    await database.client`update messaging_outbox set sent_at = now() - interval '2 days' where body->>'orderId' = ${sentId}`;
    expect(await pgOutbox.store(database.db).purgeSent(new Date(Date.now() - 24 * 3600_000))).toBe(1);
    const rows = await database.client`select body->>'orderId' as id, sent_at from messaging_outbox`;
    expect([...rows]).toEqual([{ id: pendingId, sent_at: null }]);

    for (const messageId of [randomUUID(), randomUUID()]) {
      await pgInbox.handleOnce(database.db, { messageId, type: "orders.order-confirmed.v1" }, "purge-test", async () => {});
    }
    await database.client`update messaging_inbox set handled_at = now() - interval '30 days' where consumer = 'purge-test'
      and message_id = (select min(message_id) from messaging_inbox where consumer = 'purge-test')`;
    expect(await pgInbox.purge(database.db, new Date(Date.now() - 7 * 24 * 3600_000))).toBe(1);
    const [left] = await database.client`select count(*)::int as n from messaging_inbox where consumer = 'purge-test'`;
    expect(left?.n).toBe(1);
  });
});
