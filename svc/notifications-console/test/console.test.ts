import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import postgres from "postgres";
import { createLogger } from "@meridian/kit";
import {
  createTestDatabase,
  removeTopology,
  startTestIssuer,
  TEST_RABBITMQ_URL,
  uniqueName,
  waitFor,
  type TestDatabase,
  type TestIssuer,
} from "@meridian/kit/testing";
import { startAuditService, type AuditService } from "@meridian/audit/app";
import { loadAuditConfig } from "@meridian/audit/config";
import { services } from "../../../services";

// Real brokers, databases and child processes: allow time (bounded waits inside set the real limits).
setDefaultTimeout(60_000);

const MAIN = resolve(import.meta.dir, "../src/main.ts");
const exchange = uniqueName("test.console");
const auditQueuePrefix = `${uniqueName("audit-console-test")}-`;
const auditConsumer = `${auditQueuePrefix}audit`;
const logger = createLogger({ service: "console-test", version: "test", level: process.env.TEST_LOG_LEVEL ?? "silent" });

let issuer: TestIssuer;
let db: TestDatabase;
let audit: AuditService;
let adminToken: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const cliEnv = (extra: Record<string, string> = {}) => ({
  ...process.env,
  RABBITMQ_URL: TEST_RABBITMQ_URL,
  RABBITMQ_EXCHANGE: exchange,
  ...extra,
});

