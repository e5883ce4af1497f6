import { t } from "elysia";
import { ORDER_STATUSES } from "../domain/order";

import { SKU_PATTERN } from "@meridian/kit/contracts";
export { SKU_PATTERN };

/** The kit's paging query (page 1-based, pageSize 1..100). */
export { PagingQuery as Paging } from "@meridian/kit";

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
    customerName: t.String({ description: 'the customer\'s display name at order time ("" on older orders)' }),
    customerEmail: t.Union([t.String(), t.Null()], { description: "the customer's email at order time, if the token had one" }),
    status: StatusSchema,
    lines: t.Array(
      t.Object({
        sku: t.String(),
        name: t.String({ description: "product name at order time" }),
        quantity: t.Integer(),
        unitPrice: t.Number(),
      }),
    ),
    total: t.Number(),
    rejectionReason: t.Optional(t.String()),
    shortages: t.Optional(
      t.Array(t.Object({ sku: t.String(), name: t.String(), requested: t.Integer(), available: t.Integer() }), {
        description: "rejected orders: the lines inventory could not reserve",
      }),
    ),
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

export const OrderStatsSchema = t.Object(
  {
    from: t.String({ format: "date-time" }),
    to: t.String({ format: "date-time" }),
    orders: t.Integer(),
    confirmed: t.Integer(),
    rejected: t.Integer(),
    cancelled: t.Integer(),
    shipped: t.Integer(),
    pending: t.Integer(),
    revenue: t.Number({ description: "sum of the totals of confirmed and shipped orders" }),
    confirmationRate: t.Number({ description: "(confirmed + shipped) / orders; 0 without orders" }),
    rejectionRate: t.Number({ description: "rejected / orders; 0 without orders" }),
    perHour: t.Array(t.Object({ hour: t.String({ format: "date-time" }), orders: t.Integer(), revenue: t.Number() })),
  },
  { title: "OrderStats" },
);
