/**
 * Transactional outbox and idempotent inbox on PostgreSQL (drizzle-orm + postgres.js).
 * - `pgOutbox.enqueue(tx, event)` writes the event in the caller's transaction, so the state change and
 *   the event commit (or roll back) together; the relay publishes it afterwards.
 * - `pgInbox.handleOnce(db, envelope, consumer, effect)` runs the effect and records the messageId in one
 *   transaction; a message already recorded has no second effect.
 */
import { context } from "@opentelemetry/api";
import { type AnyRelations, inArray, lt, sql } from "drizzle-orm";
import type { PgAsyncDatabase, PgAsyncTransaction } from "drizzle-orm/pg-core/async";
import type { PgQueryResultHKT } from "drizzle-orm/pg-core/session";
import { randomUUID } from "node:crypto";
import { type EventBody, type EventType, type AnyEnvelope, assertBody } from "../contracts";
import { traceHeaders } from "./broker";
import type { HandleOutcome } from "./consumer";
import { inboxMessages, messagingTablesDdl, outboxMessages } from "./pg-schema";
import type { OutboxRow, OutboxStore, PublishBatch } from "./relay";

/** A drizzle PostgreSQL database or transaction (any driver, any relations). */
export type PgDatabase = PgAsyncDatabase<PgQueryResultHKT, AnyRelations>;
export type PgTransaction = PgAsyncTransaction<PgQueryResultHKT, AnyRelations>;

/** The event to write; `messageId` defaults to a new UUID, `correlationId` to the messageId. */
export interface OutboxEvent<T extends EventType> {
  type: T;
  body: EventBody<T>;
  /** Events of one aggregate are published in the order they were written. */
  aggregateId?: string;
  correlationId?: string;
  /** The messageId of the message that caused this one, if any (defaults to the messageId). */
  causationId?: string;
  messageId?: string;
  occurredAt?: Date;
}

const NOTIFY_CHANNEL = "messaging_outbox";
const RELAY_LOCK = "messaging_outbox_relay";

export const pgOutbox = {
  /** Writes an event in the caller's transaction (validated against its schema first). */
  async enqueue<T extends EventType>(tx: PgDatabase, event: OutboxEvent<T>): Promise<{ messageId: string }> {
    assertBody(event.type, event.body);
    const messageId = event.messageId ?? randomUUID();
    const correlationId = event.correlationId ?? messageId;
    const traceparent = traceHeaders(context.active()).traceparent ?? null;
    const occurredAt = (event.occurredAt ?? new Date()).toISOString();
    // One round trip: the row, and the NOTIFY (delivered at commit) that wakes the relay without waiting for its
    // next poll.
    await tx.execute(sql`
      with written as (
        insert into messaging_outbox (message_id, type, aggregate_id, correlation_id, causation_id, traceparent, body, occurred_at)
        values (${messageId}::uuid, ${event.type}, ${event.aggregateId ?? null}, ${correlationId}, ${event.causationId ?? messageId},
                ${traceparent}, ${JSON.stringify(event.body)}::text::jsonb, ${occurredAt}::timestamptz)
        returning 1
      )
      select pg_notify(${NOTIFY_CHANNEL}, '') from written`);
    return { messageId };
  },

  /** The relay's view of the table (used by `startOutboxRelay({ db })`). */
  store(db: PgDatabase): OutboxStore {
    return {
      async relayBatch(limit: number, publish: PublishBatch): Promise<number | null> {
        return db.transaction(async (tx) => {
          // One relay at a time per database keeps the publish order; others just wait for their turn. The lock is
          // its own statement: a statement reads the snapshot taken when it started, so rows read in the statement
          // that takes the lock may predate the commit of the relay that just released it, and be published twice.
          const [lock] = await tx.execute<{ locked: boolean }>(
            sql`select pg_try_advisory_xact_lock(hashtext(${RELAY_LOCK})) as locked`,
            "objects",
          );
          if (!lock?.locked) return null;
          const rows = await tx.execute<PendingRow>(
            sql`
              select id, message_id, type, aggregate_id, correlation_id, causation_id, traceparent, body,
                     to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred_at
              from messaging_outbox
              where sent_at is null
              order by id
              limit ${limit}`,
            "objects",
          );
          if (rows.length === 0) return 0;
          const batch: OutboxRow[] = rows.map(toOutboxRow);
          const result = await publish(batch);
          const sentIds = batch.slice(0, result.sent).map((r) => r.id);
          if (sentIds.length > 0) {
            await tx.update(outboxMessages).set({ sentAt: sql`now()` }).where(inArray(outboxMessages.id, sentIds));
          }
          const failed = batch[result.sent];
          if (failed && result.error) {
            await tx
              .update(outboxMessages)
              .set({ attempts: sql`${outboxMessages.attempts} + 1`, lastError: result.error.slice(0, 2000) })
              .where(sql`${outboxMessages.id} = ${failed.id}`);
          }
          return result.sent;
        });
      },
      async backlog(): Promise<number> {
        const [row] = await db.execute<{ n: number }>(
          sql`select count(*)::int as n from messaging_outbox where sent_at is null`,
          "objects",
        );
        return Number(row?.n ?? 0);
      },
      async purgeSent(olderThan: Date): Promise<number> {
        const deleted = await db
          .delete(outboxMessages)
          .where(lt(outboxMessages.sentAt, olderThan.toISOString()))
          .returning({ id: outboxMessages.id });
        return deleted.length;
      },
      async listen(onNotify: () => void, onListening?: () => void): Promise<() => Promise<void>> {
        const client = (db as unknown as { $client?: PostgresListenClient }).$client;
        if (!client || typeof client.listen !== "function") return async () => {};
        // postgres.js runs `onlisten` after every (re-)LISTEN on its dedicated connection; once established it
        // re-listens by itself after that connection drops, so the relay only needs to retry the first LISTEN.
        const subscription = await client.listen(
          NOTIFY_CHANNEL,
          () => onNotify(),
          () => onListening?.(),
        );
        return () => subscription.unlisten();
      },
    };
  },
};

