import { t, type Static } from "elysia";
import { baseConfig, loadConfig, messagingConfig, oidcConfig, type LoadConfigOptions } from "@meridian/kit";

export const auditConfigSchema = t.Object({
  ...baseConfig({ port: 5104 }),
  DATABASE_URL: t.String({ default: "postgres://audit:audit-dev-password@127.0.0.1:5432/meridian_audit" }),
  ...messagingConfig(),
  ...oidcConfig(),
});

export type AuditConfig = Static<typeof auditConfigSchema>;

export function loadAuditConfig(options?: LoadConfigOptions): AuditConfig {
  return loadConfig(auditConfigSchema, options);
}
