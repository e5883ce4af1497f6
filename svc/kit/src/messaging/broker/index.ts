/**
 * One AMQP connection per process (amqplib's built-in recovery reconnects it with backoff) and a confirm channel
 * for publishing. `publish` resolves only after the broker confirmed the message; a nack, a closed channel or a
 * lost connection rejects, so callers (and the outbox relay) know. The parts: `connection` (the connection,
 * reconnects, setups re-run on every connect), `publisher` (confirm channel, spans, confirms).
 */
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { ChannelModel, ConfirmChannel } from "amqplib";
import { type EventBody, type EventType, type Envelope, assertBody } from "../../contracts";
import type { MessagingConfig } from "../../config";
import type { Logger } from "../../logging";
import { BrokerConnection } from "./connection";
import { BrokerUnavailableError } from "./errors";
import { Publisher } from "./publisher";

export { BrokerUnavailableError, errorMessage } from "./errors";
export { confirmPublish, contextFromTraceparent, traceHeaders } from "./publisher";

/** Same shape as the kit's HealthCheck: reject = down. */
export interface BrokerHealthCheck {
  name: string;
  check(): Promise<void>;
}

export interface BrokerOptions {
  /** amqp://user:pass@host:5672/vhost */
  url: string;
  /** The service publishing (envelope `source`) — also part of the connection name. */
  service: string;
  logger: Logger;
  /** Topic exchange for events. Default `meridian.events`; tests pass a unique one. */
  exchange?: string;
  /** Name shown in the RabbitMQ management UI / `rabbitmqctl list_connections`. Default `<service>@<host>:<pid>:<random>`. */
  connectionName?: string;
  /** Reconnect backoff (exponential with jitter). Defaults 200 ms → 15 s. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Wait for the first connection before resolving (default true; retries with backoff until it succeeds). */
  waitForConnection?: boolean;
  /** How long a publish waits for the broker's confirm before failing (default 15 s). */
  confirmTimeoutMs?: number;
  /** Name of the readiness check (default `rabbitmq`). */
  healthCheckName?: string;
}

export interface PublishOptions {
  /** The entity the event is about; consumers handle one aggregate's events one at a time, in order. */
  aggregateId?: string;
  correlationId?: string;
  causationId?: string;
  messageId?: string;
  occurredAt?: Date | string;
}

export interface Broker {
  readonly service: string;
  readonly logger: Logger;
  readonly exchange: string;
  readonly connectionName: string;
  /** True while a connection is open (and the broker has not blocked us). */
  readonly connected: boolean;
  /** Validates the body, wraps it in an envelope and publishes it; resolves after the broker's confirm. */
  publish<T extends EventType>(type: T, body: EventBody<T>, options?: PublishOptions): Promise<Envelope<T>>;
  /** Publishes a ready envelope (used by the outbox relay); resolves after the broker's confirm. */
  publishEnvelope(envelope: Envelope): Promise<void>;
  /** Readiness: rejects while the connection is down or blocked. */
  readonly healthCheck: BrokerHealthCheck;
  /**
   * Runs `setup` with the connection now (if connected) and after every reconnect; used by consumers
   * to redeclare topology and re-subscribe. Returns the function that unregisters it.
   */
  onConnected(setup: (connection: ChannelModel) => Promise<void>): ConnectedRegistration;
  /** A new confirm channel on the current connection, for tools (the caller closes it). */
  openChannel(): Promise<ConfirmChannel>;
  /** Resolves once connected (immediately if connected now). */
  untilConnected(): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectedRegistration {
  /** Settles with the first run of `setup` (after the broker is connected); a failure unregisters it. */
  ready: Promise<void>;
  dispose(): void;
}

/** `connectBroker` to the broker and exchange of `messagingConfig()` (RABBITMQ_URL, RABBITMQ_EXCHANGE). */
export function connectBrokerFromConfig(
  config: Pick<MessagingConfig, "RABBITMQ_URL" | "RABBITMQ_EXCHANGE">,
  options: Omit<BrokerOptions, "url" | "exchange">,
): Promise<Broker> {
  return connectBroker({ ...options, url: config.RABBITMQ_URL, exchange: config.RABBITMQ_EXCHANGE });
}

export async function connectBroker(options: BrokerOptions): Promise<Broker> {
  const exchange = options.exchange ?? "meridian.events";
  const { service } = options;
  const log = options.logger.child({ component: "messaging", exchange });
  const connectionName = options.connectionName ?? `${service}@${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let publisher: Publisher | undefined;
  const connection = await BrokerConnection.open({
    url: options.url,
    service,
    exchange,
    connectionName,
    ...(options.reconnect ? { reconnect: options.reconnect } : {}),
    log,
    onDisconnect: () => publisher?.reset(),
  });
  publisher = new Publisher(connection, exchange, options.confirmTimeoutMs ?? 15_000, log);
  const publishEnvelope = (envelope: Envelope) => publisher!.publishEnvelope(envelope);

  const broker: Broker = {
    service,
    logger: options.logger,
    exchange,
    connectionName,
    get connected() {
      return connection.current !== null && !connection.blocked && !connection.closing;
    },
    async publish(type, body, publishOptions = {}) {
      assertBody(type, body);
      const envelope = envelopeOf(service, type, body, publishOptions);
      await publishEnvelope(envelope as Envelope);
      return envelope;
    },
    publishEnvelope,
    healthCheck: {
      name: options.healthCheckName ?? "rabbitmq",
      async check() {
        if (connection.closing) throw new BrokerUnavailableError("broker connection closed");
        if (!connection.current) throw new BrokerUnavailableError("not connected to RabbitMQ (reconnecting)");
        if (connection.blocked) throw new BrokerUnavailableError("RabbitMQ blocked the connection (resource alarm)");
      },
    },
    onConnected: (setup) => connection.register(setup),
    untilConnected: () => connection.untilConnected(),
    openChannel: () => connection.openChannel(),
    async close() {
      if (connection.closing) return;
      connection.beginClose();
      await publisher!.close();
      await connection.end();
      log.info("RabbitMQ connection closed");
    },
  };

  if (options.waitForConnection !== false) await connection.untilConnected();
  return broker;
}

/** The envelope `publish` sends: a new messageId unless given; correlation and causation default to it. */
function envelopeOf<T extends EventType>(source: string, type: T, body: EventBody<T>, options: PublishOptions): Envelope<T> {
  const messageId = options.messageId ?? randomUUID();
  const occurredAt = options.occurredAt ?? new Date();
  return {
    messageId,
    type,
    occurredAt: typeof occurredAt === "string" ? occurredAt : occurredAt.toISOString(),
    correlationId: options.correlationId ?? messageId,
    causationId: options.causationId ?? messageId,
    source,
    ...(options.aggregateId ? { aggregateId: options.aggregateId } : {}),
    body,
  } as Envelope<T>;
}
