/**
 * Orders store on SQL Server (drizzle mssql dialect + the mssql package). Same contract as the PostgreSQL
 * adapter; differences: OUTPUT instead of RETURNING, no ON CONFLICT (unique violations are caught instead),
 * ids as 36-character text, OFFSET/FETCH paging.
 */
import { and, asc, count, desc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import mssql from "mssql";
import { drizzle, getMsSqlConnectionParams, type NodeMsSqlDatabase } from "drizzle-orm/node-mssql";
import { migrate } from "drizzle-orm/node-mssql/migrator";
import { appFile } from "@meridian/kit/app-files";
import { isUniqueViolation, mssqlCheck, type HealthCheck } from "@meridian/kit";
import { mssqlInbox, mssqlOutbox, startOutboxRelay } from "@meridian/kit/messaging";
import type { CatalogueProduct, OrderRecord, Page } from "../../domain/order";
import { assembleOrders, createOnce, newOrderRow, orderListFilter, statusUpdate, toStatsRows, transitionOutcome } from "../records";
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
import { poolLockTransaction, withMigrationLock } from "./migration-lock";
import { catalogueProducts, orderLines, orders } from "./schema";

const migrationsFolder = appFile("svc/orders/drizzle/mssql", import.meta.dir);

type Db = NodeMsSqlDatabase;
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

async function findOrder(db: Executor, id: string): Promise<OrderRecord | undefined> {
  const rows = await db.select().from(orders).where(eq(orders.id, id));
  const [order] = await loadOrders(db, rows);
  return order;
}

function txOps(tx: Tx): OrdersTx {
  return {
    async transition(orderId: string, change: StatusChange): Promise<TransitionResult> {
      const updated = await tx
        .update(orders)
        .set(statusUpdate(change))
        .output()
        .where(and(eq(orders.id, orderId), inArray(orders.status, [...change.from])));
      const [changed] = await loadOrders(tx, updated as OrderRow[]);
      return transitionOutcome(
        changed,
        () => findOrder(tx, orderId),
        (order) => mssqlOutbox.enqueue(tx, change.event(order)),
      );
    },

    async upsertCatalogueProduct(product: CatalogueProduct, asOf: Date): Promise<void> {
      // MERGE with HOLDLOCK: insert-or-update in one statement, safe against a concurrent upsert of the same sku.
      await tx.execute(sql`
        merge ${catalogueProducts} with (holdlock) as target
        using (select ${product.sku} as sku) as source on target.sku = source.sku
        when matched and target.as_of <= ${asOf} then
          update set name = ${product.name}, price_cents = ${product.priceCents}, as_of = ${asOf}
        when not matched then
          insert (sku, name, price_cents, as_of) values (${product.sku}, ${product.name}, ${product.priceCents}, ${asOf});
      `);
    },
  };
}

export class MsSqlOrdersStore implements OrdersStore {
  readonly dialect = "mssql" as const;
  readonly healthChecks: HealthCheck[];
  readonly db: Db;
  private readonly pool: mssql.ConnectionPool;
  private connecting: Promise<unknown> | undefined;

  constructor(url: string) {
    const params = getMsSqlConnectionParams(url);
    if (typeof params === "object" && Number.isNaN(params.port)) delete params.port; // URL without a port: 1433
    this.pool = new mssql.ConnectionPool(params as mssql.config);
    this.db = drizzle({ client: this.pool });
    this.healthChecks = [mssqlCheck("mssql", this.pool)];
  }

  /** Opens the pool (once); everything else runs after migrate(), which calls it first. */
  private connect(): Promise<unknown> {
    return (this.connecting ??= this.pool.connect());
  }

  async migrate(): Promise<void> {
    await this.connect();
    // Replicas start together: one migrates while the others wait on the application lock.
    await withMigrationLock(poolLockTransaction(this.pool), () => migrate(this.db, { migrationsFolder }));
  }

  createOrder(order: NewOrder, event: (order: OrderRecord) => OutboxEvent): Promise<CreateResult> {
    return createOnce(order, {
      findByIdempotencyKey: (customerId, key) => this.findByIdempotencyKey(customerId, key),
      isUniqueViolation,
      insert: () =>
        this.db.transaction(async (tx) => {
          // No RETURNING on SQL Server: the record is what was inserted.
          const row = newOrderRow(order);
          await tx.insert(orders).values(row);
          await tx.insert(orderLines).values(order.lines.map((l, i) => ({ orderId: order.id, lineNo: i + 1, ...l })));
          const record: OrderRecord = { ...row, lines: order.lines };
          await mssqlOutbox.enqueue(tx, event(record));
          return record;
        }),
    });
  }

  private async findByIdempotencyKey(customerId: string, key: string): Promise<OrderRecord | undefined> {
    const rows = await this.db
      .select()
      .from(orders)
      .where(and(eq(orders.customerId, customerId), eq(orders.idempotencyKey, key)));
    const [order] = await loadOrders(this.db, rows);
    return order;
  }

  getOrder(orderId: string): Promise<OrderRecord | undefined> {
    return findOrder(this.db, orderId);
  }

  async listOrders(filter: OrderFilter, page: number, pageSize: number): Promise<Page<OrderRecord>> {
    const where = orderListFilter(orders, filter);
    const rows = await this.db
      .select()
      .from(orders)
      .where(where)
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .offset((page - 1) * pageSize)
      .fetch(pageSize);
    const [totals] = await this.db.select({ total: count() }).from(orders).where(where);
    return { items: await loadOrders(this.db, rows), page, pageSize, total: Number(totals?.total ?? 0) };
  }

  async orderStats(from: Date, to: Date): Promise<OrderStatsRows> {
    // Hour boundaries crossed since the epoch = whole hours since it (times are UTC, after 1970). Bucketed in a
    // derived table so the GROUP BY names a column, not an expression SQL Server must match to the select list.
    const bucketed = this.db
      .select({
        hourIndex: sql<string>`datediff_big(hour, cast('1970-01-01' as datetime2), ${orders.createdAt})`.as("hour_index"),
        status: orders.status,
        totalCents: orders.totalCents,
      })
      .from(orders)
      .where(and(gte(orders.createdAt, from), lt(orders.createdAt, to)))
      .as("bucketed");
    const rows = await this.db
      .select({
        hourIndex: bucketed.hourIndex,
        status: bucketed.status,
        orders: count(),
        totalCents: sql<string>`sum(${bucketed.totalCents})`,
      })
      .from(bucketed)
      .groupBy(bucketed.hourIndex, bucketed.status);
    return toStatsRows(rows);
  }

  async findCatalogueProducts(skus: readonly string[]): Promise<Map<string, CatalogueProduct>> {
    if (skus.length === 0) return new Map();
    const rows = await this.db
      .select({ sku: catalogueProducts.sku, name: catalogueProducts.name, priceCents: catalogueProducts.priceCents })
      .from(catalogueProducts)
      .where(inArray(catalogueProducts.sku, [...skus]));
    return new Map(rows.map((r) => [r.sku, { ...r, priceCents: Number(r.priceCents) }]));
  }

  transaction<T>(work: (tx: OrdersTx) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work(txOps(tx)));
  }

  async handleOnce(
    envelope: Parameters<OrdersStore["handleOnce"]>[0],
    consumer: string,
    work: (tx: OrdersTx) => Promise<void>,
  ): Promise<boolean> {
    const outcome = await mssqlInbox.handleOnce(this.db, envelope, consumer, (tx) => work(txOps(tx as unknown as Tx)));
    return outcome === "applied";
  }

  startOutboxRelay(options: Parameters<OrdersStore["startOutboxRelay"]>[0]): OutboxRelayHandle {
    return startOutboxRelay({ store: mssqlOutbox.store(this.db), ...options });
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
