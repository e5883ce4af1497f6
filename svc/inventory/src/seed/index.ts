/**
 * Seeds the demo catalogue through the inventory store (`@meridian/inventory/seed`): used by `bun run seed`
 * (scripts/seed.sh → ./main.ts) and by test harnesses that want a shop with products.
 */
import type { InventoryStore } from "../store";
import { DEMO_CATALOGUE, type DemoProduct } from "./catalogue";

export { DEMO_CATALOGUE, type DemoProduct } from "./catalogue";

/** Where the shop serves the pictures (web/projects/customer/public/products/). */
export const imagePath = (product: Pick<DemoProduct, "slug">): string => `/products/${product.slug}.svg`;

export interface SeedResult {
  created: number;
  updated: number;
}

/**
 * Creates or updates every product's catalogue data. Stock is set only for a product created now (an "initial
 * stock" adjustment in the same transaction), so seeding again never undoes sales or stock changes.
 */
export async function seedCatalogue(store: InventoryStore, products: readonly DemoProduct[] = DEMO_CATALOGUE): Promise<SeedResult> {
  const result: SeedResult = { created: 0, updated: 0 };
  for (const p of products) {
    const input = {
      name: p.name,
      price: p.price,
      lowStockThreshold: p.lowStockThreshold,
      description: p.description,
      category: p.category,
      brand: p.brand,
      image: imagePath(p),
    };
    const { created } = await store.upsertProduct(p.sku, input, {}, { initialOnHand: p.stock, by: "seed" });
    result[created ? "created" : "updated"] += 1;
  }
  return result;
}
