/**
 * Transactional outbox and idempotent inbox on SQL Server (drizzle's mssql dialect + the mssql package),
 * the same contract as the PostgreSQL variant: `enqueue(tx, event)` in the caller's transaction, a relay
 * store for `startOutboxRelay({ store: mssqlOutbox.store(db) })`, `mssqlInbox.handleOnce(...)`.
 * No LISTEN/NOTIFY on SQL Server: the relay polls. One relay per database at a time via sp_getapplock.
 */
import { context } from "@opentelemetry/api";
import { type AnyRelations, inArray, lt, sql } from "drizzle-orm";
import type { MsSqlDatabase } from "drizzle-orm/mssql-core";
import { bigint, datetime2, index, int, mssqlTable, nvarchar, primaryKey } from "drizzle-orm/mssql-core";
import type { PreparedQueryHKTBase, QueryResultHKT } from "drizzle-orm/mssql-core/session";
import { randomUUID } from "node:crypto";
import { isUniqueViolation } from "../unique-violation";
import { type AnyEnvelope, type EventType, assertBody } from "../contracts";
import { traceHeaders } from "./broker";
import type { HandleOutcome } from "./consumer";
import type { OutboxEvent } from "./pg-outbox";
import type { OutboxRow, OutboxStore, PublishBatch } from "./relay";

/** A drizzle SQL Server database or transaction (any relations). */
export type MssqlDatabase = MsSqlDatabase<QueryResultHKT, PreparedQueryHKTBase, AnyRelations>;

export const mssqlOutboxMessages = mssqlTable(
  "messaging_outbox",
  {
    id: bigint({ mode: "number" }).identity().primaryKey(),
    // nvarchar rather than uniqueidentifier: the driver would hand back upper-case ids.
    messageId: nvarchar("message_id", { length: 64 }).notNull().unique(),
    type: nvarchar({ length: 200 }).notNull(),
    aggregateId: nvarchar("aggregate_id", { length: 200 }),
    correlationId: nvarchar("correlation_id", { length: 128 }).notNull(),
    causationId: nvarchar("causation_id", { length: 128 }).notNull(),
    traceparent: nvarchar({ length: 64 }),
    body: nvarchar({ length: "max" }).notNull(),
    occurredAt: datetime2("occurred_at", { precision: 3 }).notNull(),
    sentAt: datetime2("sent_at", { precision: 3 }),
    attempts: int().notNull().default(0),
    lastError: nvarchar("last_error", { length: 2000 }),
  },
  (t) => [index("messaging_outbox_pending_idx").on(t.id).where(sql`sent_at is null`)],
);

export const mssqlInboxMessages = mssqlTable(
  "messaging_inbox",
  {
    consumer: nvarchar({ length: 200 }).notNull(),
    messageId: nvarchar("message_id", { length: 128 }).notNull(),
    type: nvarchar({ length: 200 }).notNull(),
    handledAt: datetime2("handled_at", { precision: 3 }).notNull().default(sql`sysutcdatetime()`),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.messageId] }), index("messaging_inbox_handled_at_idx").on(t.handledAt)],
);

export const mssqlMessagingTablesDdl = `
IF OBJECT_ID(N'messaging_outbox', N'U') IS NULL
CREATE TABLE messaging_outbox (
  id bigint IDENTITY(1,1) PRIMARY KEY,
  message_id nvarchar(64) NOT NULL UNIQUE,
  type nvarchar(200) NOT NULL,
  aggregate_id nvarchar(200) NULL,
  correlation_id nvarchar(128) NOT NULL,
  causation_id nvarchar(128) NOT NULL,
  traceparent nvarchar(64) NULL,
  body nvarchar(max) NOT NULL,
  occurred_at datetime2(3) NOT NULL,
  sent_at datetime2(3) NULL,
  attempts int NOT NULL DEFAULT 0,
  last_error nvarchar(2000) NULL
);
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'messaging_outbox_pending_idx')
  CREATE INDEX messaging_outbox_pending_idx ON messaging_outbox (id) WHERE sent_at IS NULL;
IF OBJECT_ID(N'messaging_inbox', N'U') IS NULL
CREATE TABLE messaging_inbox (
  consumer nvarchar(200) NOT NULL,
  message_id nvarchar(128) NOT NULL,
  type nvarchar(200) NOT NULL,
  handled_at datetime2(3) NOT NULL DEFAULT sysutcdatetime(),
  CONSTRAINT messaging_inbox_pk PRIMARY KEY (consumer, message_id)
);
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'messaging_inbox_handled_at_idx')
  CREATE INDEX messaging_inbox_handled_at_idx ON messaging_inbox (handled_at);
`;

const RELAY_LOCK = "messaging_outbox_relay";

interface PendingRow {
  id: number | string;
  messageId: string;
  type: string;
  aggregateId: string | null;
  correlationId: string;
  causationId: string;
  traceparent: string | null;
  body: string;
  occurredAt: Date | string;
}

