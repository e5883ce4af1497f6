/**
 * Orders placed one at a time on an otherwise idle platform: each POST waits until the one before was confirmed and
 * audited, so nothing else runs beside it. What a single order costs in latency on its own, next to the load steps,
 * where the relays, consumers and audit of the orders before compete for the same cores.
 */
import { waitFor } from "@meridian/kit/testing";
import type postgres from "postgres";
import { percentiles, type Percentiles } from "./percentiles";
import { placeOrder } from "./platform-client";

export interface IsolatedOrders {
  count: number;
  /** `POST /orders` through the gateway, measured by the client. */
  http: Percentiles;
  /** The order's createdAt to its confirmation (orders' updatedAt). */
  createdToConfirmed: Percentiles;
}

export async function isolatedOrders(
  gatewayUrl: string,
  token: string,
  skus: string[],
  databases: { orders: postgres.Sql; audit: postgres.Sql },
  count = 40,
): Promise<IsolatedOrders> {
  const http: number[] = [];
  const confirmed: number[] = [];
  for (let i = 0; i < count; i++) {
    const sku = skus[i % skus.length]!;
    const started = performance.now();
    const placed = await placeOrder(gatewayUrl, token, `isolated-${Date.now()}-${i}`, [{ sku, quantity: 1 }]);
    http.push(performance.now() - started);
    if (!placed.orderId) throw new Error(`isolated order ${i}: ${placed.status} ${placed.body}`);
    const id = placed.orderId;
    let settled: { created: Date; updated: Date; status: string } | undefined;
    await waitFor(
      async () => {
        [settled] = await databases.orders<{ created: Date; updated: Date; status: string }[]>`/* bench */
          select created_at as created, updated_at as updated, status from orders where id = ${id}`;
        if (settled?.status === "pending") return false;
        const [audited] = await databases.audit<{ n: number }[]>`/* bench */
          select count(*)::int as n from emt_messages where stream_id = ${`order-${id}`} and message_type = 'orders.order-confirmed.v1'`;
        return (audited?.n ?? 0) > 0;
      },
      { timeoutMs: 30_000, intervalMs: 10, what: `isolated order ${id} to be confirmed and audited` },
    );
    if (settled?.status === "confirmed") confirmed.push(settled.updated.getTime() - settled.created.getTime());
    await Bun.sleep(50);
  }
  return { count, http: percentiles(http), createdToConfirmed: percentiles(confirmed) };
}
