/**
 * What both orders adapters do the same way, whatever the SQL dialect: rows → OrderRecord, the filter of a
 * listing, the column values of a status change or a new order, and the outcomes of a conditional status update
 * and of an idempotent create. The SQL itself (RETURNING vs OUTPUT, ON CONFLICT vs MERGE, paging) stays in each
 * adapter.
 */
import { and, eq, gte, lte, or, sql, type Column, type SQL } from "drizzle-orm";
import type { OrderRecord } from "../domain/order";
import type { CreateResult, NewOrder, OrderFilter, OrderStatsRow, StatusChange, TransitionResult } from "./types";

/** An `orders` row as either adapter reads it (SQL Server may hand back upper-case ids and bigint strings). */
export type OrderRow = Omit<OrderRecord, "lines">;

export interface OrderLineRow {
  orderId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPriceCents: number | string;
}

/** Joins orders with their lines (in line order) into records: lower-case ids, amounts as numbers. */
export function assembleOrders(rows: readonly OrderRow[], lines: readonly OrderLineRow[]): OrderRecord[] {
  const byOrder = new Map<string, OrderRecord["lines"]>();
  for (const line of lines) {
    const list = byOrder.get(line.orderId) ?? [];
    list.push({ sku: line.sku, name: line.name, quantity: line.quantity, unitPriceCents: Number(line.unitPriceCents) });
    byOrder.set(line.orderId, list);
  }
  return rows.map((r) => ({
    ...r,
    id: r.id.toLowerCase(),
    totalCents: Number(r.totalCents),
    lines: byOrder.get(r.id) ?? [],
  }));
}

/** `column` contains `text`, ignoring case; LIKE wildcards in `text` match literally (same SQL on both dialects). */
function containsText(column: Column, text: string): SQL {
  const pattern = `%${text.toLowerCase().replace(/[\\%_[]/g, (c) => `\\${c}`)}%`;
  return sql`lower(${column}) like ${pattern} escape '\\'`;
}

/** The `where` of a listing (undefined: every order). */
export function orderListFilter(
  columns: { customerId: Column; customerName: Column; customerEmail: Column; status: Column; createdAt: Column },
  filter: OrderFilter,
): SQL | undefined {
  const conditions: SQL[] = [];
  if (filter.customerId) conditions.push(eq(columns.customerId, filter.customerId));
  if (filter.q) {
    const q = filter.q;
    conditions.push(
      or(containsText(columns.customerName, q), containsText(columns.customerEmail, q), containsText(columns.customerId, q))!,
    );
  }
  if (filter.status) conditions.push(eq(columns.status, filter.status));
  if (filter.from) conditions.push(gte(columns.createdAt, filter.from));
  if (filter.to) conditions.push(lte(columns.createdAt, filter.to));
  return conditions.length > 0 ? and(...conditions) : undefined;
}

/** The columns a status change writes. */
export function statusUpdate(
  change: StatusChange,
): Pick<OrderRow, "status" | "updatedAt"> & Partial<Pick<OrderRow, "rejectionReason" | "shortages">> {
  return {
    status: change.to,
    updatedAt: change.at,
    ...(change.rejectionReason !== undefined ? { rejectionReason: change.rejectionReason } : {}),
    ...(change.shortages !== undefined ? { shortages: change.shortages } : {}),
  };
}

/** The `orders` row of a new order: pending, not yet updated. */
export function newOrderRow(order: NewOrder): OrderRow {
  return {
    id: order.id,
    customerId: order.customerId,
    customerName: order.customerName,
    customerEmail: order.customerEmail,
    status: "pending",
    totalCents: order.totalCents,
    rejectionReason: null,
    shortages: null,
    idempotencyKey: order.idempotencyKey,
    requestHash: order.requestHash,
    createdAt: order.createdAt,
    updatedAt: order.createdAt,
  };
}

/**
 * The outcome of a conditional status update. `changed` is the order the update matched (undefined when the
 * status did not allow it or the order does not exist); its event goes to the outbox in the same transaction.
 */
export async function transitionOutcome(
  changed: OrderRecord | undefined,
  current: () => Promise<OrderRecord | undefined>,
  enqueue: (order: OrderRecord) => Promise<unknown>,
): Promise<TransitionResult> {
  if (!changed) {
    const order = await current();
    return order ? { outcome: "illegal", order } : { outcome: "not-found" };
  }
  await enqueue(changed);
  return { outcome: "changed", order: changed };
}

/**
 * Creates an order once per (customer, idempotency key): an order already placed with the key is answered as it
 * is; when a concurrent request inserted the key first (`isUniqueViolation` of the insert's error), its order wins.
 */
export async function createOnce(
  order: NewOrder,
  store: {
    findByIdempotencyKey(customerId: string, key: string): Promise<OrderRecord | undefined>;
    insert(): Promise<OrderRecord>;
    isUniqueViolation(error: unknown): boolean;
  },
): Promise<CreateResult> {
  const existing = await store.findByIdempotencyKey(order.customerId, order.idempotencyKey);
  if (existing) return { order: existing, created: false };
  try {
    return { order: await store.insert(), created: true };
  } catch (error) {
    if (!store.isUniqueViolation(error)) throw error;
    const winner = await store.findByIdempotencyKey(order.customerId, order.idempotencyKey);
    if (!winner) throw error;
    return { order: winner, created: false };
  }
}

/** An (hour, status) aggregate as either adapter reads it: hours since the Unix epoch, counts maybe as strings. */
export interface RawStatsRow {
  hourIndex: number | string;
  status: OrderRecord["status"];
  orders: number | string;
  totalCents: number | string | null;
}

const HOUR_MS = 3_600_000;

export function toStatsRows(rows: readonly RawStatsRow[]): OrderStatsRow[] {
  return rows.map((r) => ({
    hour: new Date(Number(r.hourIndex) * HOUR_MS),
    status: r.status,
    orders: Number(r.orders),
    totalCents: Number(r.totalCents ?? 0),
  }));
}
