/** Orders store on PostgreSQL (drizzle + postgres.js). */
import { and, asc, count, desc, eq, gte, inArray, lt, lte, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import type postgres from "postgres";
import { appFile } from "@meridian/kit/app-files";
import { openPostgres } from "@meridian/kit/postgres";
import { withAdvisoryLock } from "@meridian/kit/postgres-lock";
import { postgresCheck, type HealthCheck } from "@meridian/kit";
import { pgInbox, pgOutbox, startOutboxRelay } from "@meridian/kit/messaging";
import type { CatalogueProduct, OrderRecord, Page } from "../../domain/order";
import { assembleOrders, newOrderRow, orderListFilter, statusUpdate, toStatsRows, transitionOutcome } from "../records";
import type {
  CreateResult,
  NewOrder,
  OrderFilter,
  OrdersStore,
  OrdersTx,
  OrderStatsRows,
  OutboxEvent,
  OutboxRelayHandle,
  StatusChange,
  TransitionResult,
} from "../types";
import { catalogueProducts, orderLines, orders } from "./schema";

const migrationsFolder = appFile("svc/orders/drizzle/postgres", import.meta.dir);

type Db = ReturnType<typeof drizzle>;
type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
type Executor = Db | Tx;
type OrderRow = typeof orders.$inferSelect;

async function loadOrders(db: Executor, rows: OrderRow[]): Promise<OrderRecord[]> {
  if (rows.length === 0) return [];
  const lines = await db
    .select()
    .from(orderLines)
    .where(
      inArray(
        orderLines.orderId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(orderLines.orderId), asc(orderLines.lineNo));
  return assembleOrders(rows, lines);
}

async function findByIdempotencyKey(db: Executor, customerId: string, key: string): Promise<OrderRecord | undefined> {
  const rows = await db
    .select()
    .from(orders)
    .where(and(eq(orders.customerId, customerId), eq(orders.idempotencyKey, key)));
  const [order] = await loadOrders(db, rows);
  return order;
}

async function findOrder(db: Executor, id: string): Promise<OrderRecord | undefined> {
  const rows = await db.select().from(orders).where(eq(orders.id, id));
  const [order] = await loadOrders(db, rows);
  return order;
}

function txOps(tx: Tx): OrdersTx {
  return {
    async transition(orderId: string, change: StatusChange): Promise<TransitionResult> {
      // Conditional update: the status check and the write are one statement, so concurrent changes serialise; the
      // changed order comes back with its lines in the same round trip.
      const updated = tx.$with("changed").as(
        tx
          .update(orders)
          .set(statusUpdate(change))
          .where(and(eq(orders.id, orderId), inArray(orders.status, [...change.from])))
          .returning(),
      );
      const rows = await tx
        .with(updated)
        .select()
        .from(updated)
        .leftJoin(orderLines, eq(orderLines.orderId, updated.id))
        .orderBy(asc(orderLines.lineNo));
      const lines = rows.flatMap((r) => (r.order_lines ? [r.order_lines] : []));
      const [changed] = rows[0] ? assembleOrders([rows[0].changed], lines) : [];
      return transitionOutcome(
        changed,
        () => findOrder(tx, orderId),
        (order) => pgOutbox.enqueue(tx, change.event(order)),
      );
    },

    async upsertCatalogueProduct(product: CatalogueProduct, asOf: Date): Promise<void> {
      await tx
        .insert(catalogueProducts)
        .values({ ...product, asOf })
        .onConflictDoUpdate({
          target: catalogueProducts.sku,
          set: { name: product.name, priceCents: product.priceCents, asOf },
          setWhere: lte(catalogueProducts.asOf, asOf),
        });
    },
  };
}

export class PostgresOrdersStore implements OrdersStore {
  readonly dialect = "postgres" as const;
  readonly healthChecks: HealthCheck[];
  private readonly client: postgres.Sql;
  readonly db: Db;

  constructor(
    private readonly url: string,
    options: { max?: number } = {},
  ) {
    this.client = openPostgres(url, { max: options.max ?? 10, applicationName: "orders" });
    this.db = drizzle({ client: this.client });
    this.healthChecks = [postgresCheck("postgres", this.client)];
  }

  async migrate(): Promise<void> {
    // Replicas starting together take turns under one advisory lock.
    await withAdvisoryLock(this.url, 727102, () => migrate(this.db, { migrationsFolder }));
  }

  /**
   * Creates the order once per (customer, idempotency key), in one transaction and without a look-up first: the insert
   * itself finds out whether the key was used (ON CONFLICT waits for a concurrent insert of the key to commit, then
   * does nothing), and only then is the first order read — a new order costs no extra round trip.
   */
  createOrder(order: NewOrder, event: (order: OrderRecord) => OutboxEvent): Promise<CreateResult> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(orders)
        .values(newOrderRow(order))
        .onConflictDoNothing({ target: [orders.customerId, orders.idempotencyKey] })
        .returning();
      if (!row) {
        const existing = await findByIdempotencyKey(tx, order.customerId, order.idempotencyKey);
        if (!existing) throw new Error(`order with idempotency key ${order.idempotencyKey} was neither inserted nor found`);
        return { order: existing, created: false };
      }
      await tx.insert(orderLines).values(order.lines.map((l, i) => ({ orderId: order.id, lineNo: i + 1, ...l })));
      const record: OrderRecord = { ...row, lines: order.lines };
      await pgOutbox.enqueue(tx, event(record));
      return { order: record, created: true };
    });
  }

  getOrder(orderId: string): Promise<OrderRecord | undefined> {
    return findOrder(this.db, orderId);
  }

  async listOrders(filter: OrderFilter, page: number, pageSize: number): Promise<Page<OrderRecord>> {
    const where = orderListFilter(orders, filter);
    const [rows, totals] = await Promise.all([
      this.db
        .select()
        .from(orders)
        .where(where)
        .orderBy(desc(orders.createdAt), desc(orders.id))
        .limit(pageSize)
        .offset((page - 1) * pageSize),
      this.db.select({ total: count() }).from(orders).where(where),
    ]);
    return { items: await loadOrders(this.db, rows), page, pageSize, total: Number(totals[0]?.total ?? 0) };
  }

  async orderStats(from: Date, to: Date): Promise<OrderStatsRows> {
    const hourIndex = sql<string>`floor(extract(epoch from ${orders.createdAt}) / 3600)::bigint`;
    const rows = await this.db
      .select({ hourIndex, status: orders.status, orders: count(), totalCents: sql<string>`sum(${orders.totalCents})` })
      .from(orders)
      .where(and(gte(orders.createdAt, from), lt(orders.createdAt, to)))
      .groupBy(hourIndex, orders.status);
    return toStatsRows(rows);
  }

  async findCatalogueProducts(skus: readonly string[]): Promise<Map<string, CatalogueProduct>> {
    if (skus.length === 0) return new Map();
    const rows = await this.db
      .select({ sku: catalogueProducts.sku, name: catalogueProducts.name, priceCents: catalogueProducts.priceCents })
      .from(catalogueProducts)
      .where(inArray(catalogueProducts.sku, [...skus]));
    return new Map(rows.map((r) => [r.sku, r]));
  }

  transaction<T>(work: (tx: OrdersTx) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work(txOps(tx)));
  }

  async handleOnce(
    envelope: Parameters<OrdersStore["handleOnce"]>[0],
    consumer: string,
    work: (tx: OrdersTx) => Promise<void>,
  ): Promise<boolean> {
    const outcome = await pgInbox.handleOnce(this.db, envelope, consumer, (tx) => work(txOps(tx as unknown as Tx)));
    return outcome === "applied";
  }

  startOutboxRelay(options: Parameters<OrdersStore["startOutboxRelay"]>[0]): OutboxRelayHandle {
    return startOutboxRelay({ db: this.db, ...options });
  }

  async close(): Promise<void> {
    await this.client.end({ timeout: 5 });
  }
}
