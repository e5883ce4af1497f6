import { describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import type { AnyEnvelope } from "@meridian/kit/contracts";
import { audiencesOf, crossedIntoLowStock, deriveNotification } from "../src/domain/notification";

const options = { defaultLowStockThreshold: 5 };

function envelope(type: AnyEnvelope["type"], body: Record<string, unknown>): AnyEnvelope {
  return {
    messageId: randomUUID(),
    type,
    occurredAt: "2026-11-25T10:00:00.000Z",
    correlationId: "c",
    causationId: "c",
    source: "test",
    body,
  } as AnyEnvelope;
}

describe("which events become notifications", () => {
  const orderId = randomUUID();

  test("when an order is rejected, shipped or cancelled, then its customer is told, with the order id", () => {
    for (const [type, kind, extra] of [
      ["orders.order-rejected.v1", "order-rejected", { reason: "out of stock" }],
      ["orders.order-shipped.v1", "order-shipped", { shippedAt: "2026-11-25T10:00:00Z" }],
      ["orders.order-cancelled.v1", "order-cancelled", { by: "alice" }],
    ] as const) {
      const derived = deriveNotification(envelope(type, { orderId, customerId: "alice", ...extra }), options);
      expect(derived?.audience).toEqual({ kind: "user", sub: "alice" });
      expect(derived?.notification).toMatchObject({ kind, orderId });
    }
    const rejected = deriveNotification(
      envelope("orders.order-rejected.v1", { orderId, customerId: "alice", reason: "out of stock" }),
      options,
    );
    expect(rejected?.notification.body).toContain("out of stock");
  });

  test("when an order is created or stock is reserved without levels, then nobody is told", () => {
    expect(
      deriveNotification(
        envelope("orders.order-created.v1", { orderId, customerId: "alice", lines: [], total: 0, createdAt: "2026-11-25T10:00:00Z" }),
        options,
      ),
    ).toBeUndefined();
    expect(
      deriveNotification(envelope("inventory.stock-reserved.v1", { orderId, lines: [{ sku: "ABC-1", quantity: 2 }] }), options),
    ).toBeUndefined();
  });

  test("when a reservation leaves a line's available stock at its own threshold, then admins are told about that sku", () => {
    const derived = deriveNotification(
      envelope("inventory.stock-reserved.v1", {
        orderId,
        lines: [
          { sku: "PLENTY-1", quantity: 1, available: 50 },
          { sku: "SCARCE-1", quantity: 3, available: 2, lowStockThreshold: 2 },
        ],
      }),
      options,
    );
    expect(derived?.audience).toEqual({ kind: "role", role: "admin" });
    expect(derived?.notification).toMatchObject({ kind: "low-stock", sku: "SCARCE-1" });
  });

  test("when an adjustment reports available stock, then that is compared with the threshold rather than on hand", () => {
    const base = { sku: "ABC-1", reason: "count", by: "ada" };
    expect(
      deriveNotification(envelope("inventory.inventory-adjusted.v1", { ...base, delta: -2, onHand: 20, available: 4 }), options)
        ?.notification.kind,
    ).toBe("low-stock");
    expect(deriveNotification(envelope("inventory.inventory-adjusted.v1", { ...base, delta: -2, onHand: 20 }), options)).toBeUndefined();
    // Already low before: no second alert.
    expect(deriveNotification(envelope("inventory.inventory-adjusted.v1", { ...base, delta: -1, onHand: 3 }), options)).toBeUndefined();
  });

  test("when stock crosses into low, then only the crossing counts", () => {
    expect(crossedIntoLowStock(6, 5, 5)).toBe(true);
    expect(crossedIntoLowStock(5, 4, 5)).toBe(false);
    expect(crossedIntoLowStock(9, 6, 5)).toBe(false);
  });

  test("when a reader is an admin, then the admin feed is among what they see", () => {
    expect(audiencesOf({ sub: "ada", roles: ["admin"] })).toEqual(["user:ada", "everyone", "role:admin"]);
    expect(audiencesOf({ sub: "bob", roles: ["customer"] })).toEqual(["user:bob", "everyone"]);
  });
});
