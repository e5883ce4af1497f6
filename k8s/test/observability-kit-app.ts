/**
 * A real kit-based process for the observability tests: the kit's createHttpApp + serve, a PostgreSQL
 * readiness check, and (with RABBITMQ_URL) the kit's messaging module publishing to a consumer whose
 * handler fails, so one message goes publish → retry → dead letter. Its /metrics therefore shows the
 * metric names the kit really exports; the tests scrape it and point Prometheus at it.
 *   PORT, DATABASE_URL, RABBITMQ_URL (optional), FIXTURE_SERVICE (default obs-kit-app)
 */
import { createHttpApp, createLogger, postgresCheck, problems, serve, type HealthCheck } from "@meridian/kit";
import { connectBroker, startConsumer, type Broker, type Consumer } from "@meridian/kit/messaging";
import { Elysia, t } from "elysia";

const service = process.env.FIXTURE_SERVICE ?? "obs-kit-app";
const logger = createLogger({ service, version: "0.0.0-test", level: process.env.LOG_LEVEL ?? "warn" });
const checks: HealthCheck[] = [postgresCheck("postgres", process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres")];

let broker: Broker | undefined;
let consumer: Consumer | undefined;
if (process.env.RABBITMQ_URL) {
  broker = await connectBroker({ url: process.env.RABBITMQ_URL, service, logger, exchange: `${service}.events-x` });
  checks.push(broker.healthCheck);
  consumer = await startConsumer({
    broker,
    service,
    types: ["orders.order-confirmed.v1"],
    retry: { delaysMs: [20] },
    queueDepthIntervalMs: 100,
    logger,
    handle: async () => {
      throw new Error("fixture handler always fails");
    },
  });
}

const routes = new Elysia({ prefix: "/api/demo" })
  .get("/ok", () => ({ ok: true }))
  .get("/fail", () => {
    throw problems.internal("fixture failure");
  })
  .post(
    "/publish",
    async () => {
      if (!broker) throw problems.conflict("messaging is off (no RABBITMQ_URL)");
      await broker.publish("orders.order-confirmed.v1", { orderId: crypto.randomUUID(), customerId: "fixture" });
      return { published: true };
    },
    { body: t.Optional(t.Object({})) },
  );

const app = createHttpApp({ service, version: "0.0.0-test", logger, checks }).use(routes);
await serve(app, {
  port: Number(process.env.PORT ?? 0),
  host: "127.0.0.1",
  logger,
  shutdownGraceMs: 2000,
  onShutdown: async () => {
    await consumer?.stop();
    await broker?.close();
  },
});
