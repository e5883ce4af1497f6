/**
 * Talking to a started platform the way its users do (through the gateway, with bearer tokens) plus the
 * read-only database look-ups benchmarks and fault tests use to check what happened.
 */
import postgres from "postgres";
import { rabbitmqctl, waitFor, type TestIssuer } from "@meridian/kit/testing";
import type { Platform } from "@meridian/platform";

export const ALL_SCOPES = ["orders.read", "orders.write", "inventory.read", "inventory.write", "notifications.read", "audit.read"];

export interface SeedProduct {
  sku: string;
  price: number;
  stock: number;
}

export interface Tokens {
  admin: string;
  customer: (sub: string) => Promise<string>;
}

export async function tokensFor(issuer: TestIssuer): Promise<Tokens> {
  return {
    admin: await issuer.token({ sub: "bench-admin", scopes: ALL_SCOPES, roles: ["admin"], expiresInSec: 4 * 3600 }),
    customer: (sub) =>
      issuer.token({
        sub,
        scopes: ["orders.read", "orders.write", "inventory.read", "notifications.read"],
        roles: ["customer"],
        expiresInSec: 4 * 3600,
      }),
  };
}

async function call(url: string, init: RequestInit & { token: string; body?: string }): Promise<Response> {
  const res = await fetch(url, {
    ...init,
    headers: { authorization: `Bearer ${init.token}`, "content-type": "application/json", ...(init.headers ?? {}) },
  });
  return res;
}

/** Creates the products through the inventory API (admin), gives each its stock, waits until orders can price them. */
export async function seedCatalogue(platform: Platform, adminToken: string, products: SeedProduct[]): Promise<void> {
  for (const p of products) {
    const put = await call(`${platform.gatewayUrl}/inventory/products/${p.sku}`, {
      method: "PUT",
      token: adminToken,
      body: JSON.stringify({ name: `Product ${p.sku}`, price: p.price }),
    });
    if (put.status !== 201 && put.status !== 200) throw new Error(`PUT product ${p.sku}: ${put.status} ${await put.text()}`);
    if (p.stock > 0) {
      const adj = await call(`${platform.gatewayUrl}/inventory/products/${p.sku}/adjustments`, {
        method: "POST",
        token: adminToken,
        body: JSON.stringify({ delta: p.stock, reason: "initial stock" }),
      });
      if (!adj.ok) throw new Error(`stock for ${p.sku}: ${adj.status} ${await adj.text()}`);
    }
  }
  const sql = postgres(platform.databases.orders.url, { max: 1, onnotice: () => {} });
  try {
    await waitFor(
      async () => {
        const [row] = await sql<{ n: number }[]>`select count(*)::int as n from catalogue_products`.catch(() => [{ n: 0 }]);
        return (row?.n ?? 0) >= products.length;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: "orders to know every seeded product" },
    );
  } finally {
    await sql.end();
  }
}

export interface PlaceResult {
  status: number;
  orderId?: string;
  body: string;
}

export async function placeOrder(
  gatewayUrl: string,
  token: string,
  idempotencyKey: string,
  lines: Array<{ sku: string; quantity: number }>,
  signal?: AbortSignal,
): Promise<PlaceResult> {
  const res = await fetch(`${gatewayUrl}/orders`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": idempotencyKey },
    body: JSON.stringify({ lines }),
    ...(signal ? { signal } : {}),
  });
  const body = await res.text();
  let orderId: string | undefined;
  if (res.status === 200 || res.status === 201) orderId = (JSON.parse(body) as { id: string }).id;
  return { status: res.status, body, ...(orderId ? { orderId } : {}) };
}

/** The kit's `rabbitmqctl` (one helper for every test that acts on the broker server-side). */
export { rabbitmqctl };

/** Messages (ready + unacknowledged) per queue of a virtual host. */
export async function queueDepths(vhost: string): Promise<Map<string, number>> {
  const out = await rabbitmqctl("list_queues", "-p", vhost, "--no-table-headers", "name", "messages");
  const depths = new Map<string, number>();
  for (const line of out.split("\n")) {
    const [name, messages] = line.trim().split(/\s+/);
    if (name && messages !== undefined && /^\d+$/.test(messages)) depths.set(name, Number(messages));
  }
  return depths;
}
