import { t } from "elysia";
import { baseConfig, loadConfig, type LoadConfigOptions } from "@meridian/kit";

/** Scopes the admin console asks for: every API scope the admin-console client has in the realm. */
export const ADMIN_SCOPES = "openid profile email orders.read orders.write inventory.read inventory.write notifications.read audit.read";

export const BffConfigSchema = t.Object({
  ...baseConfig({ port: 5106 }),
  OIDC_ISSUER: t.String({
    pattern: "^https?://",
    default: "http://localhost:8081/realms/meridian",
    description: "the one issuer URL of this environment",
  }),
  OIDC_DISCOVERY_URL: t.Optional(
    t.String({ pattern: "^https?://", description: "discovery document URL when the issuer URL is not reachable from here (compose)" }),
  ),
  OIDC_JWKS_URL: t.Optional(t.String({ pattern: "^https?://", description: "JWKS URL when the issuer URL is not reachable from here" })),
  OIDC_CLIENT_ID: t.String({ minLength: 1, default: "admin-console" }),
  ADMIN_CLIENT_SECRET: t.String({ minLength: 1, description: "admin-console client secret (never sent to the browser)" }),
  OIDC_AUDIENCE: t.String({ minLength: 1, default: "meridian-api" }),
  OIDC_SCOPES: t.String({ minLength: 1, default: ADMIN_SCOPES }),
  BFF_PUBLIC_URL: t.String({
    pattern: "^https?://[^/]+$",
    default: "http://localhost:5106",
    description: "origin the browser uses for the BFF (no trailing slash)",
  }),
  ADMIN_APP_URL: t.Optional(
    t.String({ pattern: "^https?://", description: "where the browser goes after sign-in/out (default BFF_PUBLIC_URL/)" }),
  ),
  GATEWAY_URL: t.String({ pattern: "^https?://", default: "http://127.0.0.1:8080" }),
  REDIS_URL: t.String({ pattern: "^rediss?://", default: "redis://127.0.0.1:6379" }),
  SESSION_TTL: t.Integer({ minimum: 60, default: 3600, description: "idle session lifetime in seconds (sliding)" }),
  REQUIRED_ROLE: t.String({ minLength: 1, default: "admin" }),
});

export type BffConfig = ReturnType<typeof loadBffConfig>;

export function loadBffConfig(options?: LoadConfigOptions) {
  return loadConfig(BffConfigSchema, options);
}
