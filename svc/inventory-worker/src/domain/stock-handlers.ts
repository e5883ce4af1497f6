/**
 * What the worker does for each order event, inside the inbox transaction (effect + inbox row + outbox events
 * commit together, so a crash at any point leaves either everything or nothing).
 */
import type { Envelope } from "@meridian/kit/contracts";
import { pgOutbox } from "@meridian/kit/messaging";
import { releaseStock, reserveStock, type InventoryTx, type ReleaseOutcome, type ReserveOutcome } from "@meridian/inventory/store";

function causedBy(envelope: Envelope): { correlationId: string; causationId: string } {
  return { correlationId: envelope.correlationId, causationId: envelope.messageId };
}

/** Reserves all lines or none; announces StockReserved or StockRejected (with the shortages). */
export async function handleOrderCreated(
  tx: InventoryTx,
  envelope: Envelope<"orders.order-created.v1">,
): Promise<ReserveOutcome> {
  const { orderId, lines } = envelope.body;
  const result = await reserveStock(tx, orderId, lines.map(({ sku, quantity }) => ({ sku, quantity })));
  if (result.outcome === "reserved") {
    await pgOutbox.enqueue(tx, {
      type: "inventory.stock-reserved.v1",
      body: { orderId, lines: result.lines },
      aggregateId: orderId,
      ...causedBy(envelope),
    });
  } else if (result.outcome === "rejected") {
    const skus = result.shortages.map((s) => s.sku).join(", ");
    await pgOutbox.enqueue(tx, {
      type: "inventory.stock-rejected.v1",
      body: { orderId, reason: `insufficient stock for ${skus}`, shortages: result.shortages },
      aggregateId: orderId,
      ...causedBy(envelope),
    });
  }
  // "exists": reserved already, or the order was cancelled first; either way nothing new to say.
  return result;
}

/** Releases the order's reservation (if any) and announces StockReleased. */
export async function handleOrderCancelled(
  tx: InventoryTx,
  envelope: Envelope<"orders.order-cancelled.v1">,
): Promise<ReleaseOutcome> {
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
