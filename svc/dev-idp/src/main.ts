/**
 * Development OpenID provider for local runs and tests (never deployed). Configured from the Keycloak realm
 * export so the two cannot drift; issuer http://localhost:<PORT>/realms/meridian.
 */
import { t } from "elysia";
import { baseConfig, createLogger, loadConfig } from "@meridian/kit";
import { DEFAULT_REALM_FILE, loadRealm } from "./realm";
import { startDevIdp } from "./server";

const config = loadConfig(
  t.Object({
    ...baseConfig({ port: 8081 }),
    REALM_FILE: t.String({ minLength: 1, default: DEFAULT_REALM_FILE, description: "Keycloak realm export to serve" }),
    DEV_IDP_LOOPBACK_ANY_PORT: t.Boolean({ default: false, description: "loopback redirect URIs match on any port (test harnesses)" }),
    DEV_IDP_PUBLIC_HOST: t.String({ minLength: 1, default: "localhost", description: "host name in the issuer URL" }),
  }),
);

const logger = createLogger({ service: "dev-idp", version: "0.1.0", level: config.LOG_LEVEL });
const idp = await startDevIdp({
  realm: loadRealm(config.REALM_FILE),
  port: config.PORT,
  host: config.HOST,
  publicHost: config.DEV_IDP_PUBLIC_HOST,
  anyLoopbackPort: config.DEV_IDP_LOOPBACK_ANY_PORT,
  log: (level, msg, fields) => logger[level](fields ?? {}, msg),
});
logger.info({ issuer: idp.issuer, discovery: `${idp.issuer}/.well-known/openid-configuration` }, "ready");

const shutdown = (signal: string) => {
  logger.info({ signal }, "stopping");
  idp.stop().then(() => process.exit(0));
  setTimeout(() => process.exit(0), config.SHUTDOWN_GRACE_MS).unref();
};
process.once("SIGTERM", () => shutdown("SIGTERM"));
process.once("SIGINT", () => shutdown("SIGINT"));
