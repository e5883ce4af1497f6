/** Starts the orders service in-process against fresh databases, a unique exchange and a loopback token issuer. */
import amqp from "amqplib";
import { createTestDatabase, startTestIssuer, TEST_RABBITMQ_URL, uniqueName, type TestDatabase, type TestIssuer } from "@meridian/kit/testing";
import { startOrders, type RunningOrders } from "../src/app";
import { loadOrdersConfig } from "../src/config";

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Call = (method: string, path: string, options?: CallOptions) => Promise<Response>;

export function caller(baseUrl: string, defaultToken: string): Call {
  return (method, path, options = {}) => {
    const token = options.token === undefined ? defaultToken : options.token;
    return fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  };
}

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
    call: caller(orders.server.url, admin),
    async stop() {
      await orders.stop();
      if (ownIssuer) await issuer.stop();
      await deleteRabbitResources({ exchange: options.exchange ? undefined : exchange, queuePrefix: `${queuePrefix}orders` });
      await db.drop();
    },
  };
}

/** Deletes a test's exchange and the queues `<queuePrefix>.events|.retry.n|.error`. */
export async function deleteRabbitResources(options: { exchange?: string; queuePrefix?: string }): Promise<void> {
  const connection = await amqp.connect(TEST_RABBITMQ_URL);
  try {
    const channel = await connection.createChannel();
    channel.on("error", () => {});
    if (options.queuePrefix) {
      for (const suffix of ["events", "retry.1", "retry.2", "retry.3", "error"]) {
        await channel.deleteQueue(`${options.queuePrefix}.${suffix}`);
      }
    }
    if (options.exchange) await channel.deleteExchange(options.exchange);
  } finally {
    await connection.close().catch(() => {});
  }
}

export function customerToken(issuer: TestIssuer, sub: string): Promise<string> {
  return issuer.token({ sub, scopes: ["orders.read", "orders.write"], roles: ["customer"] });
}
