/**
 * What the outbox relay works with: the rows it publishes, the outbox table it reads (one per database
 * dialect), its options and the handle a service keeps.
 */
import type { Broker } from "../broker";
import type { Logger } from "../../logging";
import type { MssqlDatabase } from "../mssql-outbox";
import type { PgDatabase } from "../pg-outbox";

export interface OutboxRow {
  id: number;
  messageId: string;
  type: string;
  aggregateId: string | null;
  correlationId: string;
  causationId: string;
  traceparent: string | null;
  body: unknown;
  /** ISO 8601 */
  occurredAt: string;
}

/** Publishes rows in order; reports how many (from the start) were confirmed, and why the next failed. */
export type PublishBatch = (rows: OutboxRow[]) => Promise<{ sent: number; error?: string }>;

/** What the relay needs from an outbox table (PostgreSQL: `pgOutbox.store(db)`, SQL Server: `mssqlOutbox.store(db)`). */
export interface OutboxStore {
  /**
   * In one transaction holding the relay lock: reads up to `limit` pending rows by ascending id, calls
   * `publish`, marks the confirmed prefix sent. Returns the number sent, or null if another relay holds the lock.
   */
  relayBatch(limit: number, publish: PublishBatch): Promise<number | null>;
  /** Rows not yet sent. */
  backlog(): Promise<number>;
  /** Deletes rows sent before `olderThan`. */
  purgeSent(olderThan: Date): Promise<number>;
  /**
   * Optional wake-up on new rows; returns the function that stops listening. `onListening` runs each time the
   * subscription is (re-)established.
   */
  listen?(onNotify: () => void, onListening?: () => void): Promise<() => Promise<void>>;
}

export interface OutboxRelayOptions {
  /**
   * The drizzle database holding the outbox: PostgreSQL (postgres.js driver for LISTEN/NOTIFY) or
   * SQL Server (node-mssql) — or pass `store`.
   */
  db?: PgDatabase | MssqlDatabase;
  store?: OutboxStore;
  broker: Broker;
  logger: Logger;
  /** Envelope `source`: the producing service. */
  source: string;
  /** Rows per transaction (default 100). */
  batchSize?: number;
  /** Poll interval when idle, in case a NOTIFY is missed (default 1000 ms). */
  pollIntervalMs?: number;
  /** Longest wait between attempts while the broker or database fails (default 10 s). */
  maxBackoffMs?: number;
  /** Keep sent rows this long for inspection before purging them (default 24 h). */
  retainSentMs?: number;
}

export interface OutboxRelay {
  /** Last measured number of pending rows. */
  readonly backlog: number;
  /** True once the wake-up subscription (LISTEN) is established; the relay polls meanwhile. */
  readonly listening: boolean;
  /**
   * Readiness check `outbox-relay`: rejects while the relay's last attempt failed (database or publish error)
   * or after it stopped; a broker outage is reported by the broker's own check.
   */
  readonly healthCheck: { name: string; check(): Promise<void> };
  /** Finishes the batch in progress and stops. */
  stop(): Promise<void>;
}
