import { t, type Static } from "elysia";
import { baseConfig, loadConfig, type LoadConfigOptions } from "@meridian/kit";

export const auditConfigSchema = t.Object({
  ...baseConfig({ port: 5104 }),
  DATABASE_URL: t.String({ default: "postgres://postgres@127.0.0.1:5432/meridian_audit" }),
  RABBITMQ_URL: t.String({ default: "amqp://guest:guest@127.0.0.1:5672" }),
  OIDC_ISSUER: t.String({ default: "http://localhost:8081/realms/meridian" }),
  OIDC_JWKS_URL: t.Optional(t.String({ pattern: "^https?://" })),
  OIDC_AUDIENCE: t.Optional(t.String({ minLength: 1 })),
  /** Topic exchange (tests pass a unique one). */
  EVENTS_EXCHANGE: t.String({ default: "meridian.events", minLength: 1 }),
  /** Delays before each redelivery of a failed message, e.g. "1000,5000,30000" (the kit's default when unset). */
  CONSUMER_RETRY_DELAYS_MS: t.Optional(t.String({ pattern: "^[0-9]{1,7}(,[0-9]{1,7}){0,9}$" })),
  /** Consumer name: queue `<name>.events` (tests pass a unique one). */
  CONSUMER_NAME: t.String({ default: "audit", minLength: 1 }),
});

export type AuditConfig = Static<typeof auditConfigSchema>;

export function loadAuditConfig(options?: LoadConfigOptions): AuditConfig {
  return loadConfig(auditConfigSchema, options);
}

/** `CONSUMER_RETRY_DELAYS_MS` as numbers; undefined keeps the kit's default. */
export function retryDelays(value: string | undefined): number[] | undefined {
  return value ? value.split(",").map(Number) : undefined;
}
