/**
 * The files of a new service, from the kit: config, app through `startService`, one route with schema and OpenAPI,
 * a store with a drizzle migration, a consumer with the inbox, tests and a README. `{{...}}` never appears: each
 * template is a function of the service's names.
 */
export interface ServiceNames {
  /** kebab-case, e.g. `loyalty-points` */
  name: string;
  /** PascalCase, e.g. `LoyaltyPoints` */
  pascal: string;
  /** SCREAMING_SNAKE, e.g. `LOYALTY_POINTS` */
  constant: string;
  /** snake_case, for the database, e.g. `loyalty_points` */
  snake: string;
  port: number;
}

export function namesOf(name: string, port: number): ServiceNames {
  const parts = name.split("-");
  return {
    name,
    pascal: parts.map((p) => p[0]!.toUpperCase() + p.slice(1)).join(""),
    constant: parts.join("_").toUpperCase(),
    snake: parts.join("_"),
    port,
  };
}

const packageJson = (n: ServiceNames) => `{
  "name": "@meridian/${n.name}",
  "version": "0.1.0",
  "private": true,
  "type": "module",
  "description": "${n.pascal}: records the orders it hears of and answers whether it has seen one (scaffolded by bun run new-service)",
  "scripts": {
    "start": "bun src/main.ts",
    "test": "bun test"
  },
  "dependencies": {
    "@meridian/kit": "workspace:*",
    "drizzle-orm": "1.0.0-rc.5",
    "elysia": "1.4.30",
    "postgres": "3.4.9"
  },
  "devDependencies": {
    "@types/bun": "1.4.5"
  }
}
`;

const config = (
  n: ServiceNames,
) => `/** ${n.pascal} configuration: the kit's fragments plus its database (required: no development fallback). */
import { t } from "elysia";
import { baseConfig, loadConfig, messagingConfig, oidcConfig, type LoadConfigOptions } from "@meridian/kit";

export const ${n.pascal}ConfigSchema = t.Object({
  ...baseConfig({ port: ${n.port} }),
  DATABASE_URL: t.String({ minLength: 1 }),
  DATABASE_POOL_MAX: t.Integer({ minimum: 1, maximum: 100, default: 10 }),
  ...messagingConfig(),
  ...oidcConfig(),
});

export type ${n.pascal}Config = typeof ${n.pascal}ConfigSchema.static;

export function load${n.pascal}Config(options?: LoadConfigOptions): ${n.pascal}Config {
  return loadConfig(${n.pascal}ConfigSchema, options);
}
`;

const app = (n: ServiceNames) => `/**
 * Wires ${n.name}: database (migrated at start), broker, consumer (inbox), routes — started by the kit's
 * \`startService\`. \`main.ts\` runs it as a process; tests start it in-process on a free port.
 */
import { consumerName, postgresCheck, retryOption, retryTransient, startService, type Logger, type RunningService } from "@meridian/kit";
import { verifierFromConfig } from "@meridian/kit/auth";
import { connectBrokerFromConfig } from "@meridian/kit/messaging";
import type { ${n.pascal}Config } from "./config";
import { startOrdersConsumer } from "./messaging/orders-consumer";
import { ${n.name.replace(/-(.)/g, (_, c: string) => c.toUpperCase())}Routes } from "./routes";
import { ${n.pascal}Store, migrate${n.pascal}Database, open${n.pascal}Database } from "./store";

export const SERVICE = "${n.name}";
export const VERSION = "0.1.0";

export interface Running${n.pascal} {
  server: RunningService;
  stop(): Promise<void>;
}

export async function start${n.pascal}(
  config: ${n.pascal}Config,
  options: { logger?: Logger; handleSignals?: boolean } = {},
): Promise<Running${n.pascal}> {
  const server = await startService({
    name: SERVICE,
    version: VERSION,
    config,
    ...options,
    openapi: { title: "${n.pascal} API", description: "Whether ${n.name} has seen an order." },
    async start({ logger }) {
      const database = open${n.pascal}Database(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX });
      // PostgreSQL may be restarting as the process starts: retry, don't crash-loop.
      await retryTransient(() => migrate${n.pascal}Database(database.db), { attempts: 10, logger, what: "migrations" });
      const store = new ${n.pascal}Store(database.db);
      const broker = await connectBrokerFromConfig(config, { service: SERVICE, logger });
      const consumer = await startOrdersConsumer({ broker, db: database.db, store, queueService: consumerName(config, SERVICE), logger, ...retryOption(config) });
      return {
        stores: [{ checks: [postgresCheck("postgres", database.sql)], close: () => database.close() }],
        broker,
        consumers: [consumer],
        routes: [${n.name.replace(/-(.)/g, (_, c: string) => c.toUpperCase())}Routes({ store, verifier: verifierFromConfig(config) })],
      };
    },
  });
  return { server, stop: () => server.stop() };
}
`;

