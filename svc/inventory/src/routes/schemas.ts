import { t } from "elysia";
import { SKU_PATTERN } from "../domain/product";

/** The kit's paging query (page 1-based, pageSize 1..100). */
import { PagingQuery } from "@meridian/kit";
export { PagingQuery as Paging } from "@meridian/kit";

export const IMAGE_PATH_PATTERN = "^(/(?!/)[A-Za-z0-9._~/-]*)?$";

export const SkuParams = t.Object({ sku: t.String({ pattern: SKU_PATTERN, description: "product sku" }) });

export const ProductSchema = t.Object(
  {
    sku: t.String(),
    name: t.String(),
    price: t.Number(),
    onHand: t.Integer(),
    reserved: t.Integer(),
    available: t.Integer(),
    lowStockThreshold: t.Integer(),
    description: t.String(),
    category: t.String(),
    brand: t.String(),
    image: t.String({ description: 'root-relative URL path of the picture the shop serves, or ""' }),
    updatedAt: t.String({ format: "date-time" }),
  },
  { $id: "#/components/schemas/Product", title: "Product" },
);

export const ReservationSchema = t.Object(
  {
    orderId: t.String({ format: "uuid" }),
    status: t.Union([t.Literal("reserved"), t.Literal("released"), t.Literal("fulfilled")]),
    lines: t.Array(t.Object({ sku: t.String(), quantity: t.Integer() })),
    createdAt: t.String({ format: "date-time" }),
    releasedAt: t.Optional(t.String({ format: "date-time" })),
  },
  { title: "Reservation" },
);

export const pageOf = <T extends Parameters<typeof t.Array>[0]>(item: T) =>
  t.Object({ items: t.Array(item), page: t.Integer(), pageSize: t.Integer(), total: t.Integer() });

export const ProductInputSchema = t.Object(
  {
    name: t.String({ minLength: 1, maxLength: 200 }),
    price: t.Number({ minimum: 0, maximum: 1_000_000, description: "major units, at most 2 decimals" }),
    lowStockThreshold: t.Optional(t.Integer({ minimum: 0, maximum: 1_000_000 })),
    description: t.Optional(t.String({ maxLength: 4000 })),
    category: t.Optional(t.String({ maxLength: 100 })),
    brand: t.Optional(t.String({ maxLength: 100 })),
    image: t.Optional(
      t.String({
        maxLength: 300,
        // A path on the shop's own origin (no scheme, no //host): the shop never loads third-party pictures.
        pattern: IMAGE_PATH_PATTERN,
        description: 'root-relative URL path, e.g. "/products/kettle.svg", or "" for none',
      }),
    ),
  },
  { additionalProperties: false, description: "optional fields left out keep their stored value" },
);

export const AdjustmentSchema = t.Object(
  {
    delta: t.Integer({ minimum: -1_000_000, maximum: 1_000_000, description: "non-zero change of on-hand stock" }),
    reason: t.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const CatalogueItemSchema = t.Object(
  {
    sku: t.String(),
    name: t.String(),
    description: t.String(),
    price: t.Number(),
    category: t.String(),
    brand: t.String(),
    image: t.String({ description: 'root-relative URL path of the picture, or ""' }),
    availability: t.Union([t.Literal("in-stock"), t.Literal("low-stock"), t.Literal("out-of-stock")]),
    left: t.Optional(t.Integer({ minimum: 1, description: "units left; only when availability is low-stock" })),
    maxQuantity: t.Integer({ minimum: 0, description: "most units one order line may ask for: min(available, 10)" }),
  },
  { title: "CatalogueItem" },
);

const FacetSchema = t.Object({ name: t.String(), count: t.Integer() });

export const CatalogueFacetsSchema = t.Object(
  { categories: t.Array(FacetSchema), brands: t.Array(FacetSchema) },
  { title: "CatalogueFacets" },
);

export const CatalogueQuerySchema = t.Object({
  q: t.Optional(t.String({ minLength: 1, maxLength: 100, description: "matches name, description, brand or category" })),
  category: t.Optional(t.String({ minLength: 1, maxLength: 100, description: "exact category name (see facets)" })),
  brand: t.Optional(t.String({ minLength: 1, maxLength: 100, description: "exact brand name (see facets)" })),
  sort: t.Optional(t.Union([t.Literal("name"), t.Literal("price-asc"), t.Literal("price-desc")], { default: "name" })),
  ...PagingQuery,
});
