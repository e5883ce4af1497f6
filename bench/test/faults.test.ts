/**
 * Fault injection under a steady order load through the gateway (loopback only): the broker restarts, the inventory
 * worker is killed, the orders service restarts, PostgreSQL refuses connections. After each fault the platform must
 * settle: every accepted order final, stock arithmetic balanced, every event audited exactly once, no message
 * waiting outside an error queue. One platform serves the whole file; each scenario checks the whole history.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rabbitmqctl } from "../src/platform-client";
import { errorQueueDepths, expectConsistent, OrderLoad, startFixture, Supervisor, type Fixture } from "./support";

const SCARCE = "FAULT-SCARCE";
const PRODUCTS = [
  ...Array.from({ length: 10 }, (_, i) => ({ sku: `FAULT-${String(i).padStart(2, "0")}`, price: 3 + i, stock: 100_000 })),
  // Runs out during the run: some orders are rejected, and reserved must never pass on hand.
  { sku: SCARCE, price: 99.99, stock: 8 },
];

let fixture: Fixture;
const accepted = new Set<string>();

beforeAll(async () => {
  fixture = await startFixture(PRODUCTS, {
    postgresProxy: true,
    // Short consumer retry delays keep the settle time of a scenario in seconds (the services read this).
    env: { CONSUMER_RETRY_DELAYS_MS: "500,2000,5000" },
  });
}, 150_000);

afterAll(async () => {
  await fixture?.stop();
}, 60_000);

/**
 * Runs the load around a fault, then checks the platform settled consistently. A process that crashes because of
 * the fault is restarted (as Kubernetes would) so the data checks still run, and the crash fails the test at the end.
 */
async function underLoad(seed: number, fault: () => Promise<void>): Promise<void> {
  const load = await new OrderLoad(fixture, { seed, clients: 3, scarceSku: SCARCE }).start();
  const supervisor = new Supervisor(fixture);
  try {
    await load.acceptedMore(10, 60_000);
    await fault();
    supervisor.start();
    await load.acceptedMore(10, 60_000); // the platform takes orders again after the fault
  } finally {
    await load.stop();
  }
  for (const id of load.stats.accepted) accepted.add(id);
  try {
    expect(load.stats.accepted.size).toBeGreaterThanOrEqual(20);
    await expectConsistent(fixture, accepted, 75_000);
    expect(await errorQueueDepths(fixture)).toEqual({});
  } finally {
    await supervisor.stop();
  }
  expect(supervisor.crashed).toEqual([]);
}

describe("fault injection under a steady order load", () => {
  test(
    "when RabbitMQ stops for a few seconds, then every accepted order settles and every event is audited once",
    async () => {
      await underLoad(1, async () => {
        try {
          await rabbitmqctl("stop_app");
          await Bun.sleep(4000);
        } finally {
          await rabbitmqctl("start_app");
        }
      });
    },
    120_000,
  );

  test(
    "when the inventory worker is killed (SIGKILL) and started again, then no reservation is lost or doubled",
    async () => {
      await underLoad(2, async () => {
        try {
          await fixture.platform.kill("inventory-worker", "SIGKILL");
          await Bun.sleep(3000);
        } finally {
          await fixture.platform.start("inventory-worker");
        }
      });
    },
    120_000,
  );

  test(
    "when the orders service restarts, then accepted orders are kept and retried requests place no second order",
    async () => {
      await underLoad(3, async () => {
        try {
          await fixture.platform.kill("orders", "SIGTERM");
          await Bun.sleep(1000);
        } finally {
          await fixture.platform.start("orders");
        }
      });
    },
    120_000,
  );

  test(
    "when PostgreSQL refuses connections for a few seconds, then the services recover and the books still balance",
    async () => {
      const proxy = fixture.platform.postgresProxy!;
      await underLoad(4, async () => {
        try {
          await proxy.refuse();
          expect(proxy.accepting).toBe(false);
          await Bun.sleep(5000);
        } finally {
          await proxy.accept();
        }
      });
    },
    120_000,
  );
});
