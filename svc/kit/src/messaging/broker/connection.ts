/**
 * The process's one AMQP connection: amqplib's built-in recovery reconnects it with backoff and redeclares the
 * exchange; registered setups (consumers' topology and subscription) run again on every (re)connect, retried with
 * backoff on the same connection while they fail.
 */
import amqp, { type ChannelModel, type ConfirmChannel, type RecoveringChannelModel } from "amqplib";
import type { Logger } from "../../logging";
import { BrokerUnavailableError, errorMessage } from "./errors";

type Setup = (connection: ChannelModel) => Promise<void>;

export interface ConnectionSettings {
  url: string;
  service: string;
  exchange: string;
  connectionName: string;
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  log: Logger;
  /** Runs on every disconnect (the publisher drops its channel). */
  onDisconnect?: () => void;
}

export class BrokerConnection {
  current: ChannelModel | null = null;
  blocked = false;
  closing = false;
  private readonly setups = new Set<Setup>();
  private waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];

  private constructor(
    private readonly settings: ConnectionSettings,
    private readonly connection: RecoveringChannelModel,
  ) {}

  static async open(settings: ConnectionSettings): Promise<BrokerConnection> {
    const { exchange } = settings;
    const connection: RecoveringChannelModel = await amqp.connect(settings.url, {
      clientProperties: { connection_name: settings.connectionName, service: settings.service },
      recovery: {
        initialDelay: settings.reconnect?.initialDelayMs ?? 200,
        maxDelay: settings.reconnect?.maxDelayMs ?? 15_000,
        jitter: 0.2,
        maxRetries: Number.POSITIVE_INFINITY,
        waitForConnect: false,
        // Declared on every (re)connect: the exchange is the one thing every publisher needs.
        setup: async (model: ChannelModel) => {
          const ch = await model.createChannel();
          await ch.assertExchange(exchange, "topic", { durable: true });
          await ch.close();
        },
      },
    });
    const broker = new BrokerConnection(settings, connection);
    broker.listen();
    return broker;
  }

  private listen(): void {
    const { connection } = this;
    const { log } = this.settings;
    connection.on("connect", (model: ChannelModel) => this.connected(model));
    connection.on("disconnect", (err: Error) => {
      this.current = null;
      this.settings.onDisconnect?.();
      if (!this.closing) log.warn({ err: err.message }, "lost RabbitMQ connection; reconnecting");
    });
    connection.on("connect-failed", (err: Error) => log.warn({ err: err.message }, "RabbitMQ connection attempt failed"));
    connection.on("reconnect-scheduled", (info: { attempt: number; delay: number }) =>
      log.debug({ attempt: info.attempt, delayMs: info.delay }, "RabbitMQ reconnect scheduled"),
    );
    connection.on("blocked", (reason: string) => {
      this.blocked = true;
      log.warn({ reason }, "RabbitMQ blocked this connection");
    });
    connection.on("unblocked", () => {
      this.blocked = false;
      log.info("RabbitMQ unblocked this connection");
    });
    connection.on("error", (err: Error) => log.warn({ err: err.message }, "RabbitMQ connection error"));
  }

  private connected(model: ChannelModel): void {
    this.current = model;
    this.blocked = false;
    this.settings.log.info({ connectionName: this.settings.connectionName }, "connected to RabbitMQ");
    for (const setup of this.setups) this.runSetup(setup, model);
    const ready = this.waiters;
    this.waiters = [];
    for (const waiter of ready) waiter.resolve();
  }

  /** Later runs that fail are retried on the same connection with backoff while it stays current. */
  private runSetup(setup: Setup, model: ChannelModel, attempt = 1): void {
    setup(model).catch((err: unknown) => {
      const delayMs = Math.min(30_000, 500 * 2 ** attempt);
      this.settings.log.error({ err: errorMessage(err), retryInMs: delayMs }, "messaging setup after connect failed");
      const timer = setTimeout(() => {
        if (this.current === model && this.setups.has(setup) && !this.closing) this.runSetup(setup, model, attempt + 1);
      }, delayMs);
      timer.unref?.();
    });
  }

  untilConnected(): Promise<void> {
    if (this.current) return Promise.resolve();
    if (this.closing) return Promise.reject(new BrokerUnavailableError("broker is closed"));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Runs `setup` once connected and after every reconnect (see Broker.onConnected). */
  register(setup: Setup): { ready: Promise<void>; dispose(): void } {
    let disposed = false;
    const ready = (async () => {
      // Retry while the failure was the connection going away; a failure on a healthy
      // connection (e.g. queue arguments mismatch) is the caller's to see.
      for (;;) {
        await this.untilConnected();
        const model = this.current;
        if (!model) continue;
        try {
          await setup(model);
        } catch (err) {
          if (this.current === model && !this.closing) throw err;
          this.settings.log.warn({ err: errorMessage(err) }, "connection lost during messaging setup; retrying");
          continue;
        }
        // Registered after the first run: every later (re)connect runs it again.
        if (!disposed) this.setups.add(setup);
        if (this.current !== model && this.current) this.runSetup(setup, this.current);
        return;
      }
    })();
    ready.catch(() => {});
    return {
      ready,
      dispose: () => {
        disposed = true;
        this.setups.delete(setup);
      },
    };
  }

  async openChannel(): Promise<ConfirmChannel> {
    if (!this.current || this.closing) throw new BrokerUnavailableError("not connected to RabbitMQ");
    const ch = await this.current.createConfirmChannel();
    ch.on("error", (err: Error) => this.settings.log.warn({ err: err.message }, "tool channel error"));
    return ch;
  }

  /** Marks the connection closing and fails everyone waiting for it (the caller closes its channels, then `end`). */
  beginClose(): void {
    this.closing = true;
    const stranded = this.waiters;
    this.waiters = [];
    for (const waiter of stranded) waiter.reject(new BrokerUnavailableError("broker is closed"));
  }

  async end(): Promise<void> {
    await this.connection.close().catch(() => {});
    this.current = null;
  }
}
