import { t } from "elysia";
import { baseConfig, ConfigError, loadConfig, messagingConfig, oidcConfig, type LoadConfigOptions } from "@meridian/kit";

export const OrdersConfigSchema = t.Object({
  ...baseConfig({ port: 5101 }),
  /** Which store adapter: SQL Server in compose/Kubernetes, PostgreSQL where there is no SQL Server. */
  ORDERS_STORE: t.Union([t.Literal("postgres"), t.Literal("mssql")], { default: "postgres" }),
  /**
   * Required with ORDERS_STORE=postgres (the default): a start without it fails naming it (scripts/up.sh passes
   * the local development URL). Not read on SQL Server, where compose and Kubernetes run orders.
   */
  DATABASE_URL: t.Optional(t.String({ minLength: 1 })),
  /** mssql://user:password@host:1433/orders?encrypt=false (needed when ORDERS_STORE=mssql). */
  MSSQL_URL: t.Optional(t.String({ minLength: 1 })),
  ...messagingConfig(),
  ...oidcConfig(),
  DATABASE_POOL_MAX: t.Integer({ minimum: 1, maximum: 100, default: 10 }),
});

export type OrdersConfig = typeof OrdersConfigSchema.static;

export function loadOrdersConfig(options?: LoadConfigOptions): OrdersConfig {
  const config = loadConfig(OrdersConfigSchema, options);
  if (config.ORDERS_STORE === "postgres" && !config.DATABASE_URL) {
    const line = "config error: DATABASE_URL is required (Expected required property)";
    if (options?.exit === false) throw new ConfigError("DATABASE_URL", line);
    console.error(line);
    process.exit(1);
  }
  if (config.ORDERS_STORE === "mssql" && !config.MSSQL_URL) {
    const line = "config error: MSSQL_URL is required when ORDERS_STORE=mssql";
    if (options?.exit === false) throw new Error(line);
    console.error(line);
    process.exit(1);
  }
  return config;
}
