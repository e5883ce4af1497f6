import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { createTokenVerifier } from "@meridian/kit/auth";
import { waitFor } from "@meridian/kit/testing";
import { inventoryRoutes } from "../src/routes";
import { openInventoryDatabase, type InventoryDatabase, type Page, type Product } from "../src/store";
import { startInventoryHarness, type InventoryHarness } from "./support";

let h: InventoryHarness;
let database: InventoryDatabase;

beforeAll(async () => {
  h = await startInventoryHarness("inventory_api");
  database = openInventoryDatabase(h.db.url, { max: 2 });
});

afterAll(async () => {
  await database?.close();
  await h?.stop();
});

async function outboxTypes(): Promise<string[]> {
  const rows = await database.db.execute<{ type: string }>(sql`select type from messaging_outbox order by id`);
  return [...rows].map((r) => r.type);
}

describe("inventory products API", () => {
  test("when an admin creates a product, then it answers 201 and a repeat PUT answers 200 with the new data", async () => {
    const created = await h.call("PUT", "/api/inventory/products/WIDGET-1", { body: { name: "Widget", price: 12.5 } });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ sku: "WIDGET-1", name: "Widget", price: 12.5, onHand: 0, reserved: 0, available: 0 });

    const updated = await h.call("PUT", "/api/inventory/products/WIDGET-1", {
      body: { name: "Widget v2", price: 13, lowStockThreshold: 5 },
    });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ name: "Widget v2", price: 13, lowStockThreshold: 5 });
    expect((await outboxTypes()).filter((t) => t === "inventory.product-upserted.v1")).toHaveLength(2);
  });

  test("when stock is adjusted, then on hand changes, InventoryAdjusted is written, and going below reserved is 409", async () => {
    await h.call("PUT", "/api/inventory/products/ADJ-1", { body: { name: "Adjustable", price: 1 } });
    const up = await h.call("POST", "/api/inventory/products/ADJ-1/adjustments", { body: { delta: 10, reason: "delivery" } });
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ onHand: 10, available: 10 });
    expect(await outboxTypes()).toContain("inventory.inventory-adjusted.v1");

    const below = await h.call("POST", "/api/inventory/products/ADJ-1/adjustments", { body: { delta: -11, reason: "shrinkage" } });
    expect(below.status).toBe(409);
    expect(below.headers.get("content-type")).toContain("application/problem+json");
    expect(((await h.call("GET", "/api/inventory/products/ADJ-1").then((r) => r.json())) as Product).onHand).toBe(10);
  });

  test("when products are listed with q, lowStock and paging, then only matching products come back", async () => {
    for (const [sku, name, stock] of [
      ["LIST-A", "Alpha lamp", 1],
      ["LIST-B", "Beta lamp", 50],
      ["LIST-C", "Gamma chair", 0],
    ] as const) {
      await h.call("PUT", `/api/inventory/products/${sku}`, { body: { name, price: 2, lowStockThreshold: 2 } });
      if (stock > 0) await h.call("POST", `/api/inventory/products/${sku}/adjustments`, { body: { delta: stock, reason: "initial" } });
    }
    const lamps = (await (await h.call("GET", "/api/inventory/products?q=lamp", { token: h.readerToken })).json()) as Page<Product>;
    expect(lamps.items.map((p) => p.sku)).toEqual(["LIST-A", "LIST-B"]);
    expect(lamps.total).toBe(2);

    const low = (await (await h.call("GET", "/api/inventory/products?q=LIST-&lowStock=true")).json()) as Page<Product>;
    expect(low.items.map((p) => p.sku)).toEqual(["LIST-A", "LIST-C"]);

    const page2 = (await (await h.call("GET", "/api/inventory/products?q=LIST&page=2&pageSize=2")).json()) as Page<Product>;
    expect(page2).toMatchObject({ page: 2, pageSize: 2, total: 3 });
    expect(page2.items.map((p) => p.sku)).toEqual(["LIST-C"]);
  });

  test("when input is invalid, then each route answers 400 problem+json naming the field", async () => {
    const cases: [string, string, unknown, string][] = [
      ["PUT", "/api/inventory/products/bad sku", { name: "x", price: 1 }, "sku"],
      ["PUT", "/api/inventory/products/GOOD-1", { name: "", price: 1 }, "name"],
      ["PUT", "/api/inventory/products/GOOD-1", { name: "x", price: -1 }, "price"],
      ["PUT", "/api/inventory/products/GOOD-1", { name: "x", price: 1.234 }, "price"],
      ["POST", "/api/inventory/products/GOOD-1/adjustments", { delta: 0, reason: "x" }, "delta"],
      ["POST", "/api/inventory/products/GOOD-1/adjustments", { delta: 1, reason: "" }, "reason"],
      ["POST", "/api/inventory/products/GOOD-1/adjustments", { delta: 1.5, reason: "x" }, "delta"],
      ["GET", "/api/inventory/products?pageSize=101", undefined, "pageSize"],
      ["GET", "/api/inventory/products?page=0", undefined, "page"],
      ["GET", "/api/inventory/products?page=abc", undefined, "page"],
      ["GET", "/api/inventory/products?lowStock=maybe", undefined, "lowStock"],
      ["GET", "/api/inventory/products/x", undefined, "sku"],
      ["GET", "/api/inventory/reservations?orderId=nope", undefined, "orderId"],
      ["GET", "/api/inventory/reservations?status=gone", undefined, "status"],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await h.call(method, path, { body });
      expect({ path, body, status: res.status }).toEqual({ path, body, status: 400 });
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      const problem = (await res.json()) as { errors: { field: string }[] };
      expect(problem.errors.map((e) => e.field).join(",")).toContain(field);
    }
  });

  test("when a sku does not exist, then get and adjust answer 404", async () => {
    expect((await h.call("GET", "/api/inventory/products/NOPE-404")).status).toBe(404);
    const adjust = await h.call("POST", "/api/inventory/products/NOPE-404/adjustments", { body: { delta: 1, reason: "x" } });
    expect(adjust.status).toBe(404);
    expect(adjust.headers.get("content-type")).toContain("application/problem+json");
  });

  test("when a caller lacks the token, scope or role, then 401/403", async () => {
    expect((await h.call("GET", "/api/inventory/products", { token: null })).status).toBe(401);
    const noScope = await h.issuer.token({ sub: "c", scopes: ["orders.read"], roles: ["admin"] });
    expect((await h.call("GET", "/api/inventory/products", { token: noScope })).status).toBe(403);
    const customerWriter = await h.issuer.token({ sub: "c", scopes: ["inventory.read", "inventory.write"], roles: ["customer"] });
    expect((await h.call("PUT", "/api/inventory/products/ROLE-1", { token: customerWriter, body: { name: "x", price: 1 } })).status).toBe(
      403,
    );
    expect((await h.call("GET", "/api/inventory/reservations", { token: h.readerToken })).status).toBe(403);
  });

  test("when the outbox has events, then the relay publishes them (rows get sent_at)", async () => {
    await h.call("PUT", "/api/inventory/products/RELAY-1", { body: { name: "Relayed", price: 3 } });
    await waitFor(
      async () => {
        const rows = await database.db.execute<{ pending: number }>(
          sql`select count(*)::int as pending from messaging_outbox where sent_at is null`,
        );
        return [...rows][0]?.pending === 0;
      },
      { timeoutMs: 15_000, what: "outbox drained" },
    );
  });

  test("when the catalogue is re-announced by the operations tool, then every product gets a ProductUpserted event", async () => {
    const before = (await outboxTypes()).filter((t) => t === "inventory.product-upserted.v1").length;
    const products = (await (await h.call("GET", "/api/inventory/products?pageSize=100")).json()) as Page<Product>;
    const tool = Bun.spawn(["bun", "src/announce-catalogue.ts"], {
      cwd: `${import.meta.dir}/..`,
      env: { ...process.env, DATABASE_URL: h.db.url, LOG_LEVEL: "silent" },
      stdout: "pipe",
      stderr: "inherit",
    });
    expect(await tool.exited).toBe(0);
    expect(JSON.parse(await new Response(tool.stdout).text())).toMatchObject({ products: products.total });
    const after = (await outboxTypes()).filter((t) => t === "inventory.product-upserted.v1").length;
    expect(after - before).toBe(products.total);
  });

  test("when /openapi/json is read, then every inventory route is documented", async () => {
    const res = await fetch(`${h.url}/openapi/json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    // Every route the plugin registers, read from Elysia itself (a new route cannot slip past this test).
    const plugin = inventoryRoutes({ store: h.inventory.store, verifier: createTokenVerifier({ issuer: h.issuer.issuer }) });
    const registered = plugin.routes.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    expect(registered).toHaveLength(5);
    for (const route of registered) expect(documented).toContain(route);
    expect(registered).toContain("POST /api/inventory/products/{sku}/adjustments");
  });

  test("when readiness is asked, then postgres, rabbitmq and the outbox relay are up", async () => {
    const res = await fetch(`${h.url}/health/ready`);
    expect(res.status).toBe(200);
    const report = (await res.json()) as { checks: { name: string; status: string }[] };
    expect(report.checks.map((c) => c.name).sort()).toEqual(["outbox-relay", "postgres", "rabbitmq"]);
  });
});
