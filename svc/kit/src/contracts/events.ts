/**
 * The event catalogue: one TypeBox schema per event type (docs/design.md, "Event catalogue").
 * Producers validate before publishing, consumers validate before handling, so a contract break
 * shows up as a dead-lettered message with the failing field instead of a corrupted read model.
 * Bodies list the minimum fields; extra fields are allowed so producers can add fields without a
 * new version (consumers ignore what they do not know). Removing or retyping a field = new `.vN`.
 */
import { type Static, type TSchema, Type } from "@sinclair/typebox";

// Patterns rather than `format`s: formats need a process-wide FormatRegistry entry, patterns do not.
const Uuid = Type.String({ pattern: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$" });
export const IsoDateTime = Type.String({
  pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$",
});
/** The one SKU rule (events, routes, stores): 3–32 upper-case letters, digits and dashes. */
export const SKU_PATTERN = "^[A-Z0-9-]{3,32}$";
const Sku = Type.String({ pattern: SKU_PATTERN });
const Money = Type.Number({ minimum: 0 });
const Quantity = Type.Integer({ minimum: 1 });
const open = { additionalProperties: true } as const;

const OrderLine = Type.Object({ sku: Sku, quantity: Quantity, unitPrice: Money }, open);
const StockLine = Type.Object({ sku: Sku, quantity: Quantity }, open);

export const OrderCreatedV1 = Type.Object(
  {
    orderId: Uuid,
    customerId: Type.String({ minLength: 1 }),
    lines: Type.Array(OrderLine, { minItems: 1 }),
    total: Money,
    createdAt: IsoDateTime,
  },
  open,
);
export const OrderConfirmedV1 = Type.Object({ orderId: Uuid, customerId: Type.String({ minLength: 1 }) }, open);
export const OrderRejectedV1 = Type.Object(
  { orderId: Uuid, customerId: Type.String({ minLength: 1 }), reason: Type.String({ minLength: 1 }) },
  open,
);
export const OrderCancelledV1 = Type.Object(
  { orderId: Uuid, customerId: Type.String({ minLength: 1 }), by: Type.String({ minLength: 1 }) },
  open,
);
export const OrderShippedV1 = Type.Object({ orderId: Uuid, customerId: Type.String({ minLength: 1 }), shippedAt: IsoDateTime }, open);
export const StockReservedV1 = Type.Object({ orderId: Uuid, lines: Type.Array(StockLine, { minItems: 1 }) }, open);
export const StockRejectedV1 = Type.Object(
  {
    orderId: Uuid,
    reason: Type.String({ minLength: 1 }),
    shortages: Type.Array(
      Type.Object(
        // name: added later (optional, so older producers stay valid); the product's name at rejection time.
        { sku: Sku, name: Type.Optional(Type.String({ minLength: 1 })), requested: Quantity, available: Type.Integer({ minimum: 0 }) },
        open,
      ),
    ),
  },
  open,
);
export const StockReleasedV1 = Type.Object({ orderId: Uuid, lines: Type.Array(StockLine) }, open);
export const InventoryAdjustedV1 = Type.Object(
  {
    sku: Sku,
    delta: Type.Integer(),
    onHand: Type.Integer({ minimum: 0 }),
    reason: Type.String({ minLength: 1 }),
    by: Type.String({ minLength: 1 }),
  },
  open,
);
export const ProductUpsertedV1 = Type.Object({ sku: Sku, name: Type.String({ minLength: 1 }), price: Money }, open);
export const BroadcastSentV1 = Type.Object(
  { id: Type.String({ minLength: 1 }), title: Type.String({ minLength: 1 }), body: Type.String(), by: Type.String({ minLength: 1 }) },
  open,
);
/** Published by the messaging module itself whenever it moves a message to `<service>.error`. */
export const MessageDeadLetteredV1 = Type.Object(
  {
    queue: Type.String({ minLength: 1 }),
    service: Type.String({ minLength: 1 }),
    messageId: Type.String(),
    type: Type.String(),
    reason: Type.String(),
    attempts: Type.Integer({ minimum: 0 }),
    /** The parked message's aggregate (e.g. the order of a parked `orders.order-created.v1`), when it had one. */
    aggregateId: Type.Optional(Type.String()),
  },
  open,
);

export const eventSchemas = {
  "orders.order-created.v1": OrderCreatedV1,
  "orders.order-confirmed.v1": OrderConfirmedV1,
  "orders.order-rejected.v1": OrderRejectedV1,
  "orders.order-cancelled.v1": OrderCancelledV1,
  "orders.order-shipped.v1": OrderShippedV1,
  "inventory.stock-reserved.v1": StockReservedV1,
  "inventory.stock-rejected.v1": StockRejectedV1,
  "inventory.stock-released.v1": StockReleasedV1,
  "inventory.inventory-adjusted.v1": InventoryAdjustedV1,
  "inventory.product-upserted.v1": ProductUpsertedV1,
  "notifications.broadcast-sent.v1": BroadcastSentV1,
  "system.message-dead-lettered.v1": MessageDeadLetteredV1,
} as const satisfies Record<string, TSchema>;

export type EventSchemas = typeof eventSchemas;
export type EventType = keyof EventSchemas;
export type EventBody<T extends EventType> = Static<EventSchemas[T]>;

export const eventTypes: readonly EventType[] = Object.freeze(Object.keys(eventSchemas) as EventType[]);

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(eventSchemas, value);
}
