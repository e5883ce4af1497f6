/**
 * What a person is told when something they care about happens, and who that person is.
 * Pure functions: an event in, at most one notification (with its audience) out.
 */
import type { AnyEnvelope } from "@meridian/kit/contracts";

export const notificationKinds = [
  "order-confirmed",
  "order-rejected",
  "order-shipped",
  "order-cancelled",
  "low-stock",
  "dead-letter",
  "broadcast",
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/** A notification as stored (read state is per reader and kept apart). */
export interface StoredNotification {
  id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  orderId?: string;
  sku?: string;
  createdAt: string;
}

/** A notification as one reader sees it. */
export interface Notification extends StoredNotification {
  read: boolean;
}

/**
 * Who sees a notification: one user (by `sub`), every holder of a role, or everyone.
 * Role and everyone feeds are read by many users, so they are stored once and read state is kept per reader.
 */
export type Audience = { kind: "user"; sub: string } | { kind: "role"; role: "admin" } | { kind: "everyone" };

export interface Reader {
  sub: string;
  roles: readonly string[];
}

export function audienceKey(audience: Audience): string {
  switch (audience.kind) {
    case "user":
      return `user:${audience.sub}`;
    case "role":
      return `role:${audience.role}`;
    case "everyone":
      return "everyone";
  }
}

/** The feeds one reader sees, as audience keys. */
export function audiencesOf(reader: Reader): string[] {
  const keys = [audienceKey({ kind: "user", sub: reader.sub }), audienceKey({ kind: "everyone" })];
  if (reader.roles.includes("admin")) keys.push(audienceKey({ kind: "role", role: "admin" }));
  return keys;
}

export function canSee(reader: Reader, audience: string): boolean {
  return audiencesOf(reader).includes(audience);
}

export interface Derived {
  audience: Audience;
  notification: StoredNotification;
  /** Also listed among the recent dead letters (admin view). */
  deadLetter: boolean;
}

export interface DeriveOptions {
  /** Used when the inventory event does not carry the product's own threshold. */
  defaultLowStockThreshold: number;
}

const shortId = (id: string) => id.slice(0, 8);

function forCustomer(envelope: AnyEnvelope, kind: NotificationKind, title: string, body: string): Derived {
  const b = envelope.body as { orderId: string; customerId: string };
  return {
    audience: { kind: "user", sub: b.customerId },
    notification: { id: envelope.messageId, kind, title, body, orderId: b.orderId, createdAt: envelope.occurredAt },
    deadLetter: false,
  };
}

function numberField(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** Low stock = at or below the threshold; notify only when stock crosses into it, not on every later change. */
export function crossedIntoLowStock(before: number, after: number, threshold: number): boolean {
  return after <= threshold && before > threshold;
}

function lowStock(envelope: AnyEnvelope, sku: string, available: number, threshold: number): Derived {
  return {
    audience: { kind: "role", role: "admin" },
    notification: {
      id: envelope.messageId,
      kind: "low-stock",
      title: `Low stock: ${sku}`,
      body: `${sku} is down to ${available} available (threshold ${threshold}).`,
      sku,
      createdAt: envelope.occurredAt,
    },
    deadLetter: false,
  };
}

/**
 * The notification an event means for a person, if any. Events nobody needs to be told about (an order was
 * created, stock was reserved without getting low) give undefined.
 */
export function deriveNotification(envelope: AnyEnvelope, options: DeriveOptions): Derived | undefined {
  switch (envelope.type) {
    case "orders.order-confirmed.v1":
      return forCustomer(envelope, "order-confirmed", "Order confirmed", `Your order ${shortId(envelope.body.orderId)} is confirmed.`);
    case "orders.order-rejected.v1":
      return forCustomer(
        envelope,
        "order-rejected",
        "Order rejected",
        `Your order ${shortId(envelope.body.orderId)} was rejected: ${envelope.body.reason}`,
      );
    case "orders.order-shipped.v1":
      return forCustomer(envelope, "order-shipped", "Order shipped", `Your order ${shortId(envelope.body.orderId)} has shipped.`);
    case "orders.order-cancelled.v1":
      return forCustomer(envelope, "order-cancelled", "Order cancelled", `Your order ${shortId(envelope.body.orderId)} was cancelled.`);
    case "inventory.inventory-adjusted.v1": {
      const { sku, delta, onHand } = envelope.body;
      // Bodies are open: the producer may add the product's `available` (on hand minus reserved) and threshold.
      const extra = envelope.body as Record<string, unknown>;
      const threshold = numberField(extra.lowStockThreshold) ?? options.defaultLowStockThreshold;
      const after = numberField(extra.available) ?? onHand;
      if (!crossedIntoLowStock(after - delta, after, threshold)) return undefined;
      return lowStock(envelope, sku, after, threshold);
    }
    case "inventory.stock-reserved.v1": {
      // The minimum body has no stock levels; a line that carries `available` (after the reservation) tells.
      for (const line of envelope.body.lines) {
        const extra = line as Record<string, unknown>;
        const available = numberField(extra.available);
        if (available === undefined) continue;
        const threshold = numberField(extra.lowStockThreshold) ?? options.defaultLowStockThreshold;
        if (crossedIntoLowStock(available + line.quantity, available, threshold)) return lowStock(envelope, line.sku, available, threshold);
      }
      return undefined;
    }
    case "system.message-dead-lettered.v1": {
      const b = envelope.body;
      return {
        audience: { kind: "role", role: "admin" },
        notification: {
          id: envelope.messageId,
          kind: "dead-letter",
          title: `Message dead-lettered in ${b.queue}`,
          body: `${b.type} ${b.messageId} moved to ${b.queue} after ${b.attempts} attempt(s): ${b.reason}`,
          createdAt: envelope.occurredAt,
        },
        deadLetter: true,
      };
    }
    case "notifications.broadcast-sent.v1":
      return {
        audience: { kind: "everyone" },
        notification: {
          id: envelope.body.id,
          kind: "broadcast",
          title: envelope.body.title,
          body: envelope.body.body,
          createdAt: envelope.occurredAt,
        },
        deadLetter: false,
      };
    default:
      return undefined;
  }
}

/** Event types this service consumes. */
export const consumedEventTypes = [
  "orders.order-confirmed.v1",
  "orders.order-rejected.v1",
  "orders.order-shipped.v1",
  "orders.order-cancelled.v1",
  "inventory.inventory-adjusted.v1",
  "inventory.stock-reserved.v1",
  "system.message-dead-lettered.v1",
  "notifications.broadcast-sent.v1",
] as const;
