/** Starts the inventory API in-process against a fresh database, a unique exchange and a loopback token issuer. */
import amqp from "amqplib";
import { createTestDatabase, startTestIssuer, TEST_RABBITMQ_URL, uniqueName, type TestDatabase, type TestIssuer } from "@meridian/kit/testing";
import { startInventory, type RunningInventory } from "../src/app";
import { loadInventoryConfig } from "../src/config";

export interface InventoryHarness {
  url: string;
  db: TestDatabase;
  issuer: TestIssuer;
  exchange: string;
  inventory: RunningInventory;
  adminToken: string;
  readerToken: string;
  call(method: string, path: string, options?: { token?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  stop(): Promise<void>;
}

export async function startInventoryHarness(prefix = "inventory"): Promise<InventoryHarness> {
  const db = await createTestDatabase(prefix);
  const issuer = await startTestIssuer();
  const exchange = uniqueName(`${prefix}_events`);
  const config = loadInventoryConfig({
    exit: false,
    env: {
      PORT: "0",
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      DATABASE_URL: db.url,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
      RABBITMQ_EXCHANGE: exchange,
      OIDC_ISSUER: issuer.issuer,
      OIDC_AUDIENCE: "meridian-api",
      SHUTDOWN_GRACE_MS: "2000",
    },
  });
  const inventory = await startInventory(config, { handleSignals: false });
  const adminToken = await issuer.token({ sub: "admin-1", scopes: ["inventory.read", "inventory.write"], roles: ["admin"] });
  const readerToken = await issuer.token({ sub: "customer-1", scopes: ["inventory.read"], roles: ["customer"] });
  const url = inventory.server.url;
  return {
    url,
    db,
    issuer,
    exchange,
    inventory,
    adminToken,
    readerToken,
    call(method, path, options = {}) {
      const token = options.token === undefined ? adminToken : options.token;
      return fetch(`${url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
          ...options.headers,
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
    },
    async stop() {
      await inventory.stop();
      await issuer.stop();
      await deleteExchange(exchange);
      await db.drop();
    },
  };
}

export async function deleteExchange(exchange: string, queues: string[] = []): Promise<void> {
  const connection = await amqp.connect(TEST_RABBITMQ_URL);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue).catch(() => {});
    await channel.deleteExchange(exchange).catch(() => {});
  } finally {
    await connection.close().catch(() => {});
  }
}
