/**
 * An order whose reservation request the inventory worker parked in its error queue (its handler kept failing)
 * is rejected with the reason — never left pending until someone replays the message. The worker's park is
 * stood in for by its dead-letter notice (the kit's consumer publishes it with the parked message's aggregate).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { connectBroker, type Broker } from "@meridian/kit/messaging";
import { createLogger } from "@meridian/kit";
import { TEST_RABBITMQ_URL, waitFor } from "@meridian/kit/testing";
import { startFlow, type Flow } from "./flow-support";

let flow: Flow;
let broker: Broker;

beforeAll(async () => {
  flow = await startFlow("dead_lettered");
  broker = await connectBroker({
    url: TEST_RABBITMQ_URL,
    service: "test-inventory-worker",
    exchange: flow.exchange,
    logger: createLogger({ service: "test", version: "test", level: "silent" }),
  });
}, 90_000);

afterAll(async () => {
  await broker?.close();
  await flow?.stop();
}, 60_000);

function deadLettered(orderId: string, service: string, type = "orders.order-created.v1") {
  return broker.publish(
    "system.message-dead-lettered.v1",
    {
      queue: `${service}.error`,
      service,
      messageId: randomUUID(),
      type,
      reason: "handler timed out after 15000 ms",
      attempts: 4,
      aggregateId: orderId,
    },
    { aggregateId: orderId },
  );
}

describe("a reservation that was dead-lettered", () => {
  test("when the worker parks an order's reservation request, then the pending order is rejected with the reason; notices from other consumers change nothing", async () => {
    await flow.stockProduct("DLQ-ONE", 10);
    await flow.worker.kill(); // the request stays unhandled: the order stays pending
    const dora = await flow.customer("dora");
    const other = await flow.placeOrder(dora, [{ sku: "DLQ-ONE", quantity: 1 }]);
    const placed = await flow.placeOrder(dora, [{ sku: "DLQ-ONE", quantity: 2 }]);
    expect(placed.status).toBe("pending");

    // The audit (another consumer) parking the same event says nothing about the reservation.
    await deadLettered(other.id, `${flow.queuePrefix}audit`);
    await deadLettered(placed.id, `${flow.queuePrefix}inventory-worker`);
    const order = await waitFor(
      async () => {
        const current = await flow.order(placed.id);
        return current.status === "rejected" ? current : undefined;
      },
      { timeoutMs: 20_000, what: "the order rejected" },
    );
    expect(order.rejectionReason).toContain("reservation could not be processed");
    expect(order.rejectionReason).toContain("timed out");
    expect((await flow.order(other.id)).status).toBe("pending");
  }, 60_000);
});
