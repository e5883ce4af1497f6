import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { CatalogueFacets, CatalogueItem } from "../src/domain/catalogue";
import { DEMO_CATALOGUE, seedCatalogue } from "../src/seed";
import { demoPictures, PICTURES_DIR } from "../src/seed/draw-pictures";
import type { Page, Product } from "../src/store";
import { createTestDatabase, REPO_ROOT } from "@meridian/kit/testing";
import { startInventoryHarness, type InventoryHarness } from "./support";

let h: InventoryHarness;

beforeAll(async () => {
  h = await startInventoryHarness("inventory_seed");
}, 30_000);

afterAll(async () => {
  await h?.stop();
});

const anonymous = async <T>(path: string): Promise<T> => (await (await fetch(`${h.url}${path}`)).json()) as T;

describe("demo catalogue seed", () => {
  test("when the catalogue is seeded, then the shop lists at least 24 products in at least 4 categories, each complete", async () => {
    expect(await seedCatalogue(h.inventory.store)).toEqual({ created: DEMO_CATALOGUE.length, updated: 0 });
    const page = await anonymous<Page<CatalogueItem>>("/api/catalogue?pageSize=100");
    expect(page.total).toBe(DEMO_CATALOGUE.length);
    expect(page.total).toBeGreaterThanOrEqual(24);
    const facets = await anonymous<CatalogueFacets>("/api/catalogue/facets");
    expect(facets.categories.length).toBeGreaterThanOrEqual(4);
    expect(facets.categories.reduce((sum, c) => sum + c.count, 0)).toBe(page.total);
    for (const item of page.items) {
      for (const field of ["name", "description", "category", "brand", "image"] as const) expect(item[field].length).toBeGreaterThan(0);
      expect(item.price).toBeGreaterThan(0);
      expect(item.image).toMatch(/^\/products\/[a-z0-9-]+\.svg$/);
      expect(await Bun.file(join(PICTURES_DIR, item.image.slice("/products/".length))).exists()).toBe(true);
    }
    const burr = await anonymous<CatalogueItem>("/api/catalogue/items/GRD-HAND-01");
    expect(burr).toMatchObject({ name: "Hand burr grinder", availability: "low-stock", left: 3, maxQuantity: 3 });
  });

  test("when seeded again after stock changed, then stock stays as it was and nothing is duplicated", async () => {
    const adjusted = await h.call("POST", "/api/inventory/products/BEAN-ETH-01/adjustments", {
      body: { delta: -17, reason: "sold at the counter" },
    });
    expect(adjusted.status).toBe(200);
    const before = (await (await h.call("GET", "/api/inventory/products/BEAN-ETH-01")).json()) as Product;
    expect(before.onHand).toBe(43);

    expect(await seedCatalogue(h.inventory.store)).toEqual({ created: 0, updated: DEMO_CATALOGUE.length });
    const after = (await (await h.call("GET", "/api/inventory/products/BEAN-ETH-01")).json()) as Product;
    expect(after).toMatchObject({ onHand: 43, name: "Ethiopia Yirgacheffe, 250 g" });
    expect((await anonymous<Page<CatalogueItem>>("/api/catalogue?pageSize=100")).total).toBe(DEMO_CATALOGUE.length);
  });

  test("when the pictures are drawn afresh, then they equal the committed files, one per product and no others", async () => {
    const pictures = demoPictures();
    expect(pictures.size).toBe(DEMO_CATALOGUE.length);
    const committed = (await readdir(PICTURES_DIR)).filter((f) => f.endsWith(".svg")).sort();
    expect(committed).toEqual([...pictures.keys()].sort());
    for (const [file, svg] of pictures) expect(await Bun.file(join(PICTURES_DIR, file)).text()).toBe(svg);
  });

  test("when the service starts with SEED_DEMO_CATALOGUE=true, then it serves the demo catalogue; by default it seeds nothing", async () => {
    const seeded = await startInventoryHarness("inventory_seed_start", { SEED_DEMO_CATALOGUE: "true" });
    try {
      const page = (await (await fetch(`${seeded.url}/api/catalogue?pageSize=1`)).json()) as Page<CatalogueItem>;
      expect(page.total).toBe(DEMO_CATALOGUE.length);
    } finally {
      await seeded.stop();
    }
    const plain = await startInventoryHarness("inventory_seed_off");
    try {
      expect(((await (await fetch(`${plain.url}/api/catalogue`)).json()) as Page<CatalogueItem>).total).toBe(0);
    } finally {
      await plain.stop();
    }
  }, 60_000);

  test("when `bun run seed` (scripts/seed.sh) runs twice, then it creates the catalogue once; with SEED=0 it does nothing", async () => {
    const db = await createTestDatabase("inventory_seed_script");
    try {
      const seed = (env: Record<string, string>) =>
        Bun.spawnSync(["bash", "scripts/seed.sh"], { cwd: REPO_ROOT, env: { ...process.env, INVENTORY_DATABASE_URL: db.url, ...env } });
      const skipped = seed({ SEED: "0" });
      expect(skipped.exitCode).toBe(0);
      expect(skipped.stdout.toString()).toContain("SEED=0");
      const first = seed({});
      expect(first.exitCode).toBe(0);
      expect(first.stdout.toString()).toContain(`"created":${DEMO_CATALOGUE.length}`);
      const second = seed({});
      expect(second.stdout.toString()).toContain(`"created":0,"updated":${DEMO_CATALOGUE.length}`);
      const broken = seed({ INVENTORY_DATABASE_URL: db.url.replace(/\/[^/]+$/, "/no_such_database") });
      expect(broken.exitCode).not.toBe(0);
      expect(broken.stderr.toString()).toContain("bun run seed");
    } finally {
      await db.drop();
    }
  }, 60_000);

  test("when the demo data is read, then skus and picture names are unique and skus are valid", () => {
    expect(new Set(DEMO_CATALOGUE.map((p) => p.sku)).size).toBe(DEMO_CATALOGUE.length);
    expect(new Set(DEMO_CATALOGUE.map((p) => p.slug)).size).toBe(DEMO_CATALOGUE.length);
    for (const p of DEMO_CATALOGUE) expect(p.sku).toMatch(/^[A-Z0-9-]{3,32}$/);
  });
});
