/** Orders: states, the legal moves between them, and the shapes the API answers. */
export const ORDER_STATUSES = ["pending", "confirmed", "rejected", "cancelled", "shipped"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * pending → confirmed | rejected | cancelled; confirmed → shipped | cancelled. Everything else is final.
 * Anything not listed here is an illegal transition (409).
 */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ["confirmed", "rejected", "cancelled"],
  confirmed: ["shipped", "cancelled"],
  rejected: [],
  cancelled: [],
  shipped: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The states an order may be in to move to `to`. */
export function sourcesOf(to: OrderStatus): OrderStatus[] {
  return ORDER_STATUSES.filter((from) => canTransition(from, to));
}

export interface OrderLineRecord {
  sku: string;
  /** The product's name at order time ("" on orders placed before names were recorded). */
  name: string;
  quantity: number;
  unitPriceCents: number;
}

/** A line inventory could not reserve (from inventory.stock-rejected.v1). */
export interface ShortageRecord {
  sku: string;
  name: string;
  requested: number;
  available: number;
}

/** An order as the store keeps it (money in cents). */
export interface OrderRecord {
  id: string;
  customerId: string;
  customerName: string;
  customerEmail: string | null;
  status: OrderStatus;
  lines: OrderLineRecord[];
  totalCents: number;
  rejectionReason: string | null;
  shortages: ShortageRecord[] | null;
  idempotencyKey: string;
  requestHash: string;
  createdAt: Date;
  updatedAt: Date;
}

/** docs/api.md `Order`. */
export interface Order {
  id: string;
  customerId: string;
  customerName: string;
  customerEmail: string | null;
  status: OrderStatus;
  lines: { sku: string; name: string; quantity: number; unitPrice: number }[];
  total: number;
  rejectionReason?: string;
  shortages?: ShortageRecord[];
  createdAt: string;
  updatedAt: string;
}

export function fromCents(cents: number): number {
  return cents / 100;
}

export function toCents(amount: number): number {
  return Math.round(amount * 100);
}

export function toOrder(record: OrderRecord): Order {
  return {
    id: record.id,
    customerId: record.customerId,
    customerName: record.customerName,
    customerEmail: record.customerEmail,
    status: record.status,
    lines: record.lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity, unitPrice: fromCents(l.unitPriceCents) })),
    total: fromCents(record.totalCents),
    ...(record.rejectionReason ? { rejectionReason: record.rejectionReason } : {}),
    ...(record.shortages ? { shortages: record.shortages } : {}),
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}

/** The one page shape of every list (the kit's). */
import type { Page } from "@meridian/kit";
export type { Page };

export interface CatalogueProduct {
  sku: string;
  name: string;
  priceCents: number;
}
