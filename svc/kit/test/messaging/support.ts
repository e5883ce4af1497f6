/**
 * Test support for the messaging suites: a fresh PostgreSQL database, unique names, cutting our own
 * broker connection from the server side, and reading queues (the kit's removeTopology cleans up).
 */
import amqp from "amqplib";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { createLogger, type Logger } from "../../src/logging";
import { createMessagingTables } from "../../src/messaging";
import { TEST_RABBITMQ_URL, closeConnectionsWhere, createTestDatabase, removeTopology, uniqueName, waitFor } from "../../src/testing";

export const RABBITMQ_URL = TEST_RABBITMQ_URL;
export { removeTopology, uniqueName, waitFor };

export function testLogger(): Logger {
  return createLogger({ service: "messaging-test", version: "test", level: process.env.TEST_LOG_LEVEL ?? "silent" });
}

/** A fresh database (kit's createTestDatabase) with the messaging tables and a drizzle handle. */
export async function createTestDb(prefix: string) {
  const database = await createTestDatabase(prefix);
  const client = postgres(database.url, { max: 10, onnotice: () => {} });
  const db = drizzle({ client });
  await createMessagingTables(db);
  return {
    ...database,
    client,
    db,
    async drop() {
      await client.end({ timeout: 5 });
      await database.drop();
    },
  };
}

/** Closes (from the server side) every broker connection whose connection_name is `connectionName`. */
export function closeConnectionByName(connectionName: string, reason = "test cut"): Promise<number> {
  return closeConnectionsWhere(["client_properties"], (line) => line.includes(`{"connection_name","${connectionName}"}`), reason);
}

/** Reads queue state and publishes raw messages, on a connection of its own. */
export async function brokerAdmin() {
  const connection = await amqp.connect(RABBITMQ_URL, { clientProperties: { connection_name: uniqueName("test-admin") } });
  connection.on("error", () => {});
  const ch = await connection.createChannel();
  ch.on("error", () => {});
  return {
    async messageCount(queue: string): Promise<number> {
      const check = await connection.createChannel();
      check.on("error", () => {});
      try {
        return (await check.checkQueue(queue)).messageCount;
      } finally {
        await check.close().catch(() => {});
      }
    },
    async get(queue: string) {
      const msg = await ch.get(queue, { noAck: true });
      return msg || undefined;
    },
    async declareClassicQueue(queue: string): Promise<void> {
      const declare = await connection.createChannel();
      declare.on("error", () => {});
      await declare.assertQueue(queue, { durable: true });
      await declare.close().catch(() => {});
    },
    async publishRaw(exchange: string, routingKey: string, content: Buffer, headers: Record<string, string> = {}) {
      ch.publish(exchange, routingKey, content, { persistent: true, contentType: "application/json", headers });
    },
    async close() {
      await connection.close().catch(() => {});
    },
  };
}
