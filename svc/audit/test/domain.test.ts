import { describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { eventTypes, type AnyEnvelope } from "@meridian/kit/contracts";
import { actorOf, auditedEventTypes, streamOf, toAuditDocument } from "../src/domain/audit";

const orderId = randomUUID();

function envelope(type: AnyEnvelope["type"], body: Record<string, unknown>): AnyEnvelope {
  return {
    messageId: randomUUID(),
    type,
    occurredAt: "2026-11-25T11:00:00+01:00",
    correlationId: "c",
    causationId: "c",
    source: "orders",
    body,
  } as AnyEnvelope;
}

describe("which stream an event belongs to", () => {
  test("when an event is about an order, including its stock reservations, then it goes to order-<id>", () => {
    for (const type of [
      "orders.order-created.v1",
      "orders.order-cancelled.v1",
      "inventory.stock-reserved.v1",
      "inventory.stock-released.v1",
      "inventory.stock-rejected.v1",
    ] as const) {
      expect(streamOf(envelope(type, { orderId, sku: "ABC-1" }))).toEqual({
        streamId: `order-${orderId}`,
        entity: "order",
        entityId: orderId,
      });
    }
  });

  test("when an event is about a product or a broadcast, then it goes to product-<sku> or broadcast-<id>", () => {
    expect(streamOf(envelope("inventory.inventory-adjusted.v1", { sku: "ABC-1" })).streamId).toBe("product-ABC-1");
    expect(streamOf(envelope("inventory.product-upserted.v1", { sku: "ABC-1" })).streamId).toBe("product-ABC-1");
    expect(streamOf(envelope("notifications.broadcast-sent.v1", { id: "b1" })).streamId).toBe("broadcast-b1");
  });

  test("when the catalogue is listed, then every domain event is audited and only system notices are left out", () => {
    expect(auditedEventTypes).toEqual(eventTypes.filter((t) => t !== "system.message-dead-lettered.v1"));
    for (const type of auditedEventTypes) expect(() => streamOf(envelope(type, { orderId, sku: "ABC-1", id: "x" }))).not.toThrow();
  });
});

describe("audit documents", () => {
  test("when a user acted, then the actor is the user; otherwise the service that decided", () => {
    expect(actorOf("orders.order-created.v1", { customerId: "alice" }, "orders")).toBe("alice");
    expect(actorOf("orders.order-cancelled.v1", { customerId: "alice", by: "ada" }, "orders")).toBe("ada");
    expect(actorOf("orders.order-confirmed.v1", { customerId: "alice" }, "orders")).toBe("service:orders");
  });

  test("when a recorded event is projected, then the document carries entity, action, UTC time, actor and payload", () => {
    const doc = toAuditDocument({
      type: "orders.order-cancelled.v1",
      data: { orderId, customerId: "alice", by: "alice" },
      metadata: {
        messageId: "m-1",
        streamName: `order-${orderId}`,
        occurredAt: "2026-11-25T11:00:00+01:00",
        correlationId: "c",
        causationId: "c",
        source: "orders",
      },
    });
    expect(doc).toEqual({
      id: "m-1",
      entity: "order",
      entityId: orderId,
      action: "orders.order-cancelled.v1",
      timestamp: "2026-11-25T10:00:00.000Z",
      actor: "alice",
      payload: { orderId, customerId: "alice", by: "alice" },
    });
  });
});