/** Runs the CLI as users do: a child process. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = Bun.spawn(["bun", MAIN, ...args], { env: cliEnv(env), stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => child.kill(), 30_000);
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

async function auditEvents(streamId: string): Promise<Array<{ type: string; messageId: string; data: Record<string, unknown> }>> {
  const res = await fetch(`${audit.url}/api/audit/events?streamId=${streamId}`, { headers: { authorization: `Bearer ${adminToken}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Array<{ type: string; messageId: string; data: Record<string, unknown> }> }).items;
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  db = await createTestDatabase("console");
  audit = await startAuditService(
    loadAuditConfig({
      exit: false,
      env: {
        PORT: "0",
        DATABASE_URL: db.url,
        RABBITMQ_URL: TEST_RABBITMQ_URL,
        OIDC_ISSUER: issuer.issuer,
        OIDC_JWKS_URL: issuer.jwksUrl,
        RABBITMQ_EXCHANGE: exchange,
        RABBITMQ_QUEUE_PREFIX: auditQueuePrefix,
        SHUTDOWN_GRACE_MS: "2000",
      },
    }),
    { logger, retryDelaysMs: [100, 200, 300] },
  );
  adminToken = await issuer.token({ sub: "ada", scopes: ["audit.read"], roles: ["admin"] });
});

afterAll(async () => {
  await audit?.stop();
  await removeTopology([auditConsumer], exchange);
  await db?.drop();
  await issuer?.stop();
});

describe("publish", () => {
  test("when the console publishes an event from flags, then the audit stores it", async () => {
    const sku = `CLI-${randomUUID().slice(0, 8).toUpperCase()}`;
    const run = await cli([
      "--json",
      "publish",
      "inventory.product-upserted.v1",
      "--set",
      `sku=${sku}`,
      "--set",
      "name=Console widget",
      "--set",
      "price=9.5",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const envelope = JSON.parse(run.stdout) as { messageId: string; source: string; type: string };
    expect(envelope).toMatchObject({ type: "inventory.product-upserted.v1", source: "notifications-console" });
    const events = await waitFor(
      async () => {
        const items = await auditEvents(`product-${sku}`);
        return items.length ? items : undefined;
      },
      { timeoutMs: 15_000, what: "the audit to record the published event" },
    );
    expect(events[0]).toMatchObject({ messageId: envelope.messageId, data: { sku, name: "Console widget", price: 9.5 } });
  });

  test("when the body comes from a file adjusted by --set, then the merged body is published", async () => {
    const orderId = randomUUID();
    const file = resolve(tmpdir(), `meridian-console-${randomUUID()}.json`);
    await Bun.write(file, JSON.stringify({ orderId, customerId: "alice", reason: "draft" }));
    try {
      const run = await cli(["--json", "publish", "orders.order-rejected.v1", "--file", file, "--set", "reason=out of stock"]);
      expect(run.code).toBe(0);
      const events = await waitFor(
        async () => {
          const items = await auditEvents(`order-${orderId}`);
          return items.length ? items : undefined;
        },
        { timeoutMs: 15_000, what: "the rejected order in the audit" },
      );
      expect(events[0]?.data).toEqual({ orderId, customerId: "alice", reason: "out of stock" });
    } finally {
      await Bun.file(file).delete();
    }
  });

  test("when the body breaks the contract or the type is unknown, then exit 1 naming the problem and nothing is sent", async () => {
    const invalid = await cli(["publish", "orders.order-confirmed.v1", "--body", '{"orderId":"not-a-uuid"}']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("/orderId");
    expect(invalid.stderr).toContain("/customerId");
    const unknown = await cli(["publish", "orders.order-teleported.v1", "--body", "{}"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown event type "orders.order-teleported.v1"');
    const notJson = await cli(["publish", "orders.order-confirmed.v1", "--body", "{oops"]);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain("--body is not valid JSON");
  });

  test("when RabbitMQ cannot be reached, then exit 2 with a clear message", async () => {
    const unreachable = "amqp://guest:guest@127.0.0.1:1";
    const publish = await cli(
      ["--timeout", "1500", "publish", "inventory.product-upserted.v1", "--set", "sku=ABC-1", "--set", "name=x", "--set", "price=1"],
      {
        RABBITMQ_URL: unreachable,
      },
    );
    expect(publish.code).toBe(2);
    expect(publish.stderr).toContain("cannot reach RabbitMQ at amqp://guest:***@127.0.0.1:1");
    const queues = await cli(["--timeout", "1500", "queues"], { RABBITMQ_URL: unreachable });
    expect(queues.code).toBe(2);
    expect(queues.stderr).toContain("cannot reach RabbitMQ");
  });
});

describe("tail and queues", () => {
  test("when tailing a pattern, then matching events are printed live and others are not", async () => {
    const child = Bun.spawn(["bun", MAIN, "--json", "tail", "inventory.*.v1", "--count", "1"], {
      env: cliEnv(),
      stdout: "pipe",
      stderr: "pipe",
    });
    const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let said = "";
    await waitFor(
      async () => {
        const { value } = await stderr.read();
        said += value ?? "";
        return said.includes("tailing");
      },
      { timeoutMs: 15_000, what: "tail to be listening" },
    );
    const orderId = randomUUID();
    expect((await cli(["publish", "orders.order-confirmed.v1", "--set", `orderId=${orderId}`, "--set", "customerId=bob"])).code).toBe(0);
    const sku = `TAIL-${randomUUID().slice(0, 6).toUpperCase()}`;
    expect(
      (await cli(["publish", "inventory.product-upserted.v1", "--set", `sku=${sku}`, "--set", "name=t", "--set", "price=1"])).code,
    ).toBe(0);
    const timer = setTimeout(() => child.kill(), 15_000);
    const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    clearTimeout(timer);
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; body: { sku?: string } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ type: "inventory.product-upserted.v1", body: { sku } });
  });

  test("when listing queues, then each queue of a service shows depth and consumers, unknown ones as absent", async () => {
    const run = await cli(["--json", "queues", "--service", auditConsumer, "--queue", `${auditConsumer}.nothing`]);
    expect(run.code).toBe(0);
    const states = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { queue: string; exists: boolean; messages: number | null; consumers: number | null });
    expect(states.map((s) => s.queue)).toEqual([
      `${auditConsumer}.events`,
      `${auditConsumer}.retry.1`,
      `${auditConsumer}.retry.2`,
      `${auditConsumer}.retry.3`,
      `${auditConsumer}.error`,
      `${auditConsumer}.nothing`,
    ]);
    expect(states[0]).toMatchObject({ exists: true, consumers: 1 });
    expect(states[4]).toMatchObject({ exists: true, consumers: 0 });
    expect(states[5]).toMatchObject({ exists: false, messages: null });
    const table = await cli(["queues", "--service", auditConsumer]);
    expect(table.stdout).toContain("QUEUE");
    expect(table.stdout).toContain(`${auditConsumer}.events`);
  });

  test("when listing queues without --service, then the queues of every consumer in the service manifest are checked", async () => {
    const consumers = services.filter((s) => s.consumes.length > 0).map((s) => s.name);
    expect(consumers.length).toBeGreaterThan(0);
    const run = await cli(["--json", "queues"]);
    expect(run.code, run.stderr).toBe(0);
    const listed = run.stdout
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { queue: string }).queue);
    for (const name of consumers) expect(listed).toContain(`${name}.events`);
    expect(listed.filter((q) => q.endsWith(".events"))).toEqual(consumers.map((name) => `${name}.events`));
  });
});

describe("dead letters", () => {
  test("when the audit dead-letters a message, then the console shows why and re-publishes it once the cause is fixed", async () => {
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    const sku = `DLQ-${randomUUID().slice(0, 6).toUpperCase()}`;
    let messageId = "";
    try {
      // The audit's event table goes missing: every attempt fails, and after its retries the message is parked.
      await sql`alter table emt_messages rename to emt_messages_away`;
      const published = await cli([
        "--json",
        "publish",
        "inventory.product-upserted.v1",
        "--set",
        `sku=${sku}`,
        "--set",
        "name=dl",
        "--set",
        "price=2",
      ]);
      expect(published.code).toBe(0);
      messageId = (JSON.parse(published.stdout) as { messageId: string }).messageId;

      const parked = await waitFor(
        async () => {
          const run = await cli(["--json", "errors", "peek", auditConsumer]);
          expect(run.code).toBe(0);
          const items = run.stdout
            .trim()
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l) as { messageId: string; reason: string; attempts: number; type: string });
          return items.find((m) => m.messageId === messageId);
        },
        { timeoutMs: 20_000, intervalMs: 300, what: "the message to be parked in the error queue" },
      );
      expect(parked.type).toBe("inventory.product-upserted.v1");
      expect(parked.reason).toContain("emt_messages");
      expect(parked.attempts).toBe(4);
      // Peeking leaves it there.
      const again = await cli(["--json", "errors", "peek", `${auditConsumer}.error`]);
      expect(again.stdout).toContain(messageId);
    } finally {
      await sql`alter table if exists emt_messages_away rename to emt_messages`;
      await sql.end();
    }

    const republished = await cli(["errors", "republish", auditConsumer, "--message-id", messageId]);
    expect(republished.stderr).toBe("");
    expect(republished.code).toBe(0);
    expect(republished.stdout).toContain(`re-published ${messageId}`);
    const events = await waitFor(
      async () => {
        const items = await auditEvents(`product-${sku}`);
        return items.length ? items : undefined;
      },
      { timeoutMs: 15_000, what: "the audit to record the re-published event" },
    );
    expect(events.map((e) => e.messageId)).toEqual([messageId]);
    const left = await cli(["--json", "errors", "peek", auditConsumer]);
    expect(left.stdout).not.toContain(messageId);
  });

  test("when re-publishing without choosing messages, or a message that is not there, then a clear error and a non-zero exit", async () => {
    const nothing = await cli(["errors", "republish", auditConsumer]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain("--message-id <id> or --all");
    const missing = await cli(["errors", "republish", auditConsumer, "--message-id", "no-such-message"]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("not found");
    const noQueue = await cli(["errors", "peek", uniqueName("no-such-service")]);
    expect(noQueue.code).toBe(3);
    expect(noQueue.stderr).toContain("does not exist");
  });
});

describe("help", () => {
  test("when --help is asked of any command, then usage is printed and the exit code is 0", async () => {
    const commands = [[], ["publish"], ["tail"], ["queues"], ["errors"], ["errors", "peek"], ["errors", "republish"], ["types"]];
    const runs = await Promise.all(commands.map((args) => cli([...args, "--help"])));
    for (const run of runs) {
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("Usage: meridian-events");
    }
    const bad = await cli(["tail", "--count", "zero"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("must be a positive integer");
  });
});
