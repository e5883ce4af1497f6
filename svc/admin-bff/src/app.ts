/** Assembles the BFF: kit HTTP app + auth routes + gateway proxy, over a Redis session store. */
import type Redis from "ioredis";
import { createHttpApp, redisCheck, healthCheck, type Logger } from "@meridian/kit";
import type { BffConfig } from "./config";
import { cookieNames, CookieWriter } from "./cookies";
import { createGuard } from "./guard";
import { OidcClient } from "./oidc";
import { authRoutes } from "./routes/auth";
import { proxyRoutes } from "./routes/proxy";
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

  const app = createHttpApp({
    service: SERVICE,
    version: VERSION,
    logger,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    checks: [
      redisCheck("redis", redis),
      healthCheck("identity-provider", () => oidc.config()),
    ],
    openapi: { title: "Meridian admin BFF", description: "Session-cookie front for the admin console; proxies /api/* to the gateway." },
  })
    .use(authRoutes({ oidc, store, guard, cookies, publicUrl, appUrl, requiredRole: config.REQUIRED_ROLE, logger }))
    .use(proxyRoutes({ guard, gatewayUrl: config.GATEWAY_URL, logger }));

  return { app, store, oidc };
}
