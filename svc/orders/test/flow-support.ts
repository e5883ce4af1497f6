/**
 * The whole order flow on real infrastructure: inventory API and orders in-process, the inventory worker as a
 * real child process (`bun svc/inventory-worker/src/main.ts`), one issuer, one unique exchange per test file.
 */
import { startInventory, type RunningInventory } from "@meridian/inventory/app";
import { loadInventoryConfig } from "@meridian/inventory/config";
import { openInventoryDatabase, type InventoryDatabase } from "@meridian/inventory/store";
import {
  bearerCaller,
  createTestDatabase,
  removeTopology,
  startServiceProcess,
  startTestIssuer,
  TEST_RABBITMQ_URL,
  uniqueName,
  waitFor,
  type TestDatabase,
  type Call,
  type ServiceProcess,
  type TestIssuer,
} from "@meridian/kit/testing";
import type { Order } from "../src/domain/order";
import { startOrdersHarness, type OrdersHarness } from "./support";

/** The inventory worker as a child process; `kill()` (SIGKILL) runs no shutdown hooks, in-flight messages stay unacked. */
export type WorkerProcess = ServiceProcess;

export interface Flow {
  issuer: TestIssuer;
  exchange: string;
  queuePrefix: string;
  inventoryDb: TestDatabase;
  inventory: RunningInventory;
  /** Direct connection for assertions on stock. */
  stock: InventoryDatabase;
  orders: OrdersHarness;
  worker: WorkerProcess;
  /** Admin on both APIs. */
  admin: Call;
  inventoryAdmin: Call;
  customer(sub: string): Promise<Call>;
  startWorker(): Promise<WorkerProcess>;
  /** Creates a product with stock and waits until orders' catalogue knows it. */
  stockProduct(sku: string, onHand: number, price?: number): Promise<void>;
  product(sku: string): Promise<{ onHand: number; reserved: number; available: number }>;
  placeOrder(call: Call, lines: { sku: string; quantity: number }[]): Promise<Order>;
  order(id: string): Promise<Order>;
  stop(): Promise<void>;
}

export async function startFlow(prefix: string): Promise<Flow> {
  const issuer = await startTestIssuer();
  const exchange = uniqueName(`${prefix}_events`);
  const queuePrefix = `${uniqueName(prefix)}.`;
  const inventoryDb = await createTestDatabase(`${prefix}_inv`);
  const inventory = await startInventory(
    loadInventoryConfig({
      exit: false,
      env: {
        PORT: "0",
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
        DATABASE_URL: inventoryDb.url,
        RABBITMQ_URL: TEST_RABBITMQ_URL,
        RABBITMQ_EXCHANGE: exchange,
        OIDC_ISSUER: issuer.issuer,
        SHUTDOWN_GRACE_MS: "2000",
      },
    }),
    { handleSignals: false },
  );
  const stock = openInventoryDatabase(inventoryDb.url, { max: 2 });
  const orders = await startOrdersHarness({ prefix: `${prefix}_ord`, issuer, exchange, queuePrefix });
  const inventoryAdmin = bearerCaller(
    inventory.server.url,
    await issuer.token({ sub: "admin-1", scopes: ["inventory.read", "inventory.write"], roles: ["admin"] }),
  );
  const workers: WorkerProcess[] = [];

  async function startWorker(): Promise<WorkerProcess> {
    // Ready = migrated, consuming (queue bound), serving.
    const worker = await startServiceProcess({
      entry: "svc/inventory-worker/src/main.ts",
      env: {
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "warn",
        DATABASE_URL: inventoryDb.url,
        RABBITMQ_URL: TEST_RABBITMQ_URL,
        RABBITMQ_EXCHANGE: exchange,
        RABBITMQ_QUEUE_PREFIX: queuePrefix,
        SHUTDOWN_GRACE_MS: "2000",
      },
      output: "inherit",
    });
    workers.push(worker);
    return worker;
  }

  const flow: Flow = {
    issuer,
    exchange,
    queuePrefix,
    inventoryDb,
    inventory,
    stock,
    orders,
    worker: await startWorker(),
    admin: orders.call,
    inventoryAdmin,
    customer: async (sub) =>
      bearerCaller(orders.url, await issuer.token({ sub, scopes: ["orders.read", "orders.write"], roles: ["customer"] })),
    startWorker,
    async stockProduct(sku, onHand, price = 10) {
      const put = await inventoryAdmin("PUT", `/api/inventory/products/${sku}`, { body: { name: `Product ${sku}`, price } });
      if (put.status !== 201 && put.status !== 200) throw new Error(`PUT product ${sku}: ${put.status} ${await put.text()}`);
      const adjust = await inventoryAdmin("POST", `/api/inventory/products/${sku}/adjustments`, {
        body: { delta: onHand, reason: "test stock" },
      });
      if (adjust.status !== 200) throw new Error(`adjust ${sku}: ${adjust.status} ${await adjust.text()}`);
      await waitFor(async () => (await orders.orders.store.findCatalogueProducts([sku])).has(sku), {
        timeoutMs: 30_000,
        what: `orders catalogue has ${sku}`,
      });
    },
    async product(sku) {
      const res = await inventoryAdmin("GET", `/api/inventory/products/${sku}`);
      return (await res.json()) as { onHand: number; reserved: number; available: number };
    },
    async placeOrder(call, lines) {
      const res = await call("POST", "/api/orders", { body: { lines }, headers: { "idempotency-key": crypto.randomUUID() } });
      if (res.status !== 201) throw new Error(`place order: ${res.status} ${await res.text()}`);
      return (await res.json()) as Order;
    },
    async order(id) {
      return (await (await orders.call("GET", `/api/orders/${id}`)).json()) as Order;
    },
    async stop() {
      for (const worker of workers) await worker.stop();
      await orders.stop();
      await inventory.stop();
      await stock.close();
      await removeTopology([`${queuePrefix}inventory-worker`], exchange);
      await issuer.stop();
      await inventoryDb.drop();
    },
  };
  return flow;
}

/** Polls until every order has left `pending`; returns them. */
export async function settled(flow: Flow, ids: string[], timeoutMs = 60_000): Promise<Order[]> {
  return waitFor(
    async () => {
      const orders = await Promise.all(ids.map((id) => flow.orders.orders.store.getOrder(id)));
      if (orders.some((o) => !o || o.status === "pending")) return undefined;
      return Promise.all(ids.map((id) => flow.order(id)));
    },
    { timeoutMs, intervalMs: 100, what: `${ids.length} orders settled` },
  );
}
