/** @meridian/kit/messaging: RabbitMQ publishing and consuming, transactional outbox, idempotent inbox. */
export {
  connectBroker,
  connectBrokerFromConfig,
  BrokerUnavailableError,
  type Broker,
  type BrokerOptions,
  type BrokerHealthCheck,
  type PublishOptions,
} from "./broker";
export {
  startConsumer,
  queueNames,
  headers as messageHeaders,
  type Consumer,
  type ConsumerOptions,
  type EnvelopeOf,
  type HandleOutcome,
  type HandlerContext,
} from "./consumer";
export { pgOutbox, pgInbox, createMessagingTables, type OutboxEvent, type PgDatabase, type PgTransaction } from "./pg-outbox";
export { outboxMessages, inboxMessages, messagingTablesDdl } from "./pg-schema";
export { startOutboxRelay, type OutboxRelay, type OutboxRelayOptions, type OutboxStore, type OutboxRow } from "./relay";
export {
  mssqlOutbox,
  mssqlInbox,
  mssqlOutboxMessages,
  mssqlInboxMessages,
  mssqlMessagingTablesDdl,
  createMssqlMessagingTables,
  type MssqlDatabase,
} from "./mssql-outbox";
export { replayDeadLetters, type ReplayOptions, type ReplayResult } from "./replay";
