/** Picks the orders store adapter (ORDERS_STORE) behind the one OrdersStore interface. */
import { PostgresOrdersStore } from "./postgres";
import type { OrdersStore, StoreDialect } from "./types";

export * from "./types";

export interface StoreSettings {
  store: StoreDialect;
  /** PostgreSQL store only. */
  databaseUrl?: string;
  mssqlUrl?: string;
  poolMax?: number;
}

export function createOrdersStore(settings: StoreSettings): OrdersStore {
  if (settings.store === "mssql") {
    if (!settings.mssqlUrl) throw new Error("ORDERS_STORE=mssql needs MSSQL_URL");
    // Loaded only when chosen: the SQL Server driver (mssql, tedious, @azure/identity) adds ~45 MiB of RSS and
    // seconds of start-up on a busy machine to every orders process (bench/results/README.md, startup).
    const { MsSqlOrdersStore } = require("./mssql") as typeof import("./mssql");
    return new MsSqlOrdersStore(settings.mssqlUrl);
  }
  if (!settings.databaseUrl) throw new Error("ORDERS_STORE=postgres needs DATABASE_URL");
  return new PostgresOrdersStore(settings.databaseUrl, { max: settings.poolMax });
}
