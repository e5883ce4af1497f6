/**
 * Contract test of the SQL Server outbox/inbox: the same behaviour as the PostgreSQL variant.
 * Runs only where SQL Server is reachable (MSSQL_URL, e.g. the compose stack or CI with a SQL Server service).
 */
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-mssql";
import mssql from "mssql";
import {
  type Broker,
  type Consumer,
  type MssqlDatabase,
  type OutboxRelay,
  connectBroker,
  createMssqlMessagingTables,
  mssqlInbox,
  mssqlOutbox,
  startConsumer,
  startOutboxRelay,
} from "../../src/messaging";
import { RABBITMQ_URL, removeTopology, testLogger, uniqueName, waitFor } from "./support";

// Real broker and database round trips, with reconnects: more than bun's 5 s default.
setDefaultTimeout(30_000);

const MSSQL_URL = process.env.MSSQL_URL;

describe.skipIf(!MSSQL_URL)("SQL Server outbox and inbox (needs MSSQL_URL; SQL Server is not on this machine)", () => {
  const exchange = uniqueName("test.mssql");
  const service = uniqueName("mssql-test");
  const databaseName = uniqueName("kit_mssql");
  const logger = testLogger();
  let master: mssql.ConnectionPool;
  let pool: mssql.ConnectionPool;
  let db: MssqlDatabase;
  let broker: Broker;
  let consumer: Consumer;
  let relay: OutboxRelay;
  const outcomes = new Map<string, string[]>();

  beforeAll(async () => {
    master = await new mssql.ConnectionPool(MSSQL_URL as string).connect();
    await master.request().batch(`CREATE DATABASE [${databaseName}]`);
    const config = mssql.ConnectionPool.parseConnectionString(MSSQL_URL as string);
    pool = await new mssql.ConnectionPool({ ...config, database: databaseName }).connect();
    db = drizzle({ client: pool });
    await createMssqlMessagingTables(db);
    await createMssqlMessagingTables(db); // idempotent
    await db.execute(sql`create table effects (order_id nvarchar(64) primary key, applied int not null)`);
    broker = await connectBroker({ url: RABBITMQ_URL, service, logger, exchange });
    consumer = await startConsumer({
      broker,
      service,
      types: ["orders.order-confirmed.v1"],
      retry: { delaysMs: [50] },
      handle: async (envelope) => {
        const outcome = await mssqlInbox.handleOnce(db, envelope, service, async (tx) => {
          await tx.execute(sql`insert into effects (order_id, applied) values (${envelope.body.orderId}, 1)`);
        });
        outcomes.set(envelope.body.orderId, [...(outcomes.get(envelope.body.orderId) ?? []), outcome]);
        return outcome;
      },
    });
    relay = startOutboxRelay({ store: mssqlOutbox.store(db), broker, logger, source: "orders", pollIntervalMs: 100 });
  });

  afterAll(async () => {
    await relay?.stop();
    await consumer?.stop();
    await broker?.close();
    await removeTopology([service], exchange, 1);
    await pool?.close();
    await master
      ?.request()
      .batch(`ALTER DATABASE [${databaseName}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [${databaseName}]`);
    await master?.close();
  });

  test("when a transaction rolls back, then its outbox event is gone with it", async () => {
    await db
      .transaction(async (tx) => {
        await mssqlOutbox.enqueue(tx, { type: "orders.order-confirmed.v1", body: { orderId: randomUUID(), customerId: "alice" } });
        throw new Error("rolled back");
      })
      .catch(() => {});
    const [row] = await db.execute<{ n: number }>(sql`select count(*) as n from messaging_outbox`, "objects");
    expect(Number(row?.n)).toBe(0);
  });

  test("when events are written through the outbox, then the relay publishes them in order and marks them sent", async () => {
    const ids = Array.from({ length: 20 }, () => randomUUID());
    for (const orderId of ids) {
      await db.transaction(async (tx) => {
        await mssqlOutbox.enqueue(tx, { type: "orders.order-confirmed.v1", body: { orderId, customerId: "alice" }, aggregateId: orderId });
      });
    }
    await waitFor(() => ids.every((id) => outcomes.get(id)?.[0] === "applied"), { timeoutMs: 20_000, what: "all applied" });
    const [pending] = await db.execute<{ n: number }>(sql`select count(*) as n from messaging_outbox where sent_at is null`, "objects");
    expect(Number(pending?.n)).toBe(0);
  });

  test("when the same message is delivered twice, then its effect is applied once", async () => {
    const orderId = randomUUID();
    const envelope = await broker.publish("orders.order-confirmed.v1", { orderId, customerId: "bob" });
    await broker.publishEnvelope(envelope);
    await waitFor(() => (outcomes.get(orderId)?.length ?? 0) >= 2 || undefined, { what: "both deliveries" });
    expect([...(outcomes.get(orderId) ?? [])].sort()).toEqual(["applied", "duplicate"]);
    const [row] = await db.execute<{ n: number }>(sql`select count(*) as n from effects where order_id = ${orderId}`, "objects");
    expect(Number(row?.n)).toBe(1);
  });
});
