/**
 * Fault injection under a steady order load through the gateway (loopback only): the broker restarts or closes the
 * platform's connections, the inventory worker is killed or frozen, the orders service restarts or is killed
 * mid-burst, PostgreSQL refuses connections or terminates the services' backends, Redis drops notifications'
 * clients. After each fault the platform must settle: every accepted order final, stock arithmetic balanced, every
 * event audited exactly once, no message waiting outside an error queue. One platform serves the whole file; each
 * scenario checks the whole history and reports its recovery times (printed at the end; docs/runbooks.md keeps
 * the last run's).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import postgres from "postgres";
import Redis from "ioredis";
import { REPO_ROOT, TEST_POSTGRES_URL, TEST_REDIS_URL } from "@meridian/kit/testing";
import { rabbitmqctl } from "../src/platform-client";
import {
  errorQueueDepths,
  expectConsistent,
  OrderLoad,
  startFixture,
  Supervisor,
  TEST_CLIENT_NAME,
  type Fixture,
  type RequestSample,
} from "./support";

const SCARCE = "FAULT-SCARCE";
const PRODUCTS = [
  ...Array.from({ length: 10 }, (_, i) => ({ sku: `FAULT-${String(i).padStart(2, "0")}`, price: 3 + i, stock: 100_000 })),
  // Runs out during the run: some orders are rejected, and reserved must never pass on hand.
  { sku: SCARCE, price: 99.99, stock: 8 },
];

let fixture: Fixture;
const accepted = new Set<string>();

/** What a scenario measured, from the end of the fault: intake back, everything settled, slowest request. */
interface FaultReport {
  scenario: string;
  intakeBackMs: number;
  settledMs: number;
  slowestAfterMs: number;
  answers: Record<string, number>;
}
const reports: FaultReport[] = [];
/** Issue budget: intake recovers within 3 s of the process or dependency being back. */
const INTAKE_BACK_WITHIN_MS = 3_000;

beforeAll(async () => {
  fixture = await startFixture(PRODUCTS, {
    postgresProxy: true,
    rabbitmqProxy: true,
    // Shorter consumer retry delays than production's (1 s, 5 s, 30 s) keep a scenario's settle time in seconds,
    // while the budget (with the in-place retries) still outlasts the 10-s database storm.
    env: { CONSUMER_RETRY_DELAYS_MS: "1000,4000,12000" },
  });
}, 150_000);

afterAll(async () => {
  await fixture?.stop();
  if (reports.length === 0) return;
  const table = reports.map(
    (r) =>
      `| ${r.scenario} | ${r.intakeBackMs} | ${r.settledMs} | ${r.slowestAfterMs} | ${Object.entries(r.answers)
        .map(([k, v]) => `${k}×${v}`)
        .join(", ")} |`,
  );
  console.log(
    [
      "[faults] recovery per scenario (ms after the fault ended)",
      "| fault | intake back | settled | slowest request after | answers |",
      "|---|---|---|---|---|",
      ...table,
    ].join("\n"),
  );
  const dir = resolve(REPO_ROOT, ".run");
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, "faults-report.json"), JSON.stringify({ at: new Date().toISOString(), reports }, null, 2));
}, 60_000);

const isOk = (s: RequestSample) => s.status === 200 || s.status === 201;

function answersOf(samples: RequestSample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of samples) counts[String(s.status)] = (counts[String(s.status)] ?? 0) + 1;
  return counts;
}

/**
 * Runs the load around a fault, then checks the platform settled consistently. A process that crashes because of
 * the fault is restarted (as Kubernetes would) so the data checks still run, and the crash fails the test at the end.
 */
