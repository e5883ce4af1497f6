/** Read side of the public catalogue: search, filters, facets over the products table (no stock counts leave it). */
import { and, asc, count, desc, eq, ilike, ne, or, sql, type SQL } from "drizzle-orm";
import { availabilityOf, type CatalogueFacets, type CatalogueItem, type CatalogueSort, type Facet } from "../domain/catalogue";
import { fromCents } from "../domain/money";
import type { Page } from "../domain/product";
import type { InventoryDb } from "./index";
import { products } from "./schema";

export interface CatalogueQuery {
  /** Matches name, description, brand or category (case-insensitive substring). */
  q?: string;
  category?: string;
  brand?: string;
  sort?: CatalogueSort;
  page: number;
  pageSize: number;
}

const itemColumns = {
  sku: products.sku,
  name: products.name,
  description: products.description,
  priceCents: products.priceCents,
  category: products.category,
  brand: products.brand,
  image: products.image,
  available: sql<number>`(${products.onHand} - ${products.reserved})::int`,
  lowStockThreshold: products.lowStockThreshold,
};

interface ItemRow {
  sku: string;
  name: string;
  description: string;
  priceCents: number;
  category: string;
  brand: string;
  image: string;
  available: number;
  lowStockThreshold: number;
}

function toItem(row: ItemRow): CatalogueItem {
  const { sku, name, description, category, brand, image } = row;
  return {
    sku,
    name,
    description,
    price: fromCents(row.priceCents),
    category,
    brand,
    image,
    ...availabilityOf(row.available, row.lowStockThreshold),
  };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function whereOf(query: CatalogueQuery): SQL | undefined {
  const conditions: SQL[] = [];
  if (query.q) {
    const pattern = `%${escapeLike(query.q)}%`;
    conditions.push(
      or(
        ilike(products.name, pattern),
        ilike(products.description, pattern),
        ilike(products.brand, pattern),
        ilike(products.category, pattern),
      )!,
    );
  }
  if (query.category) conditions.push(eq(products.category, query.category));
  if (query.brand) conditions.push(eq(products.brand, query.brand));
  return conditions.length > 0 ? and(...conditions) : undefined;
}

const ORDER: Record<CatalogueSort, SQL[]> = {
  name: [asc(products.name), asc(products.sku)],
  "price-asc": [asc(products.priceCents), asc(products.name), asc(products.sku)],
  "price-desc": [desc(products.priceCents), asc(products.name), asc(products.sku)],
};

export class CatalogueReader {
  constructor(private readonly db: InventoryDb) {}

  async list(query: CatalogueQuery): Promise<Page<CatalogueItem>> {
    const where = whereOf(query);
    const [rows, totals] = await Promise.all([
      this.db
        .select(itemColumns)
        .from(products)
        .where(where)
        .orderBy(...ORDER[query.sort ?? "name"])
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize),
      this.db.select({ total: count() }).from(products).where(where),
    ]);
    return { items: rows.map(toItem), page: query.page, pageSize: query.pageSize, total: totals[0]?.total ?? 0 };
  }

  async item(sku: string): Promise<CatalogueItem | undefined> {
    const [row] = await this.db.select(itemColumns).from(products).where(eq(products.sku, sku));
    return row ? toItem(row) : undefined;
  }

  /** Categories and brands with their product counts, by name; products without one are not counted. */
  async facets(): Promise<CatalogueFacets> {
    const [categories, brands] = await Promise.all([this.facet(products.category), this.facet(products.brand)]);
    return { categories, brands };
  }

  private async facet(column: typeof products.category | typeof products.brand): Promise<Facet[]> {
    return this.db.select({ name: column, count: count() }).from(products).where(ne(column, "")).groupBy(column).orderBy(asc(column));
  }
}
