import { t } from "elysia";
import { SKU_PATTERN } from "../domain/product";

/** The kit's paging query (page 1-based, pageSize 1..100). */
export { PagingQuery as Paging } from "@meridian/kit";

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
  },
  { additionalProperties: false },
);

export const AdjustmentSchema = t.Object(
  {
    delta: t.Integer({ minimum: -1_000_000, maximum: 1_000_000, description: "non-zero change of on-hand stock" }),
    reason: t.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