async function underLoad(
  scenario: string,
  seed: number,
  fault: () => Promise<void>,
  load = { clients: 3, pauseMs: 120 },
): Promise<FaultReport> {
  const orders = await new OrderLoad(fixture, { seed, ...load, scarceSku: SCARCE }).start();
  const supervisor = new Supervisor(fixture);
  let faultStart = 0;
  let faultEnd = 0;
  try {
    await orders.acceptedMore(10, 60_000);
    faultStart = Date.now();
    await fault();
    faultEnd = Date.now();
    supervisor.start();
    await orders.acceptedMore(10, 60_000); // the platform takes orders again after the fault
  } finally {
    await orders.stop();
  }
  for (const id of orders.stats.accepted) accepted.add(id);
  const samples = orders.stats.samples;
  const firstOkAfter = Math.min(...samples.filter((s) => isOk(s) && s.startedAt + s.ms >= faultEnd).map((s) => s.startedAt + s.ms));
  const report: FaultReport = {
    scenario,
    intakeBackMs: Math.max(0, firstOkAfter - faultEnd),
    settledMs: 0,
    slowestAfterMs: Math.max(0, ...samples.filter((s) => s.startedAt >= faultEnd).map((s) => s.ms)),
    answers: answersOf(samples.filter((s) => s.startedAt + s.ms >= faultStart)),
  };
  try {
    expect(orders.stats.accepted.size).toBeGreaterThanOrEqual(20);
    await expectConsistent(fixture, accepted, 75_000);
    report.settledMs = Date.now() - faultEnd;
    expect(await errorQueueDepths(fixture)).toEqual({});
  } finally {
    await supervisor.stop();
    reports.push(report);
    console.log(
      `[faults] ${scenario}: intake back ${report.intakeBackMs} ms, settled ${report.settledMs} ms, slowest request after ${report.slowestAfterMs} ms, answers ${JSON.stringify(report.answers)}`,
    );
  }
  expect(supervisor.crashed).toEqual([]);
  return report;
}

/** The pid of a platform process (throws when it is not running). */
function pidOf(name: Parameters<Fixture["platform"]["kill"]>[0]): number {
  const pid = fixture.platform.processes.get(name)?.pid;
  if (!pid) throw new Error(`${name} is not running`);
  return pid;
}

