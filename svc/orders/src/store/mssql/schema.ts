import { bigint, datetime2, index, int, mssqlTable, nvarchar, primaryKey, unique, varchar } from "drizzle-orm/mssql-core";
import type { OrderStatus, ShortageRecord } from "../../domain/order";

// SQL Server has no uuid column in drizzle's mssql-core: ids are stored as their 36-character text form.
// Times are datetime2(3) holding UTC.
export const orders = mssqlTable(
  "orders",
  {
    id: varchar("id", { length: 36 }).primaryKey(),
    customerId: varchar("customer_id", { length: 255 }).notNull(),
    customerName: nvarchar("customer_name", { length: 255 }).notNull().default(""),
    customerEmail: nvarchar("customer_email", { length: 320 }),
    status: varchar("status", { length: 16 }).$type<OrderStatus>().notNull(),
    totalCents: bigint("total_cents", { mode: "number" }).notNull(),
    rejectionReason: varchar("rejection_reason", { length: 500 }),
    shortages: nvarchar("shortages", { length: "max", mode: "json" }).$type<ShortageRecord[]>(),
    idempotencyKey: varchar("idempotency_key", { length: 128 }).notNull(),
    requestHash: varchar("request_hash", { length: 64 }).notNull(),
    createdAt: datetime2("created_at", { precision: 3, mode: "date" }).notNull(),
    updatedAt: datetime2("updated_at", { precision: 3, mode: "date" }).notNull(),
  },
  (table) => [
    unique("orders_customer_idempotency_key").on(table.customerId, table.idempotencyKey),
    index("orders_customer_created_idx").on(table.customerId, table.createdAt),
    index("orders_status_created_idx").on(table.status, table.createdAt),
    index("orders_created_idx").on(table.createdAt),
  ],
);

export const orderLines = mssqlTable(
  "order_lines",
  {
    orderId: varchar("order_id", { length: 36 })
      .notNull()
      .references(() => orders.id),
    lineNo: int("line_no").notNull(),
    sku: varchar("sku", { length: 32 }).notNull(),
    name: nvarchar("name", { length: 200 }).notNull().default(""),
    quantity: int("quantity").notNull(),
    unitPriceCents: bigint("unit_price_cents", { mode: "number" }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.orderId, table.lineNo] })],
);

export const catalogueProducts = mssqlTable("catalogue_products", {
  sku: varchar("sku", { length: 32 }).primaryKey(),
  name: varchar("name", { length: 200 }).notNull(),
  priceCents: bigint("price_cents", { mode: "number" }).notNull(),
  asOf: datetime2("as_of", { precision: 3, mode: "date" }).notNull(),
});

// The messaging module's outbox and inbox tables live in this database too (migrated with it).
export { mssqlInboxMessages, mssqlOutboxMessages } from "@meridian/kit/messaging/mssql-outbox";
