/** Assembles the BFF: auth routes + gateway proxy over a Redis session store, started by the kit's `startService`. */
import Redis from "ioredis";
import { healthCheck, redisCheck, startService, type Logger, type RunningService } from "@meridian/kit";
import type { BffConfig } from "./config";
import { cookieNames, CookieWriter } from "./cookies";
import { createGuard } from "./guard";
import { OidcClient } from "./oidc";
import { authRoutes, proxyRoutes } from "./routes";
import { SessionStore } from "./sessions";

export const SERVICE = "admin-bff";
export const VERSION = "0.1.0";

export interface BffDeps {
  config: BffConfig;
  redis: Redis;
  logger: Logger;
}

export function createBff({ config, redis, logger }: BffDeps) {
  const publicUrl = config.BFF_PUBLIC_URL.replace(/\/+$/, "");
  const appUrl = config.ADMIN_APP_URL ?? `${publicUrl}/`;
  const secure = publicUrl.startsWith("https:");
  const names = cookieNames(secure);
  const cookies = new CookieWriter(names, secure);
  const store = new SessionStore(redis, config.SESSION_TTL);
  const oidc = new OidcClient({
    issuer: config.OIDC_ISSUER,
    discoveryUrl: config.OIDC_DISCOVERY_URL,
    jwksUrl: config.OIDC_JWKS_URL,
    clientId: config.OIDC_CLIENT_ID,
    clientSecret: config.ADMIN_CLIENT_SECRET,
    audience: config.OIDC_AUDIENCE,
    scopes: config.OIDC_SCOPES,
    redirectUri: `${publicUrl}/auth/callback`,
  });
  const guard = createGuard({
    store,
    oidc,
    cookies: names,
    requiredRole: config.REQUIRED_ROLE,
    allowedOrigins: new Set([new URL(publicUrl).origin, new URL(appUrl).origin]),
    logger,
  });

  const routes = [
    authRoutes({ oidc, store, guard, cookies, publicUrl, appUrl, requiredRole: config.REQUIRED_ROLE, logger }),
    proxyRoutes({ guard, gatewayUrl: config.GATEWAY_URL, logger }),
  ];
  const checks = [redisCheck("redis", redis), healthCheck("identity-provider", () => oidc.config())];

  return { routes, checks, store, oidc };
}

export interface StartBffOptions {
  logger?: Logger;
  handleSignals?: boolean;
  /** The session store's Redis (default: a client of REDIS_URL, closed at shutdown). */
  redis?: Redis;
}

export async function startBff(config: BffConfig, options: StartBffOptions = {}): Promise<RunningService> {
  const server = await startService({
    name: SERVICE,
    version: VERSION,
    config,
    ...(options.logger ? { logger: options.logger } : {}),
    handleSignals: options.handleSignals ?? false,
    openapi: { title: "Meridian admin BFF", description: "Session-cookie front for the admin console; proxies /api/* to the gateway." },
    start({ logger }) {
      const redis = options.redis ?? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: false });
      if (!options.redis) redis.on("error", (err) => logger.warn({ err: err.message }, "redis error"));
      const { routes, checks } = createBff({ config, redis, logger });
      const [redisReady, ...others] = checks;
      return {
        stores: [{ checks: redisReady ? [redisReady] : [], close: () => (options.redis ? undefined : redis.quit()) }],
        checks: others,
        routes,
      };
    },
  });
  server.logger.info({ issuer: config.OIDC_ISSUER, gateway: config.GATEWAY_URL, publicUrl: config.BFF_PUBLIC_URL }, "admin BFF ready");
  return server;
}