describe("fault injection under a steady order load", () => {
  test("when RabbitMQ stops for a few seconds, then every accepted order settles and every event is audited once", async () => {
    await underLoad("RabbitMQ stopped 4 s", 1, async () => {
      try {
        await rabbitmqctl("stop_app");
        await Bun.sleep(4000);
      } finally {
        await rabbitmqctl("start_app");
      }
    });
  }, 120_000);

  test("when the inventory worker is killed (SIGKILL) and started again, then no reservation is lost or doubled", async () => {
    await underLoad("inventory worker SIGKILL, restarted after 3 s", 2, async () => {
      try {
        await fixture.platform.kill("inventory-worker", "SIGKILL");
        await Bun.sleep(3000);
      } finally {
        await fixture.platform.start("inventory-worker");
      }
    });
  }, 120_000);

  test("when the orders service restarts, then accepted orders are kept and retried requests place no second order", async () => {
    const report = await underLoad("orders SIGTERM, restarted after 1 s", 3, async () => {
      try {
        await fixture.platform.kill("orders", "SIGTERM");
        await Bun.sleep(1000);
      } finally {
        await fixture.platform.start("orders");
      }
    });
    // Intake is back within 3 s of the process being ready again (the gateway's breaker must not hold it shut).
    expect(report.intakeBackMs).toBeLessThan(INTAKE_BACK_WITHIN_MS);
  }, 120_000);

  test("when PostgreSQL refuses connections for a few seconds, then the services recover and the books still balance", async () => {
    const proxy = fixture.platform.postgresProxy!;
    const report = await underLoad("PostgreSQL refuses connections 5 s", 4, async () => {
      try {
        await proxy.refuse();
        expect(proxy.accepting).toBe(false);
        await Bun.sleep(5000);
      } finally {
        await proxy.accept();
      }
    });
    expect(report.intakeBackMs).toBeLessThan(INTAKE_BACK_WITHIN_MS);
  }, 120_000);

  test("when PostgreSQL terminates the services' backends for 10 s, three times, then no process exits, every answer is 2xx or 503, and no request waits more than 5 s afterwards", async () => {
    const admin = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} });
    const names = Object.values(fixture.platform.databases).map((d) => d.name);
    const storm = async () => {
      const until = Date.now() + 10_000;
      while (Date.now() < until) {
        await admin`select pg_terminate_backend(pid) from pg_stat_activity
            where datname in ${admin(names)} and pid <> pg_backend_pid() and application_name <> ${TEST_CLIENT_NAME}`;
        await Bun.sleep(50 + Math.random() * 100);
      }
    };
    try {
      for (const round of [1, 2, 3]) {
        const report = await underLoad(`PostgreSQL terminates backends 10 s (round ${round})`, 10 + round, storm);
        const refused = Object.keys(report.answers).filter((status) => !["200", "201", "503"].includes(status));
        expect(refused).toEqual([]);
        expect(report.slowestAfterMs).toBeLessThan(5_000);
      }
    } finally {
      await admin.end();
    }
  }, 400_000);

  test("when orders is killed (SIGKILL) in the middle of a burst, then accepted orders are kept and retried requests place no second order", async () => {
    const report = await underLoad(
      "orders SIGKILL mid-burst, restarted at once",
      20,
      async () => {
        await fixture.platform.kill("orders", "SIGKILL");
        await fixture.platform.start("orders");
      },
      { clients: 6, pauseMs: 10 },
    );
    expect(report.intakeBackMs).toBeLessThan(INTAKE_BACK_WITHIN_MS);
  }, 120_000);

  test("when the inventory worker is frozen (SIGSTOP) for 5 s, then its messages wait and everything settles after SIGCONT", async () => {
    await underLoad("inventory worker SIGSTOP 5 s", 21, async () => {
      const pid = pidOf("inventory-worker");
      process.kill(pid, "SIGSTOP");
      try {
        await Bun.sleep(5000);
      } finally {
        process.kill(pid, "SIGCONT");
      }
    });
  }, 120_000);

  test("when RabbitMQ closes every connection of the platform, then publishers and consumers reconnect and nothing is lost or doubled", async () => {
    await underLoad("RabbitMQ closes the platform's connections", 22, async () => {
      const listing = await rabbitmqctl("list_connections", "pid", "vhost");
      const pids = listing
        .split("\n")
        .map((line) => line.split("\t"))
        .filter(([, vhost]) => vhost === fixture.platform.id)
        .map(([pid]) => pid!);
      expect(pids.length).toBeGreaterThan(0);
      for (const pid of pids) await rabbitmqctl("close_connection", pid, "fault test").catch(() => undefined);
    });
  }, 120_000);

  test("when Redis drops the notifications service's connections, then it reconnects and the order flow is unaffected", async () => {
    await underLoad("Redis kills notifications' clients", 23, async () => {
      const killed = await killRedisClientsOf(pidOf("notifications"));
      expect(killed).toBeGreaterThan(0);
    });
    const ready = await fetch(`${fixture.platform.url("notifications")}/health/ready`);
    expect(ready.status).toBe(200);
  }, 120_000);

  test("when the link between the services and RabbitMQ has 200 ms latency and 5 % loss for 10 s, then nothing is lost or doubled and the flow recovers", async () => {
    const proxy = fixture.platform.rabbitmqProxy!;
    await underLoad("RabbitMQ link +200 ms, 5 % loss for 10 s", 24, async () => {
      proxy.impair({ latencyMs: 200, lossPercent: 5 });
      try {
        await Bun.sleep(10_000);
      } finally {
        proxy.impair(null);
      }
    });
  }, 150_000);
});

/** Kills (CLIENT KILL) every Redis connection of one process, found by its local ports (ss). */
async function killRedisClientsOf(pid: number): Promise<number> {
  const redisPort = new URL(TEST_REDIS_URL).port || "6379";
  const ss = Bun.spawnSync(["ss", "-tnpH", "state", "established", "dst", `127.0.0.1:${redisPort}`]);
  const addresses = ss.stdout
    .toString()
    .split("\n")
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => line.trim().split(/\s+/)[2]!) // local address of the client's socket
    .filter(Boolean);
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let killed = 0;
    for (const address of addresses)
      killed += Number(
        await redis.call("CLIENT", "KILL", "ADDR", address).then(
          () => 1,
          () => 0,
        ),
      );
    return killed;
  } finally {
    redis.disconnect();
  }
}
