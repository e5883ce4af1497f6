/** What the admin console reads beyond the shared models (docs/api.md: orders carry the customer's name). */
import { Order, OrderLine, Product } from '@shared/models';

export interface AdminOrderLine extends OrderLine {
  /** Product name at order time (older orders have none). */
  name?: string;
}

export interface Shortage {
  sku: string;
  name: string;
  requested: number;
  available: number;
}

export interface AdminOrder extends Omit<Order, 'lines'> {
  /** The customer's display name from the token at order time (empty on orders placed before it was recorded). */
  customerName?: string;
  customerEmail?: string | null;
  lines: AdminOrderLine[];
  shortages?: Shortage[];
}

/** GET /api/orders/stats: one period's figures (default: today, UTC). */
export interface OrderStats {
  from: string;
  to: string;
  orders: number;
  confirmed: number;
  rejected: number;
  cancelled: number;
  shipped: number;
  pending: number;
  revenue: number;
  confirmationRate: number;
  rejectionRate: number;
  perHour: HourFigures[];
}

export interface HourFigures {
  /** ISO instant the hour starts. */
  hour: string;
  orders: number;
  revenue: number;
}

/** The customer as a person reads it: the name, else the account id (orders from before names were recorded). */
export function customerLabel(order: Pick<AdminOrder, 'customerName' | 'customerId'>): string {
  return order.customerName?.trim() || order.customerId;
}

/** A line as a person reads it: the product name, else the SKU. */
export function lineLabel(line: AdminOrderLine): string {
  return line.name?.trim() || line.sku;
}

/** A product as the admin edits it: the shop's catalogue fields besides stock and price. */
export interface AdminProduct extends Product {
  description?: string;
  category?: string;
  brand?: string;
  /** Root-relative path of the picture the shop serves (e.g. /products/kettle.svg), or "". */
  image?: string;
}