const main = (n: ServiceNames) => `import { start${n.pascal} } from "./app";
import { load${n.pascal}Config } from "./config";

await start${n.pascal}(load${n.pascal}Config(), { handleSignals: true });
`;

const routes = (n: ServiceNames) => `/** HTTP API of ${n.name}: one example route, its schemas (validation and OpenAPI) and its scope. */
import { Elysia, t } from "elysia";
import { problems } from "@meridian/kit";
import { authPlugin, type TokenVerifier } from "@meridian/kit/auth";
import type { ${n.pascal}Store } from "../store";

const SeenOrder = t.Object({ orderId: t.String({ format: "uuid" }), customerId: t.String(), seenAt: t.String({ format: "date-time" }) });

export function ${n.name.replace(/-(.)/g, (_, c: string) => c.toUpperCase())}Routes(deps: { store: ${n.pascal}Store; verifier: TokenVerifier }) {
  return new Elysia({ prefix: "/api/${n.name}", name: "${n.name}-api" })
    .use(authPlugin(deps.verifier))
    .guard({ scopes: ["${n.name}.read"] }, (app) =>
      app.get(
        "/orders/:orderId",
        async ({ params }) => {
          const seen = await deps.store.findOrder(params.orderId);
          if (!seen) throw problems.notFound(\`Order \${params.orderId} has not been seen.\`);
          return seen;
        },
        {
          params: t.Object({ orderId: t.String({ format: "uuid" }) }),
          response: { 200: SeenOrder },
          detail: { summary: "Whether an order has been seen (from orders.order-created.v1)", security: [{ bearer: [] }] },
        },
      ),
    );
}
`;

const storeSchema = (
  n: ServiceNames,
) => `/** The tables of ${n.name}: its own, plus the kit's messaging tables (inbox, outbox) for drizzle-kit. */
import { pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export { inboxMessages, outboxMessages } from "@meridian/kit/messaging";

export const seenOrders = pgTable("seen_orders", {
  orderId: uuid("order_id").primaryKey(),
  customerId: text("customer_id").notNull(),
  seenAt: timestamp("seen_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
});
`;

const store = (
  n: ServiceNames,
) => `/** ${n.pascal}'s PostgreSQL store: the pool, the migrations (drizzle/), and what the routes and consumer need. */
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { resolve } from "node:path";
import type postgres from "postgres";
import { openPostgres } from "@meridian/kit";
import type { PgDatabase, PgTransaction } from "@meridian/kit/messaging";
import { seenOrders } from "./schema";

const migrationsFolder = resolve(import.meta.dir, "../../drizzle");

export interface ${n.pascal}Database {
  sql: postgres.Sql;
  db: PgDatabase;
  close(): Promise<void>;
}

export function open${n.pascal}Database(url: string, options: { max?: number } = {}): ${n.pascal}Database {
  const client = openPostgres(url, { max: options.max ?? 10, applicationName: "${n.name}" });
  const db = drizzle({ client }) as unknown as PgDatabase;
  return { sql: client, db, close: () => client.end({ timeout: 5 }) };
}

/** Applies drizzle/ (idempotent; replicas starting together take turns under an advisory lock). */
export async function migrate${n.pascal}Database(db: PgDatabase): Promise<void> {
  await db.execute(sql\`select pg_advisory_lock(hashtext('${n.name}-migrations'))\`);
  try {
    await migrate(db as unknown as Parameters<typeof migrate>[0], { migrationsFolder });
  } finally {
    await db.execute(sql\`select pg_advisory_unlock(hashtext('${n.name}-migrations'))\`);
  }
}

export interface SeenOrder {
  orderId: string;
  customerId: string;
  seenAt: string;
}

export class ${n.pascal}Store {
  constructor(private readonly db: PgDatabase) {}

  /** Inside the inbox transaction of the consumer: the effect commits with the inbox row. */
  async recordOrder(tx: PgTransaction, orderId: string, customerId: string): Promise<void> {
    await tx.insert(seenOrders).values({ orderId, customerId }).onConflictDoNothing();
  }

  async findOrder(orderId: string): Promise<SeenOrder | undefined> {
    const [row] = await this.db.select().from(seenOrders).where(eq(seenOrders.orderId, orderId));
    return row ? { orderId: row.orderId, customerId: row.customerId, seenAt: new Date(row.seenAt).toISOString() } : undefined;
  }
}
`;

