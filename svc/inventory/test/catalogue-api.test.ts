import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import type { CatalogueFacets, CatalogueItem } from "../src/domain/catalogue";
import { openInventoryDatabase, type InventoryDatabase, type Page, type Product } from "../src/store";
import { startInventoryHarness, type InventoryHarness } from "./support";

let h: InventoryHarness;
let database: InventoryDatabase;

/** sku, name, price, category, brand, stock, low-stock threshold */
const PRODUCTS = [
  ["CAT-GRINDER", "Hand burr grinder", 89, "Grinders", "Aurel", 40, 5],
  ["CAT-MILL", "Electric flat burr mill", 349, "Grinders", "Kobalt", 3, 5],
  ["CAT-KETTLE", "Gooseneck kettle", 59.9, "Kettles", "Aurel", 0, 5],
  ["CAT-DRIPPER", "Ceramic cone dripper", 24.5, "Brewers", "Hario-like", 12, 2],
] as const;

beforeAll(async () => {
  h = await startInventoryHarness("inventory_catalogue");
  database = openInventoryDatabase(h.db.url, { max: 2 });
  for (const [sku, name, price, category, brand, stock, lowStockThreshold] of PRODUCTS) {
    const body = {
      name,
      price,
      category,
      brand,
      lowStockThreshold,
      description: `${name}, made to last.`,
      image: `/products/${sku.toLowerCase()}.svg`,
    };
    expect((await h.call("PUT", `/api/inventory/products/${sku}`, { body })).status).toBe(201);
    if (stock > 0) await h.call("POST", `/api/inventory/products/${sku}/adjustments`, { body: { delta: stock, reason: "delivery" } });
  }
}, 30_000);

afterAll(async () => {
  await database?.close();
  await h?.stop();
});

/** An anonymous GET: no Authorization header at all. */
async function anonymous<T>(path: string): Promise<{ status: number; body: T; type: string | null }> {
  const res = await fetch(`${h.url}${path}`);
  return { status: res.status, body: (await res.json()) as T, type: res.headers.get("content-type") };
}

