import { t, type Static } from "elysia";
import { baseConfig, loadConfig, messagingConfig, oidcConfig, type LoadConfigOptions } from "@meridian/kit";

export const auditConfigSchema = t.Object({
  ...baseConfig({ port: 5104 }),
  /** Required: a production start fails naming it (scripts/up.sh passes the local development URL). */
  DATABASE_URL: t.String({ minLength: 1 }),
  ...messagingConfig(),
  ...oidcConfig(),
});

export type AuditConfig = Static<typeof auditConfigSchema>;

export function loadAuditConfig(options?: LoadConfigOptions): AuditConfig {
  return loadConfig(auditConfigSchema, options);
}
