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
  quantity: number;
  unitPriceCents: number;
}

/** An order as the store keeps it (money in cents). */
export interface OrderRecord {
  id: string;
  customerId: string;
  status: OrderStatus;
  lines: OrderLineRecord[];
  totalCents: number;
  rejectionReason: string | null;
  idempotencyKey: string;
  requestHash: string;
  createdAt: Date;
  updatedAt: Date;
}

/** docs/api.md `Order`. */
export interface Order {
  id: string;
  customerId: string;
  status: OrderStatus;
  lines: { sku: string; quantity: number; unitPrice: number }[];
  total: number;
  rejectionReason?: string;
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
    status: record.status,
    lines: record.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: fromCents(l.unitPriceCents) })),
    total: fromCents(record.totalCents),
    ...(record.rejectionReason ? { rejectionReason: record.rejectionReason } : {}),
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export interface CatalogueProduct {
  sku: string;
  name: string;
  priceCents: number;
}