describe("public catalogue API", () => {
  test("when an anonymous shopper lists the catalogue, then items come sorted by name with public fields only", async () => {
    const { status, body } = await anonymous<Page<CatalogueItem>>("/api/catalogue");
    expect(status).toBe(200);
    expect(body).toMatchObject({ page: 1, pageSize: 20, total: 4 });
    expect(body.items.map((i) => i.name)).toEqual([
      "Ceramic cone dripper",
      "Electric flat burr mill",
      "Gooseneck kettle",
      "Hand burr grinder",
    ]);
    const grinder = body.items.find((i) => i.sku === "CAT-GRINDER")!;
    expect(grinder).toEqual({
      sku: "CAT-GRINDER",
      name: "Hand burr grinder",
      description: "Hand burr grinder, made to last.",
      price: 89,
      category: "Grinders",
      brand: "Aurel",
      image: "/products/cat-grinder.svg",
      availability: "in-stock",
      maxQuantity: 10,
    });
    for (const item of body.items)
      for (const hidden of ["onHand", "reserved", "available", "lowStockThreshold"]) expect(item).not.toHaveProperty(hidden);
  });

  test("when stock is low or gone, then availability is a bucket with a count only under the threshold", async () => {
    const { body } = await anonymous<Page<CatalogueItem>>("/api/catalogue?pageSize=100");
    const bySku = new Map(body.items.map((i) => [i.sku, i]));
    expect(bySku.get("CAT-MILL")).toMatchObject({ availability: "low-stock", left: 3, maxQuantity: 3 });
    expect(bySku.get("CAT-KETTLE")).toMatchObject({ availability: "out-of-stock", maxQuantity: 0 });
    expect(bySku.get("CAT-KETTLE")).not.toHaveProperty("left");
    expect(bySku.get("CAT-DRIPPER")).toMatchObject({ availability: "in-stock", maxQuantity: 10 });
    expect(bySku.get("CAT-DRIPPER")).not.toHaveProperty("left");
  });

  test("when units are reserved, then availability counts what is left after reservations", async () => {
    await database.db.execute(sql`update products set reserved = 37 where sku = 'CAT-GRINDER'`);
    try {
      const { body } = await anonymous<CatalogueItem>("/api/catalogue/items/CAT-GRINDER");
      expect(body).toMatchObject({ availability: "low-stock", left: 3, maxQuantity: 3 });
    } finally {
      await database.db.execute(sql`update products set reserved = 0 where sku = 'CAT-GRINDER'`);
    }
  });

  test("when searching, filtering, sorting and paging, then only matching items come back in that order", async () => {
    const search = await anonymous<Page<CatalogueItem>>("/api/catalogue?q=burr");
    expect(search.body.items.map((i) => i.sku)).toEqual(["CAT-MILL", "CAT-GRINDER"]);
    const byDescription = await anonymous<Page<CatalogueItem>>("/api/catalogue?q=MADE%20TO%20LAST&pageSize=1");
    expect(byDescription.body).toMatchObject({ total: 4, pageSize: 1 });
    const category = await anonymous<Page<CatalogueItem>>("/api/catalogue?category=Grinders&sort=price-desc");
    expect(category.body.items.map((i) => i.sku)).toEqual(["CAT-MILL", "CAT-GRINDER"]);
    const brand = await anonymous<Page<CatalogueItem>>("/api/catalogue?brand=Aurel&sort=price-asc");
    expect(brand.body.items.map((i) => i.sku)).toEqual(["CAT-KETTLE", "CAT-GRINDER"]);
    const page2 = await anonymous<Page<CatalogueItem>>("/api/catalogue?sort=price-asc&page=2&pageSize=3");
    expect(page2.body).toMatchObject({ page: 2, pageSize: 3, total: 4 });
    expect(page2.body.items.map((i) => i.sku)).toEqual(["CAT-MILL"]);
    const wildcard = await anonymous<Page<CatalogueItem>>("/api/catalogue?q=%25");
    expect(wildcard.body.total).toBe(0);
  });

  test("when facets are asked, then categories and brands come with counts, by name", async () => {
    const { status, body } = await anonymous<CatalogueFacets>("/api/catalogue/facets");
    expect(status).toBe(200);
    expect(body.categories).toEqual([
      { name: "Brewers", count: 1 },
      { name: "Grinders", count: 2 },
      { name: "Kettles", count: 1 },
    ]);
    expect(body.brands).toEqual([
      { name: "Aurel", count: 2 },
      { name: "Hario-like", count: 1 },
      { name: "Kobalt", count: 1 },
    ]);
  });

  test("when an item is unknown or input is invalid, then the answer is problem+json naming the problem", async () => {
    const missing = await anonymous<{ status: number }>("/api/catalogue/items/NOPE-1");
    expect(missing.status).toBe(404);
    expect(missing.type).toContain("application/problem+json");
    for (const [path, field] of [
      ["/api/catalogue?sort=cheapest", "sort"],
      ["/api/catalogue?pageSize=101", "pageSize"],
      ["/api/catalogue?page=0", "page"],
      ["/api/catalogue?q=", "q"],
      ["/api/catalogue/items/bad%20sku", "sku"],
    ] as const) {
      const res = await anonymous<{ errors?: { field: string }[] }>(path);
      expect(res.status).toBe(400);
      expect(res.type).toContain("application/problem+json");
      expect(JSON.stringify(res.body)).toContain(field);
    }
  });

  test("when the catalogue is public, then the admin API still denies a request without a token", async () => {
    const res = await fetch(`${h.url}/api/inventory/products`);
    expect(res.status).toBe(401);
    const write = await fetch(`${h.url}/api/catalogue/items/CAT-GRINDER`, {
      method: "PUT",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(write.status).toBe(404);
  });

  test("when the OpenAPI document is read, then the catalogue routes are there without a security requirement", async () => {
    const doc = (await (await fetch(`${h.url}/openapi/json`)).json()) as { paths: Record<string, { get?: { security?: unknown[] } }> };
    for (const path of ["/api/catalogue", "/api/catalogue/facets", "/api/catalogue/items/{sku}"])
      expect(doc.paths[path]?.get?.security).toEqual([]);
    expect(doc.paths["/api/inventory/products"]?.get?.security).toEqual([{ bearer: [] }]);
  });
});

describe("product catalogue fields", () => {
  test("when a PUT leaves the catalogue fields out, then their stored values stay", async () => {
    const res = await h.call("PUT", "/api/inventory/products/CAT-DRIPPER", { body: { name: "Ceramic cone dripper", price: 26 } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      price: 26,
      category: "Brewers",
      brand: "Hario-like",
      image: "/products/cat-dripper.svg",
      lowStockThreshold: 2,
    });
  });

  test("when a new product is created without them, then they are empty strings", async () => {
    const res = await h.call("PUT", "/api/inventory/products/CAT-PLAIN", { body: { name: "Plain", price: 1 } });
    expect((await res.json()) as Product).toMatchObject({ description: "", category: "", brand: "", image: "" });
    await database.db.execute(sql`delete from products where sku = 'CAT-PLAIN'`);
  });

  test("when an image is not a root-relative path, then the PUT is refused with 400 naming image", async () => {
    for (const image of ["https://evil.example/x.png", "//evil.example/x.png", "products/x.svg", "/x.svg?a=1", "javascript:alert(1)"]) {
      const res = await h.call("PUT", "/api/inventory/products/CAT-BAD", { body: { name: "x", price: 1, image } });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("image");
    }
  });

  test("when a product is upserted, then ProductUpserted carries name, price and the catalogue fields", async () => {
    const rows = await database.db.execute<{ body: Record<string, unknown> }>(
      sql`select body from messaging_outbox where type = 'inventory.product-upserted.v1' and aggregate_id = 'CAT-KETTLE' order by id`,
    );
    expect([...rows][0]?.body).toMatchObject({
      sku: "CAT-KETTLE",
      name: "Gooseneck kettle",
      price: 59.9,
      category: "Kettles",
      brand: "Aurel",
    });
  });
});
