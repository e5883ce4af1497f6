/** Shapes of the Meridian service APIs (docs/api.md) as the web apps read them. */
export interface Paged<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export type OrderStatus = 'pending' | 'confirmed' | 'rejected' | 'cancelled' | 'shipped';

export interface OrderLine {
  sku: string;
  quantity: number;
  unitPrice: number;
}

export interface Order {
  id: string;
  customerId: string;
  status: OrderStatus;
  lines: OrderLine[];
  total: number;
  rejectionReason?: string;
  createdAt: string;
  updatedAt: string;
}

export interface Product {
  sku: string;
  name: string;
  price: number;
  onHand: number;
  reserved: number;
  available: number;
  lowStockThreshold: number;
  updatedAt: string;
}

export type NotificationKind =
  | 'order-confirmed'
  | 'order-rejected'
  | 'order-shipped'
  | 'order-cancelled'
  | 'low-stock'
  | 'dead-letter'
  | 'broadcast';

export interface AppNotification {
  id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  orderId?: string;
  sku?: string;
  read: boolean;
  createdAt: string;
}

export interface AuditEvent {
  streamId: string;
  streamPosition: number;
  type: string;
  messageId: string;
  occurredAt: string;
  data: unknown;
}

export interface AuditDocument {
  id: string;
  entity: 'order' | 'product';
  entityId: string;
  action: string;
  timestamp: string;
  actor: string;
  payload: unknown;
}

/** Orders that the customer or an admin may still cancel (orders answers 409 otherwise). */
export function isCancellable(status: OrderStatus): boolean {
  return status === 'pending' || status === 'confirmed';
}

export function statusLabel(status: OrderStatus): string {
  return status.charAt(0).toUpperCase() + status.slice(1);
}
