import { t } from "elysia";
import { ORDER_STATUSES } from "../domain/order";

export const SKU_PATTERN = "^[A-Z0-9-]{3,32}$";

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

export const StatusSchema = t.Union(
  [t.Literal("pending"), t.Literal("confirmed"), t.Literal("rejected"), t.Literal("cancelled"), t.Literal("shipped")],
  { description: "order status" },
);
// Keeps the literal list above in step with the domain's statuses (compile error if one is added there).
const _statuses: readonly (typeof StatusSchema.static)[] = ORDER_STATUSES;
void _statuses;

export const OrderIdParams = t.Object({ id: t.String({ format: "uuid", description: "order id" }) });

export const OrderSchema = t.Object(
  {
    id: t.String({ format: "uuid" }),
    customerId: t.String(),
    status: StatusSchema,
    lines: t.Array(t.Object({ sku: t.String(), quantity: t.Integer(), unitPrice: t.Number() })),
    total: t.Number(),
    rejectionReason: t.Optional(t.String()),
    createdAt: t.String({ format: "date-time" }),
    updatedAt: t.String({ format: "date-time" }),
  },
  { title: "Order" },
);

export const OrderPageSchema = t.Object({
  items: t.Array(OrderSchema),
  page: t.Integer(),
  pageSize: t.Integer(),
  total: t.Integer(),
});

export const PlaceOrderSchema = t.Object(
  {
    lines: t.Array(
      t.Object(
        {
          sku: t.String({ pattern: SKU_PATTERN }),
          quantity: t.Integer({ minimum: 1, maximum: 1000 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
  },
  { additionalProperties: false },
);

export const IdempotencyHeaders = t.Object({
  "idempotency-key": t.String({
    minLength: 8,
    maxLength: 128,
    description: "client-chosen key; a retried POST with the same key answers with the same order",
  }),
});