/** A pending row as the relay reads it. */
interface PendingRow {
  id: string | number;
  message_id: string;
  type: string;
  aggregate_id: string | null;
  correlation_id: string;
  causation_id: string;
  traceparent: string | null;
  body: unknown;
  /** ISO 8601, UTC, milliseconds. */
  occurred_at: string;
}

function toOutboxRow(r: PendingRow): OutboxRow {
  return {
    id: Number(r.id),
    messageId: r.message_id,
    type: r.type,
    aggregateId: r.aggregate_id,
    correlationId: r.correlation_id,
    causationId: r.causation_id,
    traceparent: r.traceparent,
    body: typeof r.body === "string" ? JSON.parse(r.body) : r.body,
    occurredAt: r.occurred_at,
  };
}

/** postgres.js's LISTEN support (drizzle's postgres-js driver exposes the client as `db.$client`). */
interface PostgresListenClient {
  listen(channel: string, onNotify: (payload: string) => void, onListen?: () => void): Promise<{ unlisten(): Promise<void> }>;
}

export const pgInbox = {
  /**
   * Runs `effect` once per (consumer, messageId): the inbox row and the effect commit in one transaction.
   * Returns "duplicate" (and runs nothing) when the message was handled before; return it from the
   * consumer's handler so the duplicate is counted.
   */
  async handleOnce(
    db: PgDatabase,
    envelope: Pick<AnyEnvelope, "messageId" | "type">,
    consumer: string,
    effect: (tx: PgTransaction) => Promise<void>,
    options: { signal?: AbortSignal } = {},
  ): Promise<HandleOutcome> {
    return db.transaction(async (tx) => {
      options.signal?.throwIfAborted();
      // A concurrent duplicate blocks on the primary key until the first commits, then inserts nothing.
      const inserted = await tx
        .insert(inboxMessages)
        .values({ consumer, messageId: envelope.messageId, type: envelope.type })
        .onConflictDoNothing()
        .returning({ messageId: inboxMessages.messageId });
      if (inserted.length === 0) return "duplicate";
      await effect(tx);
      // The consumer gave up on this handler (timed out; the message is being retried): roll back, don't commit late.
      options.signal?.throwIfAborted();
      return "applied";
    });
  },

  /** Deletes inbox rows older than `olderThan` (keep them longer than any redelivery can take). */
  async purge(db: PgDatabase, olderThan: Date): Promise<number> {
    const deleted = await db
      .delete(inboxMessages)
      .where(lt(inboxMessages.handledAt, olderThan.toISOString()))
      .returning({ messageId: inboxMessages.messageId });
    return deleted.length;
  },
};

/** Creates the outbox and inbox tables if missing (idempotent). */
export async function createMessagingTables(db: PgDatabase): Promise<void> {
  await db.execute(sql.raw(messagingTablesDdl));
}
