/** The order use cases: placing, reading, cancelling, shipping, and reacting to inventory's answers. */
import { createHash, randomUUID } from "node:crypto";
import { ProblemError, problems, type FieldError } from "@meridian/kit";
import type { Envelope } from "@meridian/kit/contracts";
import type { OrderFilter, OrdersStore, OrdersTx, OutboxEvent, StatusChange } from "../store/types";
import type { OrderMetrics } from "./metrics";
import { sourcesOf, toCents, toOrder, type Order, type OrderRecord, type OrderStatus, type Page, type ShortageRecord } from "./order";
import { summariseStats, type OrderStats } from "./order-stats";

export interface Caller {
  sub: string;
  isAdmin: boolean;
  /** Display name from the token (`name`, else `preferred_username`, else `sub`). */
  name: string;
  email: string | null;
}

export interface PlaceOrderLine {
  sku: string;
  quantity: number;
}

/** Events of one order share the order id as correlation id: the whole flow can be followed by it. */
function orderEvent<T extends OutboxEvent["type"]>(
  order: OrderRecord,
  type: T,
  body: OutboxEvent<T>["body"],
  causationId?: string,
): OutboxEvent<T> {
  return { type, body, aggregateId: order.id, correlationId: order.id, ...(causationId ? { causationId } : {}) };
}

function requestHash(lines: readonly PlaceOrderLine[]): string {
  return createHash("sha256")
    .update(JSON.stringify(lines.map((l) => [l.sku, l.quantity])))
    .digest("hex");
}

export class OrderService {
  constructor(
    private readonly store: OrdersStore,
    private readonly metrics: OrderMetrics,
  ) {}

  /** Places an order at catalogue prices; a repeated idempotency key answers with the first order. */
  async place(caller: Caller, idempotencyKey: string, lines: readonly PlaceOrderLine[]): Promise<{ order: Order; created: boolean }> {
    const errors: FieldError[] = [];
    const seen = new Set<string>();
    lines.forEach((line, i) => {
      if (seen.has(line.sku)) errors.push({ field: `lines[${i}].sku`, message: `sku ${line.sku} appears more than once` });
      seen.add(line.sku);
    });
    if (errors.length > 0) throw problems.validation(errors);

    const catalogue = await this.store.findCatalogueProducts([...seen]);
    lines.forEach((line, i) => {
      if (!catalogue.has(line.sku)) errors.push({ field: `lines[${i}].sku`, message: `unknown sku ${line.sku}` });
    });
    if (errors.length > 0) throw problems.validation(errors);

    const priced = lines.map((l) => {
      const product = catalogue.get(l.sku)!;
      return { sku: l.sku, name: product.name, quantity: l.quantity, unitPriceCents: product.priceCents };
    });
    const hash = requestHash(lines);
    const result = await this.store.createOrder(
      {
        id: randomUUID(),
        customerId: caller.sub,
        customerName: caller.name,
        customerEmail: caller.email,
        idempotencyKey,
        requestHash: hash,
        lines: priced,
        totalCents: priced.reduce((sum, l) => sum + l.unitPriceCents * l.quantity, 0),
        createdAt: new Date(),
      },
      (order) =>
        orderEvent(order, "orders.order-created.v1", {
          orderId: order.id,
          customerId: order.customerId,
          lines: toOrder(order).lines,
          total: toOrder(order).total,
          createdAt: order.createdAt.toISOString(),
        }),
    );
    if (!result.created && result.order.requestHash !== hash) {
      throw new ProblemError({
        status: 422,
        slug: "idempotency-key-reused",
        title: "Idempotency key reused",
        detail: "This Idempotency-Key was already used for an order with different lines.",
        errors: [{ field: "headers.idempotency-key", message: "already used for a different request" }],
      });
    }
    if (result.created) {
      this.metrics.placed();
      this.metrics.statusChanged("pending");
    }
    return { order: toOrder(result.order), created: result.created };
  }

  /** Owner or admin; anyone else gets 404 (an order's existence is not disclosed). */
  async get(caller: Caller, orderId: string): Promise<Order> {
    const order = await this.store.getOrder(orderId);
    if (!order || (!caller.isAdmin && order.customerId !== caller.sub)) {
      throw problems.notFound(`order ${orderId} does not exist`);
    }
    return toOrder(order);
  }

  async list(filter: OrderFilter, page: number, pageSize: number): Promise<Page<Order>> {
    const result = await this.store.listOrders(filter, page, pageSize);
    return { ...result, items: result.items.map(toOrder) };
  }

