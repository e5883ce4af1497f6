/** Starts the orders service in-process against fresh databases, a unique exchange and a loopback token issuer. */
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
import { startOrders, type RunningOrders } from "../src/app";
import { loadOrdersConfig } from "../src/config";

export interface OrdersHarness {
  url: string;
  db: TestDatabase;
  issuer: TestIssuer;
  exchange: string;
  queuePrefix: string;
  orders: RunningOrders;
  call: Call;
  stop(): Promise<void>;
}

/** `issuer`/`exchange` may be shared with other services of the same test. */
export async function startOrdersHarness(options: {
  prefix: string;
  issuer?: TestIssuer;
  exchange?: string;
  queuePrefix?: string;
}): Promise<OrdersHarness> {
  const db = await createTestDatabase(options.prefix);
  const ownIssuer = !options.issuer;
  const issuer = options.issuer ?? (await startTestIssuer());
  const exchange = options.exchange ?? uniqueName(`${options.prefix}_events`);
  const queuePrefix = options.queuePrefix ?? `${uniqueName(options.prefix)}.`;
  const config = loadOrdersConfig({
    exit: false,
    env: {
      PORT: "0",
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      ORDERS_STORE: "postgres",
      DATABASE_URL: db.url,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
      RABBITMQ_EXCHANGE: exchange,
      RABBITMQ_QUEUE_PREFIX: queuePrefix,
      OIDC_ISSUER: issuer.issuer,
      OIDC_AUDIENCE: "meridian-api",
      SHUTDOWN_GRACE_MS: "2000",
      DATABASE_POOL_MAX: "20",
    },
  });
  const orders = await startOrders(config, { handleSignals: false });
  const admin = await issuer.token({ sub: "admin-1", scopes: ["orders.read", "orders.write"], roles: ["admin"] });
  return {
    url: orders.server.url,
    db,
    issuer,
    exchange,
    queuePrefix,
    orders,
    call: bearerCaller(orders.server.url, admin),
    async stop() {
      await orders.stop();
      if (ownIssuer) await issuer.stop();
      await removeTopology([`${queuePrefix}orders`], options.exchange ? undefined : exchange);
      await db.drop();
    },
  };
}

export function customerToken(issuer: TestIssuer, sub: string): Promise<string> {
  return issuer.token({ sub, scopes: ["orders.read", "orders.write"], roles: ["customer"] });
}
