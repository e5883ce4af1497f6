/** Picks the orders store adapter (ORDERS_STORE) behind the one OrdersStore interface. */
import { MsSqlOrdersStore } from "./mssql";
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
    return new MsSqlOrdersStore(settings.mssqlUrl);
  }
  if (!settings.databaseUrl) throw new Error("ORDERS_STORE=postgres needs DATABASE_URL");
  return new PostgresOrdersStore(settings.databaseUrl, { max: settings.poolMax });
}
