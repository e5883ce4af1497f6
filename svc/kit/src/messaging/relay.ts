/**
 * The outbox relay: publishes pending outbox rows (oldest first) with publisher confirms and marks
 * them sent in the same database transaction. It wakes on NOTIFY (PostgreSQL) or polls, waits out a
 * broker outage and resumes where it left off after a crash (unsent rows are simply still pending).
 * Delivery is at least once: a crash between the broker's confirm and the commit republishes the
 * batch, which the consumers' inbox absorbs.
 */
import { is } from "drizzle-orm";
import { MsSqlDatabase } from "drizzle-orm/mssql-core";
import type { Logger } from "../logging";
import { type Broker, errorMessage } from "./broker";
import { type MssqlDatabase, mssqlOutbox } from "./mssql-outbox";
import { type PgDatabase, pgOutbox } from "./pg-outbox";
import { keepListening, type ListenLoop } from "./relay/listen";
import { envelopePublisher } from "./relay/publish";
import type { OutboxRelay, OutboxRelayOptions, OutboxStore, PublishBatch } from "./relay/types";
import { WakeableSleep } from "./relay/wakeable-sleep";
import { observeOutboxBacklog } from "./telemetry";

export type { OutboxRelay, OutboxRelayOptions, OutboxRow, OutboxStore, PublishBatch } from "./relay/types";

function storeFor(db: PgDatabase | MssqlDatabase): OutboxStore {
  return is(db, MsSqlDatabase) ? mssqlOutbox.store(db as MssqlDatabase) : pgOutbox.store(db as PgDatabase);
}

const PURGE_EVERY_MS = 10 * 60 * 1000;

/** The relay's loop and state; `startOutboxRelay` is its public face. */
class RelayLoop {
  private stopped = false;
  private failing = false;
  private lastError = "";
  backlog = 0;
  private backlogMeasuredAt = 0;
  private lastPurgeAt = Date.now();
  private waitingForBroker: Promise<void> | null = null;
  readonly pause = new WakeableSleep();
  private readonly publish: PublishBatch;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly retainSentMs: number;

  constructor(
    private readonly store: OutboxStore,
    private readonly broker: Broker,
    private readonly log: Logger,
    options: OutboxRelayOptions,
  ) {
    this.publish = envelopePublisher(broker, options.source);
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.retainSentMs = options.retainSentMs ?? 24 * 60 * 60 * 1000;
  }

  /** Rejects while the last attempt failed (database or publish error) or after the relay stopped. */
  async check(): Promise<void> {
    if (this.stopped) throw new Error("outbox relay stopped");
    if (this.failing) throw new Error(`outbox relay failing: ${this.lastError}`);
  }

  stop(): void {
    this.stopped = true;
    this.pause.wakeUp();
  }

  async run(): Promise<void> {
    let backoffMs = this.pollIntervalMs;
    while (!this.stopped) {
      try {
        if (!this.broker.connected) {
          await this.waitForBroker();
          continue;
        }
        const sent = await this.relayBatch();
        backoffMs = this.pollIntervalMs;
        if (sent === this.batchSize) continue; // more waiting: no pause
        await this.afterBatch(sent);
        await this.pause.sleep(this.pollIntervalMs);
      } catch (err) {
        this.lastError = errorMessage(err);
        if (!this.failing) this.log.warn({ err: this.lastError }, "outbox relay failed; retrying with backoff");
        this.failing = true;
        await this.pause.sleep(backoffMs);
        backoffMs = Math.min(this.maxBackoffMs, backoffMs * 2);
      }
    }
  }

  /** One batch in one transaction; throws when a publish failed (the confirmed prefix stays marked sent). */
  private async relayBatch(): Promise<number | null> {
    let publishError: string | undefined;
    const sent = await this.store.relayBatch(this.batchSize, async (rows) => {
      const result = await this.publish(rows);
      publishError = result.error;
      return result;
    });
    if (publishError) throw new Error(publishError);
    if (this.failing) {
      this.failing = false;
      this.log.info("outbox relay recovered");
    }
    return sent;
  }

  /** The broker reconnects by itself: wait for it, keeping the backlog gauge current (operators watch it grow). */
  private async waitForBroker(): Promise<void> {
    await this.measureBacklog().catch(() => {});
    // One shared wait for the reconnect, however many loop turns the outage lasts.
    this.waitingForBroker ??= this.broker
      .untilConnected()
      .catch(() => {})
      .finally(() => {
        this.waitingForBroker = null;
      });
    await Promise.race([this.waitingForBroker, this.pause.sleep(this.pollIntervalMs)]);
    // Connected but blocked (resource alarm): the wait above returned at once, so pause here.
    if (!this.broker.connected) await this.pause.sleep(this.pollIntervalMs);
  }

  private async afterBatch(sent: number | null): Promise<void> {
    if (sent !== null) {
      // A batch shorter than the limit took every pending row: the backlog is empty, no count needed (a query
      // per batch was a fifth of the relay's round trips).
      this.backlog = 0;
      this.backlogMeasuredAt = Date.now();
    } else await this.measureBacklog();
    if (Date.now() - this.lastPurgeAt > PURGE_EVERY_MS) {
      this.lastPurgeAt = Date.now();
      const purged = await this.store.purgeSent(new Date(Date.now() - this.retainSentMs));
      if (purged > 0) this.log.debug({ purged }, "purged sent outbox rows");
    }
  }

  private async measureBacklog(): Promise<void> {
    if (Date.now() - this.backlogMeasuredAt < 1000) return;
    this.backlog = await this.store.backlog();
    this.backlogMeasuredAt = Date.now();
  }
}

export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const store = options.store ?? (options.db ? storeFor(options.db) : undefined);
  if (!store) throw new Error("startOutboxRelay needs `db` (PostgreSQL) or `store`");
  const log = options.logger.child({ component: "outbox-relay" });
  const relay = new RelayLoop(store, options.broker, log, options);
  const unobserve = observeOutboxBacklog(() => relay.backlog);
  const listen: ListenLoop = keepListening(store, () => relay.pause.wakeUp(), log, options.maxBackoffMs ?? 10_000);
  const running = relay.run();
  log.info({ batchSize: options.batchSize ?? 100, pollIntervalMs: options.pollIntervalMs ?? 1000 }, "outbox relay started");
  let stopping: Promise<void> | null = null;

  return {
    get backlog() {
      return relay.backlog;
    },
    get listening() {
      return listen.listening;
    },
    healthCheck: { name: "outbox-relay", check: () => relay.check() },
    stop() {
      stopping ??= (async () => {
        relay.stop();
        await running;
        await listen.stop();
        unobserve();
        log.info("outbox relay stopped");
      })();
      return stopping;
    },
  };
}
