import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import { createLogger } from "@meridian/kit";
import type { EventBody, EventType } from "@meridian/kit/contracts";
import { connectBroker, type Broker } from "@meridian/kit/messaging";
import {
  metricValue,
  openSse,
  removeTopology,
  startTestIssuer,
  TEST_RABBITMQ_URL,
  TEST_REDIS_URL,
  uniqueName,
  waitFor,
  type SseClient,
  type TestIssuer,
} from "@meridian/kit/testing";
import { startNotificationsService, type NotificationsService } from "../src/app";
import { loadNotificationsConfig, type NotificationsConfig } from "../src/config";

// Real brokers, databases and child processes: allow time (bounded waits inside set the real limits).
setDefaultTimeout(60_000);

const exchange = uniqueName("test.notifications");
const queuePrefix = `${uniqueName("notifications-test")}-`;
const consumerName = `${queuePrefix}notifications`;
const prefix = `${uniqueName("notif-test")}:`;
const logger = createLogger({ service: "notifications-test", version: "test", level: process.env.TEST_LOG_LEVEL ?? "silent" });

let issuer: TestIssuer;
let service: NotificationsService;
let producers: Record<"orders" | "inventory" | "messaging", Broker>;
let redis: Redis;
const streams: SseClient[] = [];

const alice = `alice-${randomUUID()}`;
const bob = `bob-${randomUUID()}`;
const ada = `ada-${randomUUID()}`;

async function tokenFor(sub: string, options: { admin?: boolean; scopes?: string[] } = {}): Promise<string> {
  return issuer.token({
    sub,
    scopes: options.scopes ?? ["openid", "notifications.read"],
    roles: options.admin ? ["admin"] : ["customer"],
  });
}

async function api(path: string, token: string | undefined, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (init.body) headers.set("content-type", "application/json");
  return fetch(`${service.url}/api/notifications${path}`, { ...init, headers });
}

async function json<T>(path: string, token: string): Promise<T> {
  const res = await api(path, token);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

interface NotificationView {
  id: string;
  kind: string;
  title: string;
  body: string;
  orderId?: string;
  sku?: string;
  read: boolean;
  createdAt: string;
}
interface PageView {
  items: NotificationView[];
  page: number;
  pageSize: number;
  total: number;
}

/** The service's config on this file's Redis prefix, exchange, queue prefix and issuer; `env` overrides. */
function serviceConfig(env: Record<string, string> = {}): NotificationsConfig {
  return loadNotificationsConfig({
    exit: false,
    env: {
      PORT: "0",
      REDIS_URL: TEST_REDIS_URL,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
      OIDC_ISSUER: issuer.issuer,
      OIDC_JWKS_URL: issuer.jwksUrl,
      NOTIFICATIONS_KEY_PREFIX: prefix,
      RABBITMQ_EXCHANGE: exchange,
      RABBITMQ_QUEUE_PREFIX: queuePrefix,
      LOW_STOCK_THRESHOLD: "5",
      SHUTDOWN_GRACE_MS: "2000",
      ...env,
    },
  });
}

function publish<T extends EventType>(from: Broker, type: T, body: EventBody<T>, messageId?: string) {
  return from.publish(type, body, messageId ? { messageId } : {});
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  service = await startNotificationsService(serviceConfig(), { logger, retryDelaysMs: [100, 200, 300], keepAliveMs: 1000 });
  const connect = (name: string) => connectBroker({ url: TEST_RABBITMQ_URL, service: name, logger, exchange });
  producers = { orders: await connect("orders"), inventory: await connect("inventory-worker"), messaging: await connect("audit") };
  redis = new Redis(TEST_REDIS_URL);
});

afterAll(async () => {
  for (const s of streams) s.close();
  await service?.stop();
  for (const b of Object.values(producers ?? {})) await b.close();
  await removeTopology([consumerName], exchange);
  if (redis) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
  await issuer?.stop();
});

