/**
 * PostgreSQL tables of the messaging module. Include them in the service's drizzle schema (so
 * drizzle-kit generates their migration), or call `createMessagingTables(db)` at start-up.
 */
import { sql } from "drizzle-orm";
import { bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const outboxMessages = pgTable(
  "messaging_outbox",
  {
    /** Publish order: the relay sends pending rows by ascending id. */
    id: bigserial({ mode: "number" }).primaryKey(),
    messageId: uuid("message_id").notNull().unique(),
    type: text().notNull(),
    aggregateId: text("aggregate_id"),
    correlationId: text("correlation_id").notNull(),
    causationId: text("causation_id").notNull(),
    /** Trace context of the transaction that wrote the row; the publish span continues it. */
    traceparent: text(),
    body: jsonb().notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true, mode: "string" }),
    attempts: integer().notNull().default(0),
    lastError: text("last_error"),
  },
  (t) => [index("messaging_outbox_pending_idx").on(t.id).where(sql`sent_at is null`)],
);

export const inboxMessages = pgTable(
  "messaging_inbox",
  {
    consumer: text().notNull(),
    messageId: text("message_id").notNull(),
    type: text().notNull(),
    handledAt: timestamp("handled_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.messageId] }), index("messaging_inbox_handled_at_idx").on(t.handledAt)],
);

/** The same tables as DDL, idempotent (for services without drizzle-kit migrations, and tests). */
export const messagingTablesDdl = `
CREATE TABLE IF NOT EXISTS messaging_outbox (
  id bigserial PRIMARY KEY,
  message_id uuid NOT NULL UNIQUE,
  type text NOT NULL,
  aggregate_id text,
  correlation_id text NOT NULL,
  causation_id text NOT NULL,
  traceparent text,
  body jsonb NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text
);
CREATE INDEX IF NOT EXISTS messaging_outbox_pending_idx ON messaging_outbox (id) WHERE sent_at IS NULL;
CREATE TABLE IF NOT EXISTS messaging_inbox (
  consumer text NOT NULL,
  message_id text NOT NULL,
  type text NOT NULL,
  handled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, message_id)
);
CREATE INDEX IF NOT EXISTS messaging_inbox_handled_at_idx ON messaging_inbox (handled_at);
`;