  /** The dashboard's figures for orders created in [from, to). */
  async stats(from: Date, to: Date): Promise<OrderStats> {
    return summariseStats(from, to, await this.store.orderStats(from, to));
  }

  async cancel(caller: Caller, orderId: string): Promise<Order> {
    await this.get(caller, orderId); // ownership
    return this.change(orderId, "cancelled", (order) =>
      orderEvent(order, "orders.order-cancelled.v1", { orderId, customerId: order.customerId, by: caller.sub }),
    );
  }

  async ship(orderId: string): Promise<Order> {
    return this.change(orderId, "shipped", (order, at) =>
      orderEvent(order, "orders.order-shipped.v1", { orderId, customerId: order.customerId, shippedAt: at.toISOString() }),
    );
  }

  private async change(orderId: string, to: OrderStatus, event: (order: OrderRecord, at: Date) => OutboxEvent): Promise<Order> {
    const at = new Date();
    const result = await this.store.transaction((tx) =>
      tx.transition(orderId, { from: sourcesOf(to), to, at, event: (order) => event(order, at) }),
    );
    if (result.outcome === "not-found") throw problems.notFound(`order ${orderId} does not exist`);
    if (result.outcome === "illegal") {
      throw new ProblemError({
        status: 409,
        slug: "illegal-order-transition",
        title: "Illegal order status change",
        detail: `order ${orderId} is ${result.order.status} and cannot become ${to}`,
      });
    }
    this.metrics.statusChanged(to);
    return toOrder(result.order);
  }

  /** Inventory reserved the stock: pending → confirmed. Late answers for orders no longer pending change nothing. */
  async onStockReserved(tx: OrdersTx, envelope: Envelope<"inventory.stock-reserved.v1">): Promise<OrderStatus | "ignored"> {
    return this.settle(tx, envelope.body.orderId, envelope.messageId, { to: "confirmed" });
  }

  /**
   * The reservation request of a pending order was parked in the reservation consumer's error queue: the order is
   * rejected with the reason (not left pending until someone replays it); no stock was reserved for it.
   */
  async onReservationDeadLettered(
    tx: OrdersTx,
    orderId: string,
    envelope: Envelope<"system.message-dead-lettered.v1">,
  ): Promise<OrderStatus | "ignored"> {
    const reason = `the reservation could not be processed: ${envelope.body.reason}`;
    return this.settle(tx, orderId, envelope.messageId, { to: "rejected", reason, shortages: [] });
  }

  async onStockRejected(tx: OrdersTx, envelope: Envelope<"inventory.stock-rejected.v1">): Promise<OrderStatus | "ignored"> {
    const shortages = envelope.body.shortages.map(({ sku, name, requested, available }) => ({
      sku,
      name: name ?? sku,
      requested,
      available,
    }));
    return this.settle(tx, envelope.body.orderId, envelope.messageId, { to: "rejected", reason: envelope.body.reason, shortages });
  }

  async onProductUpserted(tx: OrdersTx, envelope: Envelope<"inventory.product-upserted.v1">): Promise<void> {
    const { sku, name, price } = envelope.body;
    await tx.upsertCatalogueProduct({ sku, name, priceCents: toCents(price) }, new Date(envelope.occurredAt));
  }

  private async settle(
    tx: OrdersTx,
    orderId: string,
    causationId: string,
    outcome: { to: "confirmed" } | { to: "rejected"; reason: string; shortages: ShortageRecord[] },
  ): Promise<OrderStatus | "ignored"> {
    const at = new Date();
    const change: StatusChange = {
      from: ["pending"],
      to: outcome.to,
      at,
      ...(outcome.to === "rejected" ? { rejectionReason: outcome.reason.slice(0, 500), shortages: outcome.shortages } : {}),
      event: (order) =>
        outcome.to === "confirmed"
          ? orderEvent(order, "orders.order-confirmed.v1", { orderId, customerId: order.customerId }, causationId)
          : orderEvent(order, "orders.order-rejected.v1", { orderId, customerId: order.customerId, reason: outcome.reason }, causationId),
    };
    const result = await tx.transition(orderId, change);
    if (result.outcome !== "changed") return "ignored";
    this.metrics.statusChanged(outcome.to);
    this.metrics.settled(outcome.to, (at.getTime() - result.order.createdAt.getTime()) / 1000);
    return outcome.to;
  }
}
