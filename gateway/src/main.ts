/**
 * Meridian API gateway: Ocelot-compatible routing from GATEWAY_ROUTES (an ocelot.json), bearer-token
 * authentication against OIDC_ISSUER, rate limiting, QoS and load balancing.
 */
import {
  baseConfig,
  createHttpApp,
  createLogger,
  initTelemetry,
  loadConfig,
  managementAppOf,
  serve,
  serveOptions,
  type Listenable,
} from "@meridian/kit";
import { appFile } from "@meridian/kit/app-files";
import { verifierFromConfig } from "@meridian/kit/auth";
import { Type as t } from "@sinclair/typebox";
import { GatewayConfigError, loadRoutesFile, type GatewayRoutes } from "./config";
import { createGateway, gatewayListener } from "./gateway";

const VERSION = "0.1.0";

const config = loadConfig(
  t.Object({
    ...baseConfig({ port: 8080 }),
    GATEWAY_ROUTES: t.String({ minLength: 1, default: appFile("gateway/ocelot.json", import.meta.dir) }),
    OIDC_ISSUER: t.Optional(t.String({ pattern: "^https?://" })),
    OIDC_JWKS_URL: t.Optional(t.String({ pattern: "^https?://" })),
    OIDC_AUDIENCE: t.Optional(t.String({ minLength: 1 })),
  }),
);

const logger = createLogger({ service: "gateway", version: VERSION, level: config.LOG_LEVEL });
// As the kit's startService does: spans and metrics under OTEL_SERVICE_NAME when it is set (the gateway's own
// endpoints and the proxy share this one registration).
const telemetry = initTelemetry({
  serviceName: config.OTEL_SERVICE_NAME ?? "gateway",
  version: VERSION,
  ...(config.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
});

let routes: GatewayRoutes;
try {
  routes = await loadRoutesFile(config.GATEWAY_ROUTES);
} catch (err) {
  if (err instanceof GatewayConfigError) {
    console.error(`config error: GATEWAY_ROUTES: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
if (!config.OIDC_ISSUER && routes.routes.some((r) => r.authenticated)) {
  console.error("config error: OIDC_ISSUER is required: routes use AuthenticationOptions");
  process.exit(1);
}

const verifier = config.OIDC_ISSUER ? verifierFromConfig({ ...config, OIDC_ISSUER: config.OIDC_ISSUER }) : undefined;

// The kit app serves the gateway's own endpoints (health, metrics, OpenAPI); every other path is proxied.
const app = createHttpApp({
  service: "gateway",
  version: VERSION,
  logger,
  telemetry,
  bodyLimitBytes: config.BODY_LIMIT_BYTES,
  openapi: { title: "Meridian gateway" },
  // With MANAGEMENT_PORT, health and metrics are served there only (the proxy answers no route for them here).
  separateManagement: config.MANAGEMENT_PORT !== undefined,
});
const gateway = createGateway({
  config: routes,
  verifier,
  logger,
  service: "gateway",
  version: VERSION,
  bodyLimitBytes: config.BODY_LIMIT_BYTES,
});

const managementApp = managementAppOf(app) as Listenable | undefined;
await serve(gatewayListener(app, gateway.fetch), {
  ...serveOptions(config),
  logger,
  handleSignals: true,
  ...(managementApp ? { managementApp } : {}),
});
logger.info({ routes: routes.routes.length, issuer: config.OIDC_ISSUER }, "gateway routes loaded");