describe("notifications from the order flow", () => {
  const orderId = randomUUID();
  let confirmedMessageId = "";

  test("when an order is placed and confirmed, then the customer has one unread notification, delivered live over SSE", async () => {
    const token = await tokenFor(alice);
    const live = await openSse(`${service.url}/api/notifications/stream`, { authorization: `Bearer ${token}` });
    streams.push(live);
    expect(live.status).toBe(200);
    expect(live.contentType).toContain("text/event-stream");
    const bobsLive = await openSse(`${service.url}/api/notifications/stream`, { authorization: `Bearer ${await tokenFor(bob)}` });
    streams.push(bobsLive);
    await waitFor(() => service.hub.size === 2, { what: "two live streams registered" });

    await publish(producers.orders, "orders.order-created.v1", {
      orderId,
      customerId: alice,
      lines: [{ sku: "SKU-1", quantity: 2, unitPrice: 12.5 }],
      total: 25,
      createdAt: new Date().toISOString(),
    });
    await publish(producers.inventory, "inventory.stock-reserved.v1", { orderId, lines: [{ sku: "SKU-1", quantity: 2 }] });
    const confirmed = await publish(producers.orders, "orders.order-confirmed.v1", { orderId, customerId: alice });
    confirmedMessageId = confirmed.messageId;

    const event = await waitFor(() => live.events.find((e) => e.event === "notification"), {
      timeoutMs: 15_000,
      what: "the live notification",
    });
    const pushed = JSON.parse(event.data) as NotificationView;
    expect(pushed).toMatchObject({ kind: "order-confirmed", orderId, read: false, id: confirmedMessageId });

    const { unread } = await json<{ unread: number }>("/unread-count", token);
    expect(unread).toBe(1);
    const page = await json<PageView>("/", token);
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({ kind: "order-confirmed", orderId, read: false, title: "Order confirmed" });
    // Created and reserved are not news for the customer; nothing reached bob.
    expect(live.events.filter((e) => e.event === "notification")).toHaveLength(1);
    expect(bobsLive.events).toHaveLength(0);
    expect((await json<{ unread: number }>("/unread-count", await tokenFor(bob))).unread).toBe(0);
  });

  test("when the same event is delivered twice, then there is still one notification", async () => {
    const token = await tokenFor(alice);
    const duplicatesBefore = await metricValue(service.url, "messaging_consumed_total", {
      messaging_destination: "orders.order-confirmed.v1",
      outcome: "duplicate",
    });
    await publish(producers.orders, "orders.order-confirmed.v1", { orderId, customerId: alice }, confirmedMessageId);
    await waitFor(
      async () =>
        (await metricValue(service.url, "messaging_consumed_total", {
          messaging_destination: "orders.order-confirmed.v1",
          outcome: "duplicate",
        })) > duplicatesBefore,
      { timeoutMs: 15_000, what: "the redelivery to be handled as a duplicate" },
    );
    const page = await json<PageView>("/", token);
    expect(page.total).toBe(1);
    expect((await json<{ unread: number }>("/unread-count", token)).unread).toBe(1);
  });

  test("when the customer marks the notification read, then nothing is unread and it shows as read", async () => {
    const token = await tokenFor(alice);
    const res = await api(`/${confirmedMessageId}/read`, token, { method: "POST" });
    expect(res.status).toBe(204);
    expect((await json<{ unread: number }>("/unread-count", token)).unread).toBe(0);
    const page = await json<PageView>("/", token);
    expect(page.items[0]?.read).toBe(true);
  });

  test("when someone marks a notification that is not theirs read, then 404 problem", async () => {
    const res = await api(`/${confirmedMessageId}/read`, await tokenFor(bob), { method: "POST" });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(((await res.json()) as { type: string }).type).toBe("https://meridian.dev/problems/not-found");
  });

  test("when several notifications arrive, then the list is newest first, paged, and read-all marks them all", async () => {
    const token = await tokenFor(bob);
    const orders = [randomUUID(), randomUUID(), randomUUID()];
    const base = Date.now();
    for (const [i, id] of orders.entries()) {
      await producers.orders.publish(
        "orders.order-shipped.v1",
        { orderId: id, customerId: bob, shippedAt: new Date(base + i).toISOString() },
        { occurredAt: new Date(base + i * 1000) },
      );
    }
    await waitFor(async () => (await json<{ unread: number }>("/unread-count", token)).unread === 3, {
      what: "three notifications for bob",
    });
    const first = await json<PageView>("/?page=1&pageSize=2", token);
    expect(first).toMatchObject({ page: 1, pageSize: 2, total: 3 });
    expect(first.items.map((n) => n.orderId)).toEqual([orders[2], orders[1]]);
    const second = await json<PageView>("/?page=2&pageSize=2", token);
    expect(second.items.map((n) => n.orderId)).toEqual([orders[0]]);

    const res = await api("/read-all", token, { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ marked: 3 });
    expect((await json<{ unread: number }>("/unread-count", token)).unread).toBe(0);
  });
});

