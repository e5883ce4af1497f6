/**
 * Issue 5 acceptance, with the services running as processes (`bun src/main.ts`, as the platform starts them) on a
 * RabbitMQ virtual host, PostgreSQL database and Redis database of their own (kit `startPlatform`), real tokens
 * from a test issuer, and the console as a child process.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import postgres from "postgres";
import { createLogger } from "@meridian/kit";
import { connectBroker, type Broker } from "@meridian/kit/messaging";
import Redis from "ioredis";
import {
  openSse,
  REPO_ROOT,
  startTestIssuer,
  TEST_REDIS_URL,
  uniqueName,
  waitFor,
  type SseClient,
  type TestIssuer,
} from "@meridian/kit/testing";
import { startPlatform, type Platform } from "@meridian/platform";

setDefaultTimeout(90_000);

const CONSOLE = resolve(REPO_ROOT, "svc/notifications-console/src/main.ts");
const logger = createLogger({ service: "acceptance-test", version: "test", level: "silent" });
// Keys of this run only: the platform's Redis database is picked at random and other runs may share (and flush) it.
const keyPrefix = `${uniqueName("notif-acceptance")}:`;

let issuer: TestIssuer;
let platform: Platform;
let orders: Broker;
let inventory: Broker;
let live: SseClient | undefined;
let customerToken: string;
let adminToken: string;
const customer = `alice-${randomUUID()}`;

async function getJson<T>(url: string, token: string): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface EventItem {
  streamPosition: number;
  type: string;
  messageId: string;
}

const auditEvents = (streamId: string) =>
  getJson<{ items: EventItem[]; total: number }>(`${platform.url("audit")}/api/audit/events?streamId=${streamId}&pageSize=100`, adminToken);
const auditDocuments = () =>
  getJson<{ items: unknown[]; total: number }>(`${platform.url("audit")}/api/audit/documents/order?pageSize=100`, adminToken);

async function consoleRun(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = Bun.spawn(["bun", CONSOLE, ...args], {
    env: { ...process.env, RABBITMQ_URL: platform.rabbitmqUrl, RABBITMQ_EXCHANGE: "meridian.events" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => child.kill(), 30_000);
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  platform = await startPlatform({
    processes: ["notifications", "audit"],
    issuer: issuer.issuer,
    env: { LOG_LEVEL: "warn" },
    // Short retries so a failing message reaches audit.error within seconds.
    envFor: {
      audit: { CONSUMER_RETRY_DELAYS_MS: "200,400,800" },
      notifications: { REDIS_URL: TEST_REDIS_URL, NOTIFICATIONS_KEY_PREFIX: keyPrefix },
    },
  });
  orders = await connectBroker({ url: platform.rabbitmqUrl, service: "orders", logger });
  inventory = await connectBroker({ url: platform.rabbitmqUrl, service: "inventory-worker", logger });
  customerToken = await issuer.token({ sub: customer, scopes: ["openid", "orders.read", "notifications.read"], roles: ["customer"] });
  adminToken = await issuer.token({ sub: "ada", scopes: ["openid", "audit.read", "notifications.read"], roles: ["admin"] });
});

afterAll(async () => {
  live?.close();
  await orders?.close();
  await inventory?.close();
  await platform?.stop();
  await issuer?.stop();
  const redis = new Redis(TEST_REDIS_URL);
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe("issue 5 acceptance", () => {
  const orderId = randomUUID();
  const streamId = `order-${orderId}`;
  let confirmedId = "";

  test("when an order is placed and confirmed, then the customer has one unread notification, delivered live, and the audit has the order stream in order", async () => {
    live = await openSse(`${platform.url("notifications")}/api/notifications/stream`, { authorization: `Bearer ${customerToken}` });
    expect(live.status).toBe(200);
    await orders.publish("orders.order-created.v1", {
      orderId,
      customerId: customer,
      lines: [{ sku: "ACC-1", quantity: 1, unitPrice: 10 }],
      total: 10,
      createdAt: new Date().toISOString(),
    });
    await inventory.publish("inventory.stock-reserved.v1", { orderId, lines: [{ sku: "ACC-1", quantity: 1 }] });
    confirmedId = (await orders.publish("orders.order-confirmed.v1", { orderId, customerId: customer })).messageId;

    const pushed = await waitFor(() => live?.events.find((e) => e.event === "notification"), {
      timeoutMs: 20_000,
      what: "the live notification",
    });
    expect(JSON.parse(pushed.data)).toMatchObject({ kind: "order-confirmed", orderId, read: false });
    const unread = await getJson<{ unread: number }>(`${platform.url("notifications")}/api/notifications/unread-count`, customerToken);
    expect(unread).toEqual({ unread: 1 });

    const stream = await waitFor(
      async () => {
        const page = await auditEvents(streamId);
        return page.total >= 3 ? page : undefined;
      },
      { timeoutMs: 20_000, what: "the audit stream" },
    );
    expect(stream.items.map((e) => [e.streamPosition, e.type])).toEqual([
      [1, "orders.order-created.v1"],
      [2, "inventory.stock-reserved.v1"],
      [3, "orders.order-confirmed.v1"],
    ]);
  });

  test("when the same event is delivered twice, then one stream entry and one notification remain", async () => {
    await orders.publish("orders.order-confirmed.v1", { orderId, customerId: customer }, { messageId: confirmedId });
    // A later event on the same queues: once it is handled, the redelivery before it was handled too.
    const marker = randomUUID();
    await orders.publish("orders.order-shipped.v1", {
      orderId: marker,
      customerId: `nobody-${marker}`,
      shippedAt: new Date().toISOString(),
    });
    await waitFor(async () => (await auditEvents(`order-${marker}`)).total === 1, { timeoutMs: 20_000, what: "the marker in the audit" });
    const nobody = await issuer.token({ sub: `nobody-${marker}`, scopes: ["notifications.read"], roles: ["customer"] });
    await waitFor(
      async () =>
        (await getJson<{ unread: number }>(`${platform.url("notifications")}/api/notifications/unread-count`, nobody)).unread === 1,
      { timeoutMs: 20_000, what: "the marker notification" },
    );
    expect((await auditEvents(streamId)).items.filter((e) => e.messageId === confirmedId)).toHaveLength(1);
    const mine = await getJson<{ total: number }>(`${platform.url("notifications")}/api/notifications`, customerToken);
    expect(mine.total).toBe(1);
    expect(live?.events.filter((e) => e.event === "notification")).toHaveLength(1);
  });

  test("when the audit documents are deleted and replayed, then identical documents are rebuilt from the events", async () => {
    const before = await auditDocuments();
    expect(before.total).toBeGreaterThanOrEqual(3);
    const sql = postgres(platform.databases.audit.url, { max: 1, onnotice: () => {} });
    try {
      await sql`delete from audit_documents`;
    } finally {
      await sql.end();
    }
    expect((await auditDocuments()).total).toBe(0);
    const res = await fetch(`${platform.url("audit")}/api/audit/replay`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { replayed: number }).replayed).toBeGreaterThanOrEqual(before.total);
    expect(await auditDocuments()).toEqual(before);
  });

  test("when the console publishes an event, then the audit stores it; and a dead-lettered message is re-published by the console", async () => {
    const sku = `ACC-${randomUUID().slice(0, 6).toUpperCase()}`;
    const published = await consoleRun([
      "--json",
      "publish",
      "inventory.product-upserted.v1",
      "--set",
      `sku=${sku}`,
      "--set",
      "name=Acceptance",
      "--set",
      "price=3",
    ]);
    expect(published.code).toBe(0);
    const { messageId } = JSON.parse(published.stdout) as { messageId: string };
    await waitFor(async () => (await auditEvents(`product-${sku}`)).items.some((e) => e.messageId === messageId), {
      timeoutMs: 20_000,
      what: "the console's event in the audit",
    });

    // Make the audit fail on the next event until an operator steps in: it retries, then parks it in audit.error.
    const sql = postgres(platform.databases.audit.url, { max: 1, onnotice: () => {} });
    const failing = `FAIL-${randomUUID().slice(0, 6).toUpperCase()}`;
    let parkedId = "";
    try {
      await sql`alter table emt_messages rename to emt_messages_away`;
      const run = await consoleRun([
        "--json",
        "publish",
        "inventory.product-upserted.v1",
        "--set",
        `sku=${failing}`,
        "--set",
        "name=x",
        "--set",
        "price=1",
      ]);
      expect(run.code).toBe(0);
      parkedId = (JSON.parse(run.stdout) as { messageId: string }).messageId;
      // The consumer's retries run first, then the message is parked.
      await waitFor(async () => (await consoleRun(["--json", "errors", "peek", "audit"])).stdout.includes(parkedId), {
        timeoutMs: 30_000,
        intervalMs: 1000,
        what: "the message in audit.error",
      });
    } finally {
      await sql`alter table if exists emt_messages_away rename to emt_messages`;
      await sql.end();
    }
    const republished = await consoleRun(["errors", "republish", "audit", "--message-id", parkedId]);
    expect(republished.code).toBe(0);
    await waitFor(async () => (await auditEvents(`product-${failing}`)).items.some((e) => e.messageId === parkedId), {
      timeoutMs: 20_000,
      what: "the re-published event in the audit",
    });
    // The platform told the admins about the dead letter.
    const deadLetters = await getJson<{ items: Array<{ body: string }> }>(
      `${platform.url("notifications")}/api/notifications/dead-letters`,
      adminToken,
    );
    expect(deadLetters.items.some((n) => n.body.includes(parkedId))).toBe(true);
  });
});
