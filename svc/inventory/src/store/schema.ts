import { sql } from "drizzle-orm";
import type { ReservationStatus } from "../domain/product";
import { check, index, integer, jsonb, pgTable, text, timestamp, uuid, varchar } from "drizzle-orm/pg-core";

/**
 * Stock per product. `reserved` counts units promised to confirmed orders; the checks make overselling impossible
 * at the database level, whatever the code does: reserved never exceeds on hand, nothing goes negative.
 */
export const products = pgTable(
  "products",
  {
    sku: varchar("sku", { length: 32 }).primaryKey(),
    name: varchar("name", { length: 200 }).notNull(),
    /** Money in minor units (cents): exact arithmetic, no float drift. */
    priceCents: integer("price_cents").notNull(),
    onHand: integer("on_hand").notNull().default(0),
    reserved: integer("reserved").notNull().default(0),
    lowStockThreshold: integer("low_stock_threshold").notNull().default(0),
    /** Shop-facing catalogue data; "" when not set (rows older than these columns got "" too). */
    description: text("description").notNull().default(""),
    category: varchar("category", { length: 100 }).notNull().default(""),
    brand: varchar("brand", { length: 100 }).notNull().default(""),
    /** Root-relative URL path of the product picture served by the shop (e.g. /products/kettle.svg), or "". */
    image: varchar("image", { length: 300 }).notNull().default(""),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [
    check("products_reserved_not_negative", sql`${table.reserved} >= 0`),
    check("products_on_hand_covers_reserved", sql`${table.onHand} >= ${table.reserved}`),
    check("products_price_not_negative", sql`${table.priceCents} >= 0`),
    check("products_low_stock_threshold_not_negative", sql`${table.lowStockThreshold} >= 0`),
    index("products_category_idx").on(table.category),
  ],
);

export interface ReservationLine {
  sku: string;
  quantity: number;
}

/**
 * One row per order (the primary key is the order id): an order can be reserved at most once, whatever the
 * broker redelivers. `released` rows also mark orders cancelled before their reservation was attempted.
 */
export const reservations = pgTable(
  "reservations",
  {
    orderId: uuid("order_id").primaryKey(),
    status: varchar("status", { length: 16 }).$type<ReservationStatus>().notNull(),
    lines: jsonb("lines").$type<ReservationLine[]>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    releasedAt: timestamp("released_at", { withTimezone: true, mode: "date" }),
  },
  (table) => [index("reservations_status_created_idx").on(table.status, table.createdAt)],
);

/** History of manual stock adjustments (who, why, how much). */
export const stockAdjustments = pgTable(
  "stock_adjustments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sku: varchar("sku", { length: 32 })
      .notNull()
      .references(() => products.sku),
    delta: integer("delta").notNull(),
    reason: varchar("reason", { length: 200 }).notNull(),
    by: text("by").notNull(),
    onHandAfter: integer("on_hand_after").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [index("stock_adjustments_sku_idx").on(table.sku, table.createdAt)],
);

// The messaging module's outbox and inbox tables live in this database too (migrated with it).
export { inboxMessages, outboxMessages } from "@meridian/kit/messaging/pg-schema";
