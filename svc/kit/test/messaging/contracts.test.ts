import { describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { ContractError, type EventBody, type EventType, assertBody, eventTypes, isValidBody, parseEnvelope } from "../../src/contracts";

const orderId = randomUUID();
const now = new Date().toISOString();
/** One valid body per catalogue type (docs/design.md "Event catalogue" + the dead-letter notice). */
const examples: { [K in EventType]: EventBody<K> } = {
  "orders.order-created.v1": {
    orderId,
    customerId: "alice",
    lines: [{ sku: "SKU-001", quantity: 2, unitPrice: 12.5 }],
    total: 25,
    createdAt: now,
  },
  "orders.order-confirmed.v1": { orderId, customerId: "alice" },
  "orders.order-rejected.v1": { orderId, customerId: "alice", reason: "out of stock" },
  "orders.order-cancelled.v1": { orderId, customerId: "alice", by: "alice" },
  "orders.order-shipped.v1": { orderId, customerId: "alice", shippedAt: now },
  "inventory.stock-reserved.v1": { orderId, lines: [{ sku: "SKU-001", quantity: 2 }] },
  "inventory.stock-rejected.v1": { orderId, reason: "shortage", shortages: [{ sku: "SKU-001", requested: 2, available: 1 }] },
  "inventory.stock-released.v1": { orderId, lines: [{ sku: "SKU-001", quantity: 2 }] },
  "inventory.inventory-adjusted.v1": { sku: "SKU-001", delta: -1, onHand: 9, reason: "damaged", by: "ada" },
  "inventory.product-upserted.v1": { sku: "SKU-001", name: "Widget", price: 12.5 },
  "notifications.broadcast-sent.v1": { id: "b-1", title: "Maintenance", body: "Tonight", by: "ada" },
  "system.message-dead-lettered.v1": {
    queue: "inventory-worker.error",
    service: "inventory-worker",
    messageId: randomUUID(),
    type: "orders.order-created.v1",
    reason: "boom",
    attempts: 4,
  },
};

describe("event contracts", () => {
  test("when every catalogue type gets its example body, then each validates", () => {
    expect([...eventTypes].sort()).toEqual((Object.keys(examples) as EventType[]).sort());
    for (const type of eventTypes) {
      expect(isValidBody(type, examples[type])).toBe(true);
      assertBody(type, examples[type]);
    }
  });

  test("when a body has extra fields, then it still validates (additive changes need no new version)", () => {
    expect(isValidBody("orders.order-confirmed.v1", { orderId, customerId: "alice", channel: "web" })).toBe(true);
  });

  test("when a body breaks its schema, then the error names each failing field", () => {
    const bad = {
      orderId: "nope",
      customerId: "alice",
      lines: [{ sku: "bad sku", quantity: 0, unitPrice: -1 }],
      total: 1,
      createdAt: "yesterday",
    };
    let error: unknown;
    try {
      assertBody("orders.order-created.v1", bad);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ContractError);
    const paths = (error as ContractError).issues.map((i) => i.path);
    for (const path of ["/body/orderId", "/body/lines/0/sku", "/body/lines/0/quantity", "/body/lines/0/unitPrice", "/body/createdAt"]) {
      expect(paths).toContain(path);
    }
  });

  test("when an envelope is parsed, then its fields and its body are checked", () => {
    const envelope = {
      messageId: randomUUID(),
      type: "orders.order-confirmed.v1",
      occurredAt: now,
      correlationId: "c-1",
      causationId: "c-1",
      source: "orders",
      aggregateId: orderId,
      body: examples["orders.order-confirmed.v1"],
    };
    expect(parseEnvelope(envelope).type).toBe("orders.order-confirmed.v1");
    expect(() => parseEnvelope({ ...envelope, occurredAt: "today" })).toThrow(/occurredAt/);
    expect(() => parseEnvelope({ ...envelope, type: "orders.order-teleported.v1" })).toThrow(/unknown event type/);
    expect(() => parseEnvelope({ ...envelope, traceparent: "garbage" })).toThrow(/traceparent/);
    expect(() => parseEnvelope({ ...envelope, body: { orderId } })).toThrow(/\/body\/customerId/);
    const { source: _source, ...withoutSource } = envelope;
    expect(() => parseEnvelope(withoutSource)).toThrow(/source/);
  });
});