export const mssqlOutbox = {
  /** Writes an event in the caller's transaction (validated against its schema first). */
  async enqueue<T extends EventType>(tx: MssqlDatabase, event: OutboxEvent<T>): Promise<{ messageId: string }> {
    assertBody(event.type, event.body);
    const messageId = event.messageId ?? randomUUID();
    await tx.insert(mssqlOutboxMessages).values({
      messageId,
      type: event.type,
      aggregateId: event.aggregateId ?? null,
      correlationId: event.correlationId ?? messageId,
      causationId: event.causationId ?? messageId,
      traceparent: traceHeaders(context.active()).traceparent ?? null,
      body: JSON.stringify(event.body),
      occurredAt: event.occurredAt ?? new Date(),
    });
    return { messageId };
  },

  store(db: MssqlDatabase): OutboxStore {
    return {
      async relayBatch(limit: number, publish: PublishBatch): Promise<number | null> {
        return db.transaction(async (tx) => {
          const [lock] = await tx.execute<{ result: number }>(
            sql`declare @result int;
                exec @result = sp_getapplock @Resource = ${RELAY_LOCK}, @LockMode = 'Exclusive',
                  @LockOwner = 'Transaction', @LockTimeout = 0;
                select @result as result;`,
            "objects",
          );
          if (!lock || Number(lock.result) < 0) return null;
          const rows = await tx.execute<PendingRow>(
            sql`select top (${limit}) id, message_id as messageId, type, aggregate_id as aggregateId,
                  correlation_id as correlationId, causation_id as causationId, traceparent, body,
                  occurred_at as occurredAt
                from messaging_outbox where sent_at is null order by id`,
            "objects",
          );
          if (rows.length === 0) return 0;
          const batch: OutboxRow[] = rows.map((r) => ({
            id: Number(r.id),
            messageId: r.messageId,
            type: r.type,
            aggregateId: r.aggregateId,
            correlationId: r.correlationId,
            causationId: r.causationId,
            traceparent: r.traceparent,
            body: JSON.parse(r.body) as unknown,
            occurredAt: new Date(r.occurredAt).toISOString(),
          }));
          const result = await publish(batch);
          const sentIds = batch.slice(0, result.sent).map((r) => r.id);
          if (sentIds.length > 0) {
            await tx.update(mssqlOutboxMessages).set({ sentAt: sql`sysutcdatetime()` }).where(inArray(mssqlOutboxMessages.id, sentIds));
          }
          const failed = batch[result.sent];
          if (failed && result.error) {
            await tx
              .update(mssqlOutboxMessages)
              .set({ attempts: sql`attempts + 1`, lastError: result.error.slice(0, 2000) })
              .where(sql`id = ${failed.id}`);
          }
          return result.sent;
        });
      },
      async backlog(): Promise<number> {
        const [row] = await db.execute<{ n: number }>(sql`select count(*) as n from messaging_outbox where sent_at is null`, "objects");
        return Number(row?.n ?? 0);
      },
      async purgeSent(olderThan: Date): Promise<number> {
        const [row] = await db.execute<{ n: number }>(
          sql`delete from messaging_outbox where sent_at < ${olderThan}; select @@rowcount as n;`,
          "objects",
        );
        return Number(row?.n ?? 0);
      },
    };
  },
};

export const mssqlInbox = {
  /** Same contract as `pgInbox.handleOnce`: the inbox row and the effect commit together, once. */
  async handleOnce(
    db: MssqlDatabase,
    envelope: Pick<AnyEnvelope, "messageId" | "type">,
    consumer: string,
    effect: (tx: MssqlDatabase) => Promise<void>,
  ): Promise<HandleOutcome> {
    return db.transaction(async (tx) => {
      // UPDLOCK + HOLDLOCK lock the key (range) until commit: a concurrent duplicate waits here and then
      // sees the row, without relying on a key-violation error (which XACT_ABORT ON would turn fatal).
      const seen = await tx.execute<{ found: number }>(
        sql`select 1 as found from messaging_inbox with (updlock, holdlock)
            where consumer = ${consumer} and message_id = ${envelope.messageId}`,
        "objects",
      );
      if (seen.length > 0) return "duplicate";
      try {
        await tx.insert(mssqlInboxMessages).values({ consumer, messageId: envelope.messageId, type: envelope.type });
      } catch (err) {
        if (isUniqueViolation(err)) return "duplicate";
        throw err;
      }
      await effect(tx);
      return "applied";
    });
  },

  async purge(db: MssqlDatabase, olderThan: Date): Promise<void> {
    await db.delete(mssqlInboxMessages).where(lt(mssqlInboxMessages.handledAt, olderThan));
  },
};

/** Creates the outbox and inbox tables if missing (idempotent). */
export async function createMssqlMessagingTables(db: MssqlDatabase): Promise<void> {
  await db.execute(sql.raw(mssqlMessagingTablesDdl));
}