const migration = () => `CREATE TABLE "messaging_inbox" (
\t"consumer" text NOT NULL,
\t"message_id" text NOT NULL,
\t"type" text NOT NULL,
\t"handled_at" timestamp with time zone DEFAULT now() NOT NULL,
\tCONSTRAINT "messaging_inbox_pkey" PRIMARY KEY("consumer","message_id")
);
--> statement-breakpoint
CREATE INDEX "messaging_inbox_handled_at_idx" ON "messaging_inbox" ("handled_at");
--> statement-breakpoint
CREATE TABLE "seen_orders" (
\t"order_id" uuid PRIMARY KEY,
\t"customer_id" text NOT NULL,
\t"seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
`;

const consumer = (
  n: ServiceNames,
) => `/** Consumes orders.order-created.v1: each message applied once (inbox row and effect in one transaction). */
import type { Logger } from "@meridian/kit";
import { pgInbox, startConsumer, type Broker, type Consumer, type PgDatabase } from "@meridian/kit/messaging";
import type { ${n.pascal}Store } from "../store";

export interface OrdersConsumerOptions {
  broker: Broker;
  db: PgDatabase;
  store: ${n.pascal}Store;
  /** The queue owner (\`<prefix>${n.name}\`). */
  queueService: string;
  logger: Logger;
  retry?: { delaysMs: number[] };
}

export function startOrdersConsumer(options: OrdersConsumerOptions): Promise<Consumer> {
  const { db, store, queueService } = options;
  return startConsumer({
    broker: options.broker,
    service: queueService,
    logger: options.logger,
    types: ["orders.order-created.v1"],
    ...(options.retry ? { retry: options.retry } : {}),
    handle: (envelope, { signal }) =>
      pgInbox.handleOnce(db, envelope, queueService, (tx) => store.recordOrder(tx, envelope.body.orderId, envelope.body.customerId), { signal }),
  });
}
`;

