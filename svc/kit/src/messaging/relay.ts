/**
 * The outbox relay: publishes pending outbox rows (oldest first) with publisher confirms and marks
 * them sent in the same database transaction. It wakes on NOTIFY (PostgreSQL) or polls, waits out a
 * broker outage and resumes where it left off after a crash (unsent rows are simply still pending).
 * Delivery is at least once: a crash between the broker's confirm and the commit republishes the
 * batch, which the consumers' inbox absorbs.
 */
import type { Envelope, EventType } from "../contracts";
import type { Logger } from "../logging";
import { type Broker, errorMessage } from "./broker";
import { is } from "drizzle-orm";
import { MsSqlDatabase } from "drizzle-orm/mssql-core";
import { type MssqlDatabase, mssqlOutbox } from "./mssql-outbox";
import { type PgDatabase, pgOutbox } from "./pg-outbox";
import { observeOutboxBacklog } from "./telemetry";

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

function storeFor(db: PgDatabase | MssqlDatabase): OutboxStore {
  return is(db, MsSqlDatabase) ? mssqlOutbox.store(db as MssqlDatabase) : pgOutbox.store(db as PgDatabase);
}

export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const store = options.store ?? (options.db ? storeFor(options.db) : undefined);
  if (!store) throw new Error("startOutboxRelay needs `db` (PostgreSQL) or `store`");
  const { broker, source } = options;
  const log = options.logger.child({ component: "outbox-relay" });
  const batchSize = options.batchSize ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const maxBackoffMs = options.maxBackoffMs ?? 10_000;
  const retainSentMs = options.retainSentMs ?? 24 * 60 * 60 * 1000;

  let stopped = false;
  let backlog = 0;
  let backlogMeasuredAt = 0;
  let lastPurgeAt = Date.now();
  let wake: (() => void) | null = null;
  let pendingWake = false;
  let failing = false;
  let lastError = "";
  let listening = false;
  let unlisten: (() => Promise<void>) | null = null;
  const unobserve = observeOutboxBacklog(() => backlog);

  function notify(): void {
    pendingWake = true;
    wake?.();
  }

  function sleep(ms: number): Promise<void> {
    if (pendingWake || stopped) {
      pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        if (wake === done) wake = null;
        pendingWake = false;
        resolve();
      }
      wake = done;
    });
  }

  const publishRows: PublishBatch = async (rows) => {
    // Pipelined on one confirm channel: the broker keeps the order, we wait for all confirms.
    const results = await Promise.allSettled(
      rows.map((row) =>
        broker.publishEnvelope({
          messageId: row.messageId,
          type: row.type as EventType,
          occurredAt: row.occurredAt,
          correlationId: row.correlationId,
          causationId: row.causationId,
          source,
          ...(row.aggregateId ? { aggregateId: row.aggregateId } : {}),
          ...(row.traceparent ? { traceparent: row.traceparent } : {}),
          body: row.body,
        } as Envelope),
      ),
    );
    const firstFailure = results.findIndex((r) => r.status === "rejected");
    if (firstFailure === -1) return { sent: rows.length };
    const failure = results[firstFailure];
    const error = failure?.status === "rejected" ? errorMessage(failure.reason) : "publish failed";
    return { sent: firstFailure, error };
  };

  let waitingForBroker: Promise<void> | null = null;
  /** One shared wait for the reconnect, however many loop turns the outage lasts. */
  function brokerBack(): Promise<void> {
    waitingForBroker ??= broker
      .untilConnected()
      .catch(() => {})
      .finally(() => {
        waitingForBroker = null;
      });
    return waitingForBroker;
  }

  async function measureBacklog(force = false): Promise<void> {
    if (!force && Date.now() - backlogMeasuredAt < 1000) return;
    backlog = await store!.backlog();
    backlogMeasuredAt = Date.now();
  }

  async function run(): Promise<void> {
    let backoffMs = pollIntervalMs;
    while (!stopped) {
      try {
        if (!broker.connected) {
          // The broker reconnects by itself: wait for it, keeping the backlog gauge current meanwhile
          // (a growing backlog during an outage is what operators need to see).
          await measureBacklog().catch(() => {});
          await Promise.race([brokerBack(), sleep(pollIntervalMs)]);
          // Connected but blocked (resource alarm): the wait above returned at once, so pause here.
          if (!broker.connected) await sleep(pollIntervalMs);
          continue;
        }
        let lastError: string | undefined;
        const sent = await store!.relayBatch(batchSize, async (rows) => {
          const result = await publishRows(rows);
          lastError = result.error;
          return result;
        });
        if (lastError) throw new Error(lastError);
        if (failing) {
          failing = false;
          log.info("outbox relay recovered");
        }
        backoffMs = pollIntervalMs;
        if (sent === batchSize) continue; // more waiting: no pause
        if (sent !== null) {
          // A batch shorter than the limit took every pending row: the backlog is empty, no count needed (a query
          // per batch was a fifth of the relay's round trips).
          backlog = 0;
          backlogMeasuredAt = Date.now();
        } else await measureBacklog();
        if (Date.now() - lastPurgeAt > 10 * 60 * 1000) {
          lastPurgeAt = Date.now();
          const purged = await store!.purgeSent(new Date(Date.now() - retainSentMs));
          if (purged > 0) log.debug({ purged }, "purged sent outbox rows");
        }
        await sleep(pollIntervalMs);
      } catch (err) {
        lastError = errorMessage(err);
        if (!failing) log.warn({ err: lastError }, "outbox relay failed; retrying with backoff");
        failing = true;
        await sleep(backoffMs);
        backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
      }
    }
  }

  /**
   * Subscribes to the wake-up channel, retrying with backoff while it fails (e.g. PostgreSQL restarting): the
   * relay polls meanwhile, so a lost wake-up only costs latency, never a message.
   */
  async function keepListening(): Promise<void> {
    if (!store!.listen) return;
    let delayMs = Math.min(500, maxBackoffMs);
    for (let attempt = 1; !stopped && !listening; attempt++) {
      try {
        const stop = await store!.listen(notify, () => {
          listening = true;
        });
        listening = true;
        if (stopped) await stop().catch(() => {});
        else unlisten = stop;
        if (attempt > 1) log.info({ attempts: attempt }, "outbox LISTEN established");
        return;
      } catch (err) {
        if (attempt === 1) log.warn({ err: errorMessage(err) }, "outbox LISTEN failed; polling meanwhile and retrying with backoff");
        await sleepUnlessStopped(delayMs);
        delayMs = Math.min(maxBackoffMs, delayMs * 2);
      }
    }
  }

  /** A plain wait that `stop()` cuts short (separate from the loop's wake-up, which notifications end early). */
  let cutListenWait: (() => void) | null = null;
  function sleepUnlessStopped(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        cutListenWait = null;
        resolve();
      }
      cutListenWait = done;
    });
  }

  const listenLoop = keepListening();
  const running = run();
  log.info({ batchSize, pollIntervalMs }, "outbox relay started");

  return {
    get backlog() {
      return backlog;
    },
    get listening() {
      return listening;
    },
    healthCheck: {
      name: "outbox-relay",
      async check() {
        if (stopped) throw new Error("outbox relay stopped");
        if (failing) throw new Error(`outbox relay failing: ${lastError}`);
      },
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      wake?.();
      cutListenWait?.();
      await running;
      await listenLoop;
      if (unlisten) await unlisten().catch(() => {});
      unobserve();
      log.info("outbox relay stopped");
    },
  };
}
