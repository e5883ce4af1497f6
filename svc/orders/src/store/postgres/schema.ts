import { bigint, index, integer, jsonb, pgTable, primaryKey, timestamp, unique, uuid, varchar } from "drizzle-orm/pg-core";
import type { OrderStatus, ShortageRecord } from "../../domain/order";

export const orders = pgTable(
  "orders",
  {
    id: uuid("id").primaryKey(),
    customerId: varchar("customer_id", { length: 255 }).notNull(),
    /** The customer's display name and email from the token at order time ("" / null on older orders). */
    customerName: varchar("customer_name", { length: 255 }).notNull().default(""),
    customerEmail: varchar("customer_email", { length: 320 }),
    status: varchar("status", { length: 16 }).$type<OrderStatus>().notNull(),
    totalCents: bigint("total_cents", { mode: "number" }).notNull(),
    rejectionReason: varchar("rejection_reason", { length: 500 }),
    /** What inventory could not reserve, for a rejected order. */
    shortages: jsonb("shortages").$type<ShortageRecord[]>(),
    idempotencyKey: varchar("idempotency_key", { length: 128 }).notNull(),
    requestHash: varchar("request_hash", { length: 64 }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date", precision: 3 }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date", precision: 3 }).notNull(),
  },
  (table) => [
    unique("orders_customer_idempotency_key").on(table.customerId, table.idempotencyKey),
    index("orders_customer_created_idx").on(table.customerId, table.createdAt),
    index("orders_status_created_idx").on(table.status, table.createdAt),
    index("orders_created_idx").on(table.createdAt),
  ],
);

export const orderLines = pgTable(
  "order_lines",
  {
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id),
    lineNo: integer("line_no").notNull(),
    sku: varchar("sku", { length: 32 }).notNull(),
    /** The product's name at order time. */
    name: varchar("name", { length: 200 }).notNull().default(""),
    quantity: integer("quantity").notNull(),
    unitPriceCents: bigint("unit_price_cents", { mode: "number" }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.orderId, table.lineNo] })],
);

/** Read model of the inventory catalogue (fed by inventory.product-upserted.v1): the prices orders are placed at. */
export const catalogueProducts = pgTable("catalogue_products", {
  sku: varchar("sku", { length: 32 }).primaryKey(),
  name: varchar("name", { length: 200 }).notNull(),
  priceCents: bigint("price_cents", { mode: "number" }).notNull(),
  /** occurredAt of the event that wrote this row: older events never overwrite newer ones. */
  asOf: timestamp("as_of", { withTimezone: true, mode: "date", precision: 3 }).notNull(),
});

// The messaging module's outbox and inbox tables live in this database too (migrated with it).
export { inboxMessages, outboxMessages } from "@meridian/kit/messaging/pg-schema";
