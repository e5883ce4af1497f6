import { t } from "elysia";
import { SKU_PATTERN } from "../domain/product";

/**
 * Paging query. Declared as digit strings, not t.Integer: Elysia's coercion of numeric query values reports a
 * failed range check without the parameter's name, and a 400 must name the field.
 */
export const Paging = {
  page: t.Optional(t.String({ pattern: "^[1-9][0-9]{0,8}$", description: "1-based page number (default 1)" })),
  pageSize: t.Optional(t.String({ pattern: "^(100|[1-9][0-9]?)$", description: "items per page, 1..100 (default 20)" })),
};

export function pagingOf(query: { page?: string; pageSize?: string }): { page: number; pageSize: number } {
  return { page: query.page ? Number(query.page) : 1, pageSize: query.pageSize ? Number(query.pageSize) : 20 };
}

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
