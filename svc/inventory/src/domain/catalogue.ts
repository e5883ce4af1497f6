/**
 * The public face of a product (docs/api.md `CatalogueItem`): what an anonymous shopper may see. Exact stock is
 * never shown; availability is a bucket, with the count only when few are left.
 */
export type Availability = "in-stock" | "low-stock" | "out-of-stock";

/** Most units one order line may ask for, whatever the stock. */
export const MAX_LINE_QUANTITY = 10;

export interface CatalogueItem {
  sku: string;
  name: string;
  description: string;
  price: number;
  category: string;
  brand: string;
  image: string;
  availability: Availability;
  /** Units left; present only when `low-stock`. */
  left?: number;
  /** min(available, MAX_LINE_QUANTITY); 0 when out of stock. */
  maxQuantity: number;
}

export type CatalogueSort = "name" | "price-asc" | "price-desc";

export interface Facet {
  name: string;
  count: number;
}

export interface CatalogueFacets {
  categories: Facet[];
  brands: Facet[];
}

/** The availability bucket of `available` units against the product's low-stock threshold. */
export function availabilityOf(available: number, lowStockThreshold: number): Pick<CatalogueItem, "availability" | "left" | "maxQuantity"> {
  if (available <= 0) return { availability: "out-of-stock", maxQuantity: 0 };
  const maxQuantity = Math.min(available, MAX_LINE_QUANTITY);
  if (available <= lowStockThreshold) return { availability: "low-stock", left: available, maxQuantity };
  return { availability: "in-stock", maxQuantity };
}
