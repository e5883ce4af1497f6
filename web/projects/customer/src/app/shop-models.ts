import { Order, OrderLine } from '@shared/models';

/** The public face of a product (docs/api.md, `GET /catalogue`): no exact stock, only an availability bucket. */
export type Availability = 'in-stock' | 'low-stock' | 'out-of-stock';

export interface CatalogueItem {
  sku: string;
  name: string;
  description: string;
  price: number;
  category: string;
  brand: string;
  /** Root-relative path of the picture this app serves (e.g. /products/hand-burr-grinder.svg), or "". */
  image: string;
  availability: Availability;
  /** Units left; present only when `low-stock`. */
  left?: number;
  /** How many one order line may ask for (0 when out of stock). */
  maxQuantity: number;
}

export interface Facet {
  name: string;
  count: number;
}

export interface CatalogueFacets {
  categories: Facet[];
  brands: Facet[];
}

export type CatalogueSort = 'name' | 'price-asc' | 'price-desc';

export interface CatalogueQuery {
  q?: string;
  category?: string;
  brand?: string;
  sort?: CatalogueSort;
  page?: number;
  pageSize?: number;
}

/** What a rejected order could not get (from the worker's rejection). */
export interface Shortage {
  sku: string;
  name: string;
  requested: number;
  available: number;
}

/** An order as the shop reads it: lines carry the product name at order time. */
export interface ShopOrder extends Order {
  lines: (OrderLine & { name?: string })[];
  shortages?: Shortage[];
  customerName?: string;
}

/** The words a customer reads for a product's availability. */
export function availabilityLabel(item: Pick<CatalogueItem, 'availability' | 'left'>): string {
  switch (item.availability) {
    case 'out-of-stock':
      return 'Out of stock';
    case 'low-stock':
      return item.left !== undefined ? `Only ${item.left} left` : 'Only a few left';
    default:
      return 'In stock';
  }
}