const test = (n: ServiceNames) => `import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { createLogger } from "@meridian/kit";
import { connectBroker, type Broker } from "@meridian/kit/messaging";
import {
  createTestDatabase,
  removeTopology,
  startTestIssuer,
  TEST_RABBITMQ_URL,
  uniqueName,
  waitFor,
  type TestDatabase,
  type TestIssuer,
} from "@meridian/kit/testing";
import { start${n.pascal}, type Running${n.pascal} } from "../src/app";
import { load${n.pascal}Config } from "../src/config";

const logger = createLogger({ service: "${n.name}-test", version: "0.0.0", level: "silent" });
const exchange = uniqueName("test.${n.name}");
const queuePrefix = \`\${uniqueName("${n.name}-test")}-\`;
let issuer: TestIssuer;
let db: TestDatabase;
let service: Running${n.pascal};
let orders: Broker;
let token: string;

beforeAll(async () => {
  issuer = await startTestIssuer();
  db = await createTestDatabase("${n.snake}");
  const config = load${n.pascal}Config({
    exit: false,
    env: {
      PORT: "0",
      DATABASE_URL: db.url,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
      RABBITMQ_EXCHANGE: exchange,
      RABBITMQ_QUEUE_PREFIX: queuePrefix,
      CONSUMER_RETRY_DELAYS_MS: "100,200",
      OIDC_ISSUER: issuer.issuer,
      OIDC_JWKS_URL: issuer.jwksUrl,
      SHUTDOWN_GRACE_MS: "1000",
    },
  });
  service = await start${n.pascal}(config, { logger });
  orders = await connectBroker({ url: TEST_RABBITMQ_URL, service: "orders", logger, exchange });
  token = await issuer.token({ sub: "ada", scopes: ["${n.name}.read"] });
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await orders?.close();
  await removeTopology([\`\${queuePrefix}${n.name}\`], exchange);
  await db?.drop();
  await issuer?.stop();
}, 30_000);

const seen = (orderId: string, bearer = token) =>
  fetch(\`\${service.server.url}/api/${n.name}/orders/\${orderId}\`, { headers: bearer ? { authorization: \`Bearer \${bearer}\` } : {} });

describe("${n.name}", () => {
  test("when an order is created, then the service has seen it once", async () => {
    const orderId = randomUUID();
    const body = { orderId, customerId: "alice", lines: [{ sku: "SKU-1", quantity: 1, unitPrice: 5 }], total: 5, createdAt: new Date().toISOString() };
    await orders.publish("orders.order-created.v1", body);
    const res = await waitFor(async () => {
      const r = await seen(orderId);
      return r.status === 200 ? r : undefined;
    }, { timeoutMs: 15_000, what: "the order to be seen" });
    expect(await res.json()).toMatchObject({ orderId, customerId: "alice" });
  }, 30_000);

  test("when an unknown order is asked for, then 404 problem+json; without a token, 401", async () => {
    const unknown = await seen(randomUUID());
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");
    expect((await seen(randomUUID(), "")).status).toBe(401);
    expect((await seen("not-a-uuid")).status).toBe(400);
  });

  test("when readiness is asked, then the database, the broker and the consumer are up", async () => {
    const res = await fetch(\`\${service.server.managementUrl}/health/ready\`);
    expect(res.status).toBe(200);
    const report = (await res.json()) as { checks: Array<{ name: string; status: string }> };
    expect(report.checks.every((c) => c.status === "up")).toBe(true);
    expect(report.checks.length).toBeGreaterThanOrEqual(3);
  });

  test("when the OpenAPI document is read, then the example route is documented", async () => {
    const doc = (await (await fetch(\`\${service.server.url}/openapi/json\`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain("/api/${n.name}/orders/{orderId}");
  });
});
`;

const readme = (n: ServiceNames) => `# ${n.name}

Scaffolded by \`bun run new-service ${n.name}\` (docs/adding-a-service.md). Replace this page with what the service
is for.

| | |
|---|---|
| port | ${n.port} (PORT); health and metrics on MANAGEMENT_PORT when set |
| database | PostgreSQL \`meridian_${n.snake}\` (DATABASE_URL, required), migrations in \`drizzle/\` |
| consumes | \`orders.order-created.v1\` (queue \`${n.name}.events\`, inbox) |
| publishes | nothing yet |
| API | \`GET /api/${n.name}/orders/{orderId}\` (scope \`${n.name}.read\`), OpenAPI at \`/openapi\` |

Run its tests: \`cd svc/${n.name} && bun test test\`. Start it: \`bun svc/${n.name}/src/main.ts\` (needs DATABASE_URL).
`;

/** Every file of the new workspace, by path relative to the repository root. */
export function serviceFiles(n: ServiceNames): Record<string, string> {
  const dir = `svc/${n.name}`;
  return {
    [`${dir}/package.json`]: packageJson(n),
    [`${dir}/tsconfig.json`]: `{ "extends": "../../tsconfig.json", "include": ["src", "test", "*.ts"] }\n`,
    [`${dir}/README.md`]: readme(n),
    [`${dir}/src/config.ts`]: config(n),
    [`${dir}/src/app.ts`]: app(n),
    [`${dir}/src/main.ts`]: main(n),
    [`${dir}/src/routes/index.ts`]: routes(n),
    [`${dir}/src/store/schema.ts`]: storeSchema(n),
    [`${dir}/src/store/index.ts`]: store(n),
    [`${dir}/src/messaging/orders-consumer.ts`]: consumer(n),
    [`${dir}/drizzle/20260101000000_init/migration.sql`]: migration(),
    [`${dir}/test/${n.name}.test.ts`]: test(n),
  };
}
