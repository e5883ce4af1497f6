/**
 * What the worker does for each order event, inside the inbox transaction (effect + inbox row + outbox events
 * commit together, so a crash at any point leaves either everything or nothing).
 */
import type { Envelope } from "@meridian/kit/contracts";
import { pgOutbox } from "@meridian/kit/messaging";
import {
  fulfilStock,
  releaseStock,
  reserveStock,
  type FulfilOutcome,
  type InventoryTx,
  type ReleaseOutcome,
  type ReserveOutcome,
} from "@meridian/inventory/store";

function causedBy(envelope: Envelope): { correlationId: string; causationId: string } {
  return { correlationId: envelope.correlationId, causationId: envelope.messageId };
}

/** Reserves all lines or none; announces StockReserved or StockRejected (with the shortages). */
export async function handleOrderCreated(tx: InventoryTx, envelope: Envelope<"orders.order-created.v1">): Promise<ReserveOutcome> {
  const { orderId, lines } = envelope.body;
  const result = await reserveStock(
    tx,
    orderId,
    lines.map(({ sku, quantity }) => ({ sku, quantity })),
  );
  if (result.outcome === "reserved") {
    await pgOutbox.enqueue(tx, {
      type: "inventory.stock-reserved.v1",
      body: { orderId, lines: result.lines },
      aggregateId: orderId,
      ...causedBy(envelope),
    });
  } else if (result.outcome === "rejected") {
    // Words a customer can read (the reason reaches their notification): product names, not skus.
    const short = result.shortages.map((s) => `${s.name} (${s.requested} requested, ${s.available} left)`).join("; ");
    await pgOutbox.enqueue(tx, {
      type: "inventory.stock-rejected.v1",
      body: { orderId, reason: `not enough stock: ${short}`.slice(0, 500), shortages: result.shortages },
      aggregateId: orderId,
      ...causedBy(envelope),
    });
  }
  // "exists": reserved already, or the order was cancelled first; either way nothing new to say.
  return result;
}

/** Releases the order's reservation (if any) and announces StockReleased. */
export async function handleOrderCancelled(tx: InventoryTx, envelope: Envelope<"orders.order-cancelled.v1">): Promise<ReleaseOutcome> {
  const { orderId } = envelope.body;
  const result = await releaseStock(tx, orderId);
  if (result.outcome === "released") {
    await pgOutbox.enqueue(tx, {
      type: "inventory.stock-released.v1",
      body: { orderId, lines: result.lines },
      aggregateId: orderId,
      ...causedBy(envelope),
    });
  }
  return result;
}

/**
 * The order shipped: the reserved units leave stock (on hand and reserved drop together). Announced per sku as
 * InventoryAdjusted, the same event as a manual adjustment, so low-stock alerts and the audit trail see it.
 */
export async function handleOrderShipped(tx: InventoryTx, envelope: Envelope<"orders.order-shipped.v1">): Promise<FulfilOutcome> {
  const { orderId } = envelope.body;
  const result = await fulfilStock(tx, orderId);
  if (result.outcome === "fulfilled") {
    const quantities = new Map(result.lines.map((l) => [l.sku, 0]));
    for (const line of result.lines) quantities.set(line.sku, (quantities.get(line.sku) ?? 0) + line.quantity);
    for (const product of result.products) {
      await pgOutbox.enqueue(tx, {
        type: "inventory.inventory-adjusted.v1",
        body: {
          sku: product.sku,
          delta: -(quantities.get(product.sku) ?? 0),
          onHand: product.onHand,
          reason: `order ${orderId} shipped`,
          by: "inventory-worker",
        },
        aggregateId: product.sku,
        ...causedBy(envelope),
      });
    }
  }
  return result;
}
