/** Starts the inventory API in-process against a fresh database, a unique exchange and a loopback token issuer. */
import {
  bearerCaller,
  createTestDatabase,
  removeTopology,
  startTestIssuer,
  TEST_RABBITMQ_URL,
  uniqueName,
  type Call,
  type TestDatabase,
  type TestIssuer,
} from "@meridian/kit/testing";
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
  call: Call;
  stop(): Promise<void>;
}

export async function startInventoryHarness(prefix = "inventory", env: Record<string, string> = {}): Promise<InventoryHarness> {
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
      ...env,
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
    call: bearerCaller(url, adminToken),
    async stop() {
      await inventory.stop();
      await issuer.stop();
      await removeTopology([], exchange);
      await db.drop();
    },
  };
}
