/**
 * The inventory store: products, stock and reservations in PostgreSQL (drizzle + postgres.js).
 * Shared by the inventory API and the inventory worker (`@meridian/inventory/store`), so both write stock the same way.
 */
import { and, asc, count, desc, eq, getColumns, ilike, inArray, or, sql, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import type postgres from "postgres";
import { appFile } from "@meridian/kit/app-files";
import { openPostgres } from "@meridian/kit/postgres";
import { withAdvisoryLock } from "@meridian/kit/postgres-lock";
import { pgOutbox, type PgTransaction } from "@meridian/kit/messaging";
import { fromCents, toCents } from "../domain/money";
import type { Page, Product, Reservation, ReservationStatus, Shortage } from "../domain/product";
import { adjustedOnHand, availableOf, mergeLines, shortagesOf } from "../domain/stock";
import { products, reservations, stockAdjustments, type ReservationLine } from "./schema";

export * as inventorySchema from "./schema";
export type { Page, Product, Reservation, ReservationStatus, Shortage } from "../domain/product";
export type { ReservationLine } from "./schema";
export { mergeLines } from "../domain/stock";

const migrationsFolder = appFile("svc/inventory/drizzle", import.meta.dir);

export type InventoryDb = ReturnType<typeof drizzle>;
/** A drizzle transaction on the inventory database (any PostgreSQL driver: the worker gets it from pgInbox). */
export type InventoryTx = PgTransaction;

export interface InventoryDatabase {
  url: string;
  sql: postgres.Sql;
  db: InventoryDb;
  close(): Promise<void>;
}

/** Opens a pool on the inventory database. */
export function openInventoryDatabase(url: string, options: { max?: number } = {}): InventoryDatabase {
  const client = openPostgres(url, { max: options.max ?? 10, applicationName: "inventory" });
  const db = drizzle({ client });
  return { url, sql: client, db, close: () => client.end({ timeout: 5 }) };
}

/** Applies the drizzle migrations in `svc/inventory/drizzle` (idempotent; safe from several processes). */
export async function migrateInventoryDatabase(database: InventoryDatabase): Promise<void> {
  // Concurrent migrators (API and worker start together) take turns under one advisory lock.
  await withAdvisoryLock(database.url, 727101, () => migrate(database.db, { migrationsFolder }));
}

type ProductRow = typeof products.$inferSelect;
type ReservationRow = typeof reservations.$inferSelect;

function toProduct(row: ProductRow): Product {
  return {
    sku: row.sku,
    name: row.name,
    price: fromCents(row.priceCents),
    onHand: row.onHand,
    reserved: row.reserved,
    available: availableOf(row),
    lowStockThreshold: row.lowStockThreshold,
    description: row.description,
    category: row.category,
    brand: row.brand,
    image: row.image,
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toReservation(row: ReservationRow): Reservation {
  return {
    orderId: row.orderId,
    status: row.status,
    lines: row.lines,
    createdAt: row.createdAt.toISOString(),
    ...(row.releasedAt ? { releasedAt: row.releasedAt.toISOString() } : {}),
  };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Catalogue data of a product; optional fields left out keep their stored value (new rows get 0 / ""). */
export interface ProductInput {
  name: string;
  price: number;
  lowStockThreshold?: number;
  description?: string;
  category?: string;
  brand?: string;
  image?: string;
}

const OPTIONAL_PRODUCT_FIELDS = ["lowStockThreshold", "description", "category", "brand", "image"] as const;

/** The optional fields the caller gave, for the update half of an upsert. */
function givenFields(input: ProductInput): Partial<Pick<ProductInput, (typeof OPTIONAL_PRODUCT_FIELDS)[number]>> {
  return Object.fromEntries(OPTIONAL_PRODUCT_FIELDS.filter((f) => input[f] !== undefined).map((f) => [f, input[f]]));
}

export interface UpsertOptions {
  /** Stock a newly created product starts with (recorded as an adjustment); ignored when the product exists. */
  initialOnHand?: number;
  /** Who set the initial stock (the adjustment's `by`). */
  by?: string;
}

export interface EventMeta {
  correlationId?: string;
  causationId?: string;
}

export type AdjustOutcome =
  | { outcome: "adjusted"; product: Product }
  | { outcome: "not-found" }
  | { outcome: "below-reserved"; onHand: number; reserved: number };

export type ReserveOutcome =
  | { outcome: "reserved"; lines: ReservationLine[] }
  | { outcome: "rejected"; shortages: Shortage[] }
  /** The order already has a reservation (or was cancelled before one was attempted): nothing changed. */
  | { outcome: "exists"; status: ReservationStatus };

export type FulfilOutcome =
  | { outcome: "fulfilled"; lines: ReservationLine[]; products: Product[] }
  /** No active reservation (never reserved, released, or fulfilled before): nothing changed. */
  | { outcome: "not-reserved" };

export type ReleaseOutcome =
  | { outcome: "released"; lines: ReservationLine[] }
  /** Nothing was reserved; a `released` marker now stops a late reservation for this order. */
  | { outcome: "nothing-reserved" }
  | { outcome: "already-released" };

export class InventoryStore {
  constructor(readonly db: InventoryDb) {}

  async listProducts(filter: { q?: string; lowStock?: boolean }, page: number, pageSize: number): Promise<Page<Product>> {
    const conditions: SQL[] = [];
    if (filter.q) {
      const pattern = `%${escapeLike(filter.q)}%`;
      conditions.push(or(ilike(products.name, pattern), ilike(products.sku, pattern))!);
    }
    if (filter.lowStock !== undefined) {
      const low = sql`${products.onHand} - ${products.reserved} <= ${products.lowStockThreshold}`;
      conditions.push(filter.lowStock ? low : sql`not (${low})`);
    }
    const where = conditions.length > 0 ? and(...conditions) : undefined;
    const [rows, totals] = await Promise.all([
      this.db
        .select()
        .from(products)
        .where(where)
        .orderBy(asc(products.sku))
        .limit(pageSize)
        .offset((page - 1) * pageSize),
      this.db.select({ total: count() }).from(products).where(where),
    ]);
    return { items: rows.map(toProduct), page, pageSize, total: totals[0]?.total ?? 0 };
  }

  async getProduct(sku: string): Promise<Product | undefined> {
    const [row] = await this.db.select().from(products).where(eq(products.sku, sku));
    return row ? toProduct(row) : undefined;
  }

  /**
   * Creates or updates a product's catalogue data and emits ProductUpserted in the same transaction. Stock is never
   * changed on an update; a new product may start with `options.initialOnHand` (the seed), in the same transaction.
   */
  async upsertProduct(
    sku: string,
    input: ProductInput,
    meta: EventMeta = {},
    options: UpsertOptions = {},
  ): Promise<{ product: Product; created: boolean }> {
    return this.db.transaction(async (tx) => {
      const priceCents = toCents(input.price);
      const given = givenFields(input);
      const [row] = await tx
        .insert(products)
        .values({ sku, name: input.name, priceCents, ...given })
        .onConflictDoUpdate({
          target: products.sku,
          set: { name: input.name, priceCents, ...given, updatedAt: sql`now()` },
        })
        // xmax = 0 only on a freshly inserted row version: tells create (201) from update (200).
        .returning({ ...getColumns(products), created: sql<boolean>`(xmax = 0)` });
      if (!row) throw new Error(`upsert of ${sku} returned no row`);
      const { created, ...columns } = row;
      let product = toProduct(columns);
      await pgOutbox.enqueue(tx, { type: "inventory.product-upserted.v1", body: productEventBody(product), aggregateId: sku, ...meta });
      const initial = options.initialOnHand ?? 0;
      if (created && initial > 0) product = await setInitialStock(tx, sku, initial, options.by ?? "system", meta);
      return { product, created };
    });
  }

  /** Changes on-hand stock by `delta`; refuses to go below what is reserved. Emits InventoryAdjusted. */
  async adjustStock(sku: string, delta: number, reason: string, by: string, meta: EventMeta = {}): Promise<AdjustOutcome> {
    return this.db.transaction(async (tx) => {
      const [current] = await tx.select().from(products).where(eq(products.sku, sku)).for("update");
      if (!current) return { outcome: "not-found" } as const;
      const onHand = adjustedOnHand(current, delta);
      if (onHand === undefined) {
        return { outcome: "below-reserved", onHand: current.onHand, reserved: current.reserved } as const;
      }
      const [row] = await tx.update(products).set({ onHand, updatedAt: sql`now()` }).where(eq(products.sku, sku)).returning();
      await tx.insert(stockAdjustments).values({ sku, delta, reason, by, onHandAfter: onHand });
      await pgOutbox.enqueue(tx, {
        type: "inventory.inventory-adjusted.v1",
        body: { sku, delta, onHand, reason, by },
        aggregateId: sku,
        ...meta,
      });
      return { outcome: "adjusted", product: toProduct(row!) } as const;
    });
  }

  async listReservations(
    filter: { orderId?: string; status?: ReservationStatus },
    page: number,
    pageSize: number,
  ): Promise<Page<Reservation>> {
    const conditions: SQL[] = [];
    if (filter.orderId) conditions.push(eq(reservations.orderId, filter.orderId));
    if (filter.status) conditions.push(eq(reservations.status, filter.status));
    const where = conditions.length > 0 ? and(...conditions) : undefined;
    const [rows, totals] = await Promise.all([
      this.db
        .select()
        .from(reservations)
        .where(where)
        .orderBy(desc(reservations.createdAt), asc(reservations.orderId))
        .limit(pageSize)
        .offset((page - 1) * pageSize),
      this.db.select({ total: count() }).from(reservations).where(where),
    ]);
    return { items: rows.map(toReservation), page, pageSize, total: totals[0]?.total ?? 0 };
  }

  /**
   * Re-announces every product (ProductUpserted through the outbox, one transaction). Read models that started
   * after products were created (e.g. orders' catalogue) catch up from it; consumers treat repeats as upserts.
   */
  async announceCatalogue(meta: EventMeta = {}): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.select().from(products).orderBy(asc(products.sku));
      for (const row of rows) {
        const product = toProduct(row);
        await pgOutbox.enqueue(tx, {
          type: "inventory.product-upserted.v1",
          body: productEventBody(product),
          aggregateId: product.sku,
          ...meta,
        });
      }
      return rows.length;
    });
  }

  async getReservation(orderId: string): Promise<Reservation | undefined> {
    const [row] = await this.db.select().from(reservations).where(eq(reservations.orderId, orderId));
    return row ? toReservation(row) : undefined;
  }
}

/** ProductUpserted v1 body: sku, name, price (the contract) plus the catalogue fields (additive; open schema). */
function productEventBody(product: Product) {
  const { sku, name, price, category, brand, image } = product;
  return { sku, name, price, category, brand, image };
}

/** Stock of a product created just now in `tx`: an adjustment row and InventoryAdjusted, like a manual delivery. */
async function setInitialStock(tx: InventoryTx, sku: string, onHand: number, by: string, meta: EventMeta): Promise<Product> {
  const reason = "initial stock";
  const [row] = await tx.update(products).set({ onHand }).where(eq(products.sku, sku)).returning();
  await tx.insert(stockAdjustments).values({ sku, delta: onHand, reason, by, onHandAfter: onHand });
  await pgOutbox.enqueue(tx, {
    type: "inventory.inventory-adjusted.v1",
    body: { sku, delta: onHand, onHand, reason, by },
    aggregateId: sku,
    ...meta,
  });
  return toProduct(row!);
}

/**
 * Reserves every line of an order or none, inside the caller's transaction.
 * The reservation row is claimed first (primary key = order id), so two deliveries of one order serialise on it;
 * then the product rows are locked in sku order, checked and updated. The table checks back this up:
 * `reserved` can never exceed `on_hand`, so stock never goes negative even if this code were wrong.
 */
export async function reserveStock(tx: InventoryTx, orderId: string, requested: readonly ReservationLine[]): Promise<ReserveOutcome> {
  const lines = mergeLines(requested);
  const [claimed] = await tx
    .insert(reservations)
    .values({ orderId, status: "reserved", lines })
    .onConflictDoNothing({ target: reservations.orderId })
    .returning({ orderId: reservations.orderId });
  if (!claimed) {
    const [existing] = await tx.select({ status: reservations.status }).from(reservations).where(eq(reservations.orderId, orderId));
    return { outcome: "exists", status: existing?.status ?? "reserved" };
  }

  const skus = lines.map((l) => l.sku);
  const rows = await tx
    .select({ sku: products.sku, name: products.name, onHand: products.onHand, reserved: products.reserved })
    .from(products)
    .where(inArray(products.sku, skus))
    .orderBy(asc(products.sku))
    .for("update");
  const shortages = shortagesOf(lines, rows);
  if (shortages.length > 0) {
    // Rejected orders keep no reservation row: nothing is held for them.
    await tx.delete(reservations).where(eq(reservations.orderId, orderId));
    return { outcome: "rejected", shortages };
  }
  for (const line of lines) {
    const updated = await tx
      .update(products)
      .set({ reserved: sql`${products.reserved} + ${line.quantity}`, updatedAt: sql`now()` })
      .where(and(eq(products.sku, line.sku), sql`${products.onHand} - ${products.reserved} >= ${line.quantity}`))
      .returning({ sku: products.sku });
    // Unreachable while the rows are locked; throwing rolls the whole reservation back rather than half-reserving.
    if (updated.length !== 1) throw new Error(`stock for ${line.sku} changed under a row lock`);
  }
  return { outcome: "reserved", lines };
}

/** Releases an order's reservation inside the caller's transaction; marks unreserved orders so a late reserve is a no-op. */
export async function releaseStock(tx: InventoryTx, orderId: string): Promise<ReleaseOutcome> {
  const [marker] = await tx
    .insert(reservations)
    .values({ orderId, status: "released", lines: [], releasedAt: sql`now()` })
    .onConflictDoNothing({ target: reservations.orderId })
    .returning({ orderId: reservations.orderId });
  if (marker) return { outcome: "nothing-reserved" };

  const [existing] = await tx.select().from(reservations).where(eq(reservations.orderId, orderId)).for("update");
  if (existing?.status !== "reserved") return { outcome: "already-released" };
  for (const line of mergeLines(existing.lines)) {
    await tx
      .update(products)
      .set({ reserved: sql`${products.reserved} - ${line.quantity}`, updatedAt: sql`now()` })
      .where(eq(products.sku, line.sku));
  }
  await tx.update(reservations).set({ status: "released", releasedAt: sql`now()` }).where(eq(reservations.orderId, orderId));
  return { outcome: "released", lines: existing.lines };
}

/**
 * The order shipped: its reserved units leave the warehouse (on hand and reserved both drop), inside the caller's
 * transaction. Only an active reservation is fulfilled, so a redelivered OrderShipped changes nothing.
 */
export async function fulfilStock(tx: InventoryTx, orderId: string): Promise<FulfilOutcome> {
  const [existing] = await tx.select().from(reservations).where(eq(reservations.orderId, orderId)).for("update");
  if (existing?.status !== "reserved") return { outcome: "not-reserved" };
  const changed: Product[] = [];
  for (const line of mergeLines(existing.lines)) {
    const [row] = await tx
      .update(products)
      .set({
        onHand: sql`${products.onHand} - ${line.quantity}`,
        reserved: sql`${products.reserved} - ${line.quantity}`,
        updatedAt: sql`now()`,
      })
      .where(eq(products.sku, line.sku))
      .returning();
    if (row) changed.push(toProduct(row));
  }
  await tx.update(reservations).set({ status: "fulfilled", releasedAt: sql`now()` }).where(eq(reservations.orderId, orderId));
  return { outcome: "fulfilled", lines: existing.lines, products: changed };
}
