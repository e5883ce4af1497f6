/** Admin console backend-for-frontend: `bun svc/admin-bff/src/main.ts` (port 5106). */
import Redis from "ioredis";
import { createLogger, serve, serveOptions } from "@meridian/kit";
import { createBff, SERVICE, VERSION } from "./app";
import { loadBffConfig } from "./config";

const config = loadBffConfig();
const logger = createLogger({ service: SERVICE, version: VERSION, level: config.LOG_LEVEL });
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: false });
redis.on("error", (err) => logger.warn({ err: err.message }, "redis error"));

const { app } = createBff({ config, redis, logger });
await serve(app, {
  ...serveOptions(config),
  logger,
  onShutdown: async () => {
    await redis.quit();
  },
});
logger.info({ issuer: config.OIDC_ISSUER, gateway: config.GATEWAY_URL, publicUrl: config.BFF_PUBLIC_URL }, "admin BFF ready");