describe("reconnecting streams", () => {
  test("when an EventSource reconnects with Last-Event-ID, then it receives what it missed, oldest first, once", async () => {
    const carol = `carol-${randomUUID()}`;
    const token = await tokenFor(carol);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const envelope = await producers.orders.publish(
        "orders.order-shipped.v1",
        { orderId: randomUUID(), customerId: carol, shippedAt: new Date().toISOString() },
        { occurredAt: new Date(Date.now() + i * 1000) },
      );
      ids.push(envelope.messageId);
    }
    await waitFor(async () => (await json<PageView>("/", token)).total === 3, { what: "carol's three notifications" });
    const resumed = await openSse(`${service.url}/api/notifications/stream`, {
      authorization: `Bearer ${token}`,
      "last-event-id": ids[0] as string,
    });
    streams.push(resumed);
    await waitFor(() => resumed.events.length >= 2, { what: "the missed notifications" });
    expect(resumed.events.map((e) => e.id)).toEqual(ids.slice(1));
    expect(resumed.events.every((e) => e.event === "notification")).toBe(true);
  });
});

describe("admin notifications", () => {
  test("when stock of a product drops to its threshold, then admins are told and customers are not", async () => {
    const sku = `LOW-${randomUUID().slice(0, 8).toUpperCase()}`;
    const adminToken = await tokenFor(ada, { admin: true });
    // 10 → 7: still above the threshold of 5, no notification.
    await producers.inventory.publish("inventory.inventory-adjusted.v1", { sku, delta: -3, onHand: 7, reason: "count", by: ada });
    // 7 → 4: crosses into low stock.
    await producers.inventory.publish("inventory.inventory-adjusted.v1", { sku, delta: -3, onHand: 4, reason: "damage", by: ada });
    const lowStock = await waitFor(
      async () => {
        const items = (await json<PageView>("/?pageSize=100", adminToken)).items.filter((n) => n.sku === sku);
        return items.length > 0 ? items : undefined;
      },
      { what: "a low-stock notification" },
    );
    expect(lowStock).toHaveLength(1);
    expect(lowStock[0]).toMatchObject({ kind: "low-stock", sku, read: false });
    const customerView = await json<PageView>("/?pageSize=100", await tokenFor(`carol-${randomUUID()}`));
    expect(customerView.items.some((n) => n.kind === "low-stock")).toBe(false);
  });

  test("when a message is dead-lettered, then admins see it among the dead letters and customers may not look", async () => {
    const adminToken = await tokenFor(ada, { admin: true });
    const failedId = randomUUID();
    await producers.messaging.publish("system.message-dead-lettered.v1", {
      queue: "audit.error",
      service: "audit",
      messageId: failedId,
      type: "orders.order-created.v1",
      reason: "handler failed: database unavailable",
      attempts: 4,
    });
    const found = await waitFor(
      async () => (await json<PageView>("/dead-letters", adminToken)).items.find((n) => n.body.includes(failedId)),
      { what: "the dead letter in the admin view" },
    );
    expect(found).toMatchObject({ kind: "dead-letter", read: false });
    expect(found.title).toContain("audit.error");
    const forbidden = await api("/dead-letters", await tokenFor(alice));
    expect(forbidden.status).toBe(403);
  });

  test("when an admin broadcasts, then 202 with an id and every user gets it, live and in their list", async () => {
    const bobToken = await tokenFor(bob);
    const openBefore = service.hub.size;
    const live = await openSse(`${service.url}/api/notifications/stream`, { authorization: `Bearer ${bobToken}` });
    streams.push(live);
    await waitFor(() => service.hub.size > openBefore, { what: "bob's stream to be registered" });
    const res = await api("/broadcasts", await tokenFor(ada, { admin: true }), {
      method: "POST",
      body: JSON.stringify({ title: "Maintenance tonight", body: "Checkout is paused 22:00-22:30 UTC." }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const frame = await waitFor(() => live.events.find((e) => JSON.parse(e.data).id === id), { what: "the live broadcast" });
    expect(JSON.parse(frame.data)).toMatchObject({ kind: "broadcast", title: "Maintenance tonight" });
    for (const sub of [alice, `dave-${randomUUID()}`]) {
      const page = await json<PageView>("/?pageSize=100", await tokenFor(sub));
      expect(page.items.find((n) => n.id === id)).toMatchObject({ kind: "broadcast", read: false });
    }
  });

  test("when a customer tries to broadcast, then 403 problem", async () => {
    const res = await api("/broadcasts", await tokenFor(alice), {
      method: "POST",
      body: JSON.stringify({ title: "hi", body: "there" }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { type: string }).type).toBe("https://meridian.dev/problems/forbidden");
  });
});

describe("the API's guards", () => {
  test("when there is no token, then 401 problem with a Bearer challenge", async () => {
    for (const path of ["/", "/unread-count", "/stream"]) {
      const res = await api(path, undefined);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
    }
  });

  // Issue 16 item 3: query strings end up in logs and browser history, so no route takes a token from one.
  test("when a valid token comes only as ?access_token= on any route, then 401 problem+json and no stream opens; with the Authorization header, then 200", async () => {
    const token = await tokenFor(alice);
    const openBefore = service.hub.size;
    for (const path of ["/stream", "/", "/unread-count"]) {
      const res = await fetch(`${service.url}/api/notifications${path}?access_token=${encodeURIComponent(token)}`, {
        headers: { accept: "text/event-stream" },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      await res.body?.cancel();
    }
    const readAll = await fetch(`${service.url}/api/notifications/read-all?access_token=${encodeURIComponent(token)}`, { method: "POST" });
    expect(readAll.status).toBe(401);
    expect(readAll.headers.get("content-type")).toContain("application/problem+json");
    expect(service.hub.size).toBe(openBefore);

    const live = await openSse(`${service.url}/api/notifications/stream`, { authorization: `Bearer ${token}` });
    streams.push(live);
    expect(live.status).toBe(200);
    expect(live.contentType).toContain("text/event-stream");
    expect((await api("/unread-count", token)).status).toBe(200);
  });

  test("when the token lacks notifications.read, then 403", async () => {
    const res = await api("/", await tokenFor(alice, { scopes: ["orders.read"] }));
    expect(res.status).toBe(403);
  });

  test("when paging or a body is out of range, then 400 problem naming the field", async () => {
    const token = await tokenFor(alice);
    const paged = await api("/?pageSize=500", token);
    expect(paged.status).toBe(400);
    const problem = (await paged.json()) as { errors: Array<{ field: string }> };
    expect(problem.errors.map((e) => e.field)).toContain("query.pageSize");

    const res = await api("/broadcasts", await tokenFor(ada, { admin: true }), {
      method: "POST",
      body: JSON.stringify({ title: "", body: "x" }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toContain("title");
  });

  test("when readiness is asked, then Redis, RabbitMQ and the consumer are reported up", async () => {
    const res = await fetch(`${service.url}/health/ready`);
    expect(res.status).toBe(200);
    const report = (await res.json()) as { checks: Array<{ name: string; status: string }> };
    expect(report.checks.map((c) => [c.name.replace(/^consumer:.*/, "consumer"), c.status])).toEqual([
      ["redis", "up"],
      ["rabbitmq", "up"],
      ["consumer", "up"],
    ]);
  });
});

describe("shutdown", () => {
  test("when the service stops with streams open, then the streams end and it stops well within the grace period", async () => {
    const config = serviceConfig({ RABBITMQ_QUEUE_PREFIX: `${queuePrefix}2-`, SHUTDOWN_GRACE_MS: "20000" });
    const second = await startNotificationsService(config, { logger });
    try {
      const res = await fetch(`${second.url}/api/notifications/stream`, {
        headers: { authorization: `Bearer ${await tokenFor(alice)}` },
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      await reader.read();
      const started = Date.now();
      await second.stop();
      expect(Date.now() - started).toBeLessThan(10_000);
      const ended = await waitFor(async () => (await reader.read()).done, { what: "the stream to end" });
      expect(ended).toBe(true);
    } finally {
      await second.stop();
      await removeTopology([`${queuePrefix}2-notifications`], `${exchange}-unused`);
    }
  });
});
