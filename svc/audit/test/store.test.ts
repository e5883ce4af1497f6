import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { getPool } from "@event-driven-io/dumbo";
import { isExpectedVersionConflictError } from "@event-driven-io/emmett";
import type { AnyEnvelope } from "@meridian/kit/contracts";
import { createTestDatabase, type TestDatabase } from "@meridian/kit/testing";
import { AuditStore } from "../src/store/audit-store";

setDefaultTimeout(60_000);

let db: TestDatabase;
let store: AuditStore;
let replica: AuditStore;

beforeAll(async () => {
  db = await createTestDatabase("audit_store");
  store = await AuditStore.open(db.url);
  // A second store on the same database: another replica of the audit.
  replica = await AuditStore.open(db.url);
});

afterAll(async () => {
  await replica?.close();
  await store?.close();
  await db?.drop();
});

function confirmed(orderId: string): AnyEnvelope {
  return {
    messageId: randomUUID(),
    type: "orders.order-confirmed.v1",
    occurredAt: new Date().toISOString(),
    correlationId: randomUUID(),
    causationId: randomUUID(),
    source: "orders",
    body: { orderId, customerId: "alice" },
  } as AnyEnvelope;
}

interface Traffic {
  statements: number;
  transactions: number;
}

/** Counts what node-postgres sends while `run` runs: statements, and transactions (BEGIN … or one autocommit statement). */
async function traffic(run: () => Promise<unknown>): Promise<Traffic> {
  const client = await getPool(db.url).connect();
  const prototype = Object.getPrototypeOf(client) as { query: (...args: unknown[]) => unknown };
  client.release();
  const query = prototype.query;
  const counted: Traffic = { statements: 0, transactions: 0 };
  const open = new WeakSet<object>();
  prototype.query = function (this: object, ...args: unknown[]) {
    const first = args[0];
    const text = (typeof first === "string" ? first : ((first as { text?: string } | undefined)?.text ?? "")).trim().toUpperCase();
    counted.statements++;
    if (text.startsWith("BEGIN")) {
      open.add(this);
      counted.transactions++;
    } else if (text.startsWith("COMMIT") || text.startsWith("ROLLBACK")) open.delete(this);
    else if (!open.has(this)) counted.transactions++;
    return query.apply(this, args);
  };
  try {
    await run();
  } finally {
    prototype.query = query;
  }
  return counted;
}

async function positions(streamId: string): Promise<Array<[number, string]>> {
  const page = await store.queryEvents({ streamId, page: 1, pageSize: 100 });
  return page.items.map((e) => [e.streamPosition, e.messageId]);
}

describe("appending", () => {
  test("when an event is appended, then it takes one transaction of five statements", async () => {
    const orderId = randomUUID();
    await store.append(confirmed(orderId)); // a new stream
    const used = await traffic(() => store.append(confirmed(orderId))); // an existing one
    expect(used).toEqual({ statements: 5, transactions: 1 });
    expect((await positions(`order-${orderId}`)).map(([position]) => position)).toEqual([1, 2]);
    const documents = await store.queryDocuments({ entity: "order", entityId: orderId, page: 1, pageSize: 10 });
    expect(documents.total).toBe(2);
  });

  test("when a recorded message is appended again, then it is a duplicate and its stream and document stay as they were", async () => {
    const orderId = randomUUID();
    const event = confirmed(orderId);
    expect(await store.append(event)).toBe("appended");
    expect(await replica.append(event)).toBe("duplicate");
    expect(await store.append({ ...event, occurredAt: new Date(0).toISOString() })).toBe("duplicate");
    expect(await positions(`order-${orderId}`)).toEqual([[1, event.messageId]]);
    const documents = await store.queryDocuments({ entity: "order", entityId: orderId, page: 1, pageSize: 10 });
    expect(documents.items.map((d) => [d.id, d.timestamp])).toEqual([[event.messageId, event.occurredAt]]);
  });

  test("when two replicas append the same message at once, then one appends it and the other answers duplicate", async () => {
    for (let round = 0; round < 5; round++) {
      const event = confirmed(randomUUID());
      const outcomes = await Promise.all([store.append(event), replica.append(event)]);
      expect(outcomes.sort()).toEqual(["appended", "duplicate"]);
    }
  });

  test("when replicas append to one stream at once, then the losers get a version conflict and, retried, every event has its own position", async () => {
    const orderId = randomUUID();
    const events = Array.from({ length: 6 }, () => confirmed(orderId));
    const first = await Promise.allSettled(events.map((event, i) => (i % 2 ? replica : store).append(event)));
    const refused = events.filter((_, i) => first[i]?.status === "rejected");
    for (const result of first) if (result.status === "rejected") expect(isExpectedVersionConflictError(result.reason)).toBe(true);
    for (const event of refused) expect(await store.append(event)).toBe("appended");
    const recorded = await positions(`order-${orderId}`);
    expect(recorded.map(([position]) => position)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(recorded.map(([, messageId]) => messageId).sort()).toEqual(events.map((e) => e.messageId).sort());
  });
});
