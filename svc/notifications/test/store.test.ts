import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import { TEST_REDIS_URL, uniqueName } from "@meridian/kit/testing";
import type { StoredNotification } from "../src/domain/notification";
import { NotificationStore } from "../src/store/notification-store";

// Real brokers, databases and child processes: allow time (bounded waits inside set the real limits).
setDefaultTimeout(60_000);

const prefix = `${uniqueName("notif-store")}:`;
let redis: Redis;
let store: NotificationStore;

function note(createdAt: Date, id = randomUUID()): StoredNotification {
  return {
    id,
    kind: "order-shipped",
    title: "Order shipped",
    body: "on its way",
    orderId: randomUUID(),
    createdAt: createdAt.toISOString(),
  };
}

beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL);
  store = new NotificationStore(redis, { prefix, feedCap: 3, retentionDays: 2 });
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe("notification store retention", () => {
  test("when more notifications arrive than the cap, then only the newest cap are kept and every key expires", async () => {
    const reader = { sub: `u-${randomUUID()}`, roles: ["customer"] };
    const now = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const n = note(new Date(now - (5 - i) * 1000));
      ids.push(n.id);
      expect(await store.add(randomUUID(), { kind: "user", sub: reader.sub }, n)).toBe(true);
    }
    const page = await store.list(reader, 1, 100);
    expect(page.total).toBe(3);
    expect(page.items.map((n) => n.id)).toEqual(ids.slice(2).reverse());
    await store.markRead(reader, ids[4] as string);

    const keys = await redis.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      if (key === `${prefix}live`) continue;
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(2 * 86_400);
    }
  });

  test("when a notification is older than the retention period, then it is not listed", async () => {
    const reader = { sub: `u-${randomUUID()}`, roles: ["customer"] };
    await store.add(randomUUID(), { kind: "user", sub: reader.sub }, note(new Date(Date.now() - 3 * 86_400_000)));
    const fresh = note(new Date());
    await store.add(randomUUID(), { kind: "user", sub: reader.sub }, fresh);
    const page = await store.list(reader, 1, 20);
    expect(page.items.map((n) => n.id)).toEqual([fresh.id]);
    expect(await store.unreadCount(reader)).toBe(1);
  });

  test("when the same event is added twice, then the second add is refused and nothing is duplicated", async () => {
    const reader = { sub: `u-${randomUUID()}`, roles: ["customer"] };
    const messageId = randomUUID();
    const n = note(new Date());
    expect(await store.add(messageId, { kind: "user", sub: reader.sub }, n)).toBe(true);
    expect(await store.add(messageId, { kind: "user", sub: reader.sub }, { ...n, id: randomUUID() })).toBe(false);
    expect((await store.list(reader, 1, 20)).total).toBe(1);
  });
});
