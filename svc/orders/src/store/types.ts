/**
 * The one store interface every orders adapter (PostgreSQL, SQL Server) implements; test/store-contract.test.ts
 * runs the same suite against each reachable adapter.
 */
import type { HealthCheck, Logger } from "@meridian/kit";
import type { Envelope, EventBody, EventType } from "@meridian/kit/contracts";
import type { Broker } from "@meridian/kit/messaging";
import type { CatalogueProduct, OrderLineRecord, OrderRecord, OrderStatus, Page, ShortageRecord } from "../domain/order";

export type StoreDialect = "postgres" | "mssql";

/** An event written to the outbox in the same transaction as the state change that caused it. */
export interface OutboxEvent<T extends EventType = EventType> {
  type: T;
  body: EventBody<T>;
  aggregateId: string;
  correlationId?: string;
  causationId?: string;
}

export interface NewOrder {
  id: string;
  customerId: string;
  customerName: string;
  customerEmail: string | null;
  idempotencyKey: string;
  requestHash: string;
  lines: OrderLineRecord[];
  totalCents: number;
  createdAt: Date;
}

/** One row per (hour, status) with orders created in it: the dashboard's raw figures. */
export interface OrderStatsRow {
  /** Start of the UTC hour. */
  hour: Date;
  status: OrderStatus;
  orders: number;
  totalCents: number;
}

export type OrderStatsRows = OrderStatsRow[];

export interface OrderFilter {
  customerId?: string;
  /** Case-insensitive substring of the customer's name, email or id. */
  q?: string;
  status?: OrderStatus;
  from?: Date;
  to?: Date;
}

export interface StatusChange {
  /** The order moves only when its current status is one of these. */
  from: readonly OrderStatus[];
  to: OrderStatus;
  rejectionReason?: string;
  shortages?: ShortageRecord[];
  at: Date;
  /** The event announcing the change, built from the changed order. */
  event: (order: OrderRecord) => OutboxEvent;
}

export type TransitionResult =
  | { outcome: "changed"; order: OrderRecord }
  | { outcome: "not-found" }
  /** The order's current status does not allow the change; nothing was written. */
  | { outcome: "illegal"; order: OrderRecord };

export type CreateResult = { order: OrderRecord; created: true } | { order: OrderRecord; created: false };

/** Operations that run inside one transaction. */
export interface OrdersTx {
  transition(orderId: string, change: StatusChange): Promise<TransitionResult>;
  /** Upserts a catalogue entry unless a newer version (by `asOf`) is already stored. */
  upsertCatalogueProduct(product: CatalogueProduct, asOf: Date): Promise<void>;
}

export interface OutboxRelayHandle {
  /** Readiness check `outbox-relay`. */
  readonly healthCheck: { name: string; check(): Promise<void> };
  stop(): Promise<void>;
}

export interface OrdersStore {
  readonly dialect: StoreDialect;
  /** Applies this adapter's drizzle migrations. */
  migrate(): Promise<void>;
  /**
   * Inserts the order and its OrderCreated event in one transaction, unless the caller already placed an order
   * with this idempotency key: then that order is returned with `created: false` (also under a concurrent race).
   */
  createOrder(order: NewOrder, event: (order: OrderRecord) => OutboxEvent): Promise<CreateResult>;
  getOrder(orderId: string): Promise<OrderRecord | undefined>;
  /** Newest first. */
  listOrders(filter: OrderFilter, page: number, pageSize: number): Promise<Page<OrderRecord>>;
  /** Counts and revenue of the orders created in [from, to), in total and per hour (UTC). */
  orderStats(from: Date, to: Date): Promise<OrderStatsRows>;
  findCatalogueProducts(skus: readonly string[]): Promise<Map<string, CatalogueProduct>>;
  transaction<T>(work: (tx: OrdersTx) => Promise<T>): Promise<T>;
  /**
   * Runs `work` once per (consumer, messageId): the effect and the inbox record commit together; a redelivered
   * message is skipped and `false` returned.
   */
  handleOnce(envelope: Envelope, consumer: string, work: (tx: OrdersTx) => Promise<void>): Promise<boolean>;
  startOutboxRelay(options: { broker: Broker; logger: Logger; source: string }): OutboxRelayHandle;
  readonly healthChecks: HealthCheck[];
  close(): Promise<void>;
}

export class IdempotencyConflictError extends Error {
  constructor(readonly existing: OrderRecord) {
    super("idempotency key already used with another request");
    this.name = "IdempotencyConflictError";
  }
}
