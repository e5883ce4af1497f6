/**
 * Wires the inventory API: database (migrated at start), broker, outbox relay, routes. `main.ts` runs it as a
 * process; tests start it in-process on a free port.
 */
import { createHttpApp, createLogger, postgresCheck, retryTransient, serve, serveOptions, type Logger, type RunningServer } from "@meridian/kit";
import { verifierFromConfig } from "@meridian/kit/auth";
import { connectBrokerFromConfig, startOutboxRelay } from "@meridian/kit/messaging";
import type { InventoryConfig } from "./config";
import { inventoryRoutes } from "./routes";
import { catalogueRoutes } from "./routes/catalogue";
import { seedCatalogue } from "./seed";
import { CatalogueReader } from "./store/catalogue";
import { InventoryStore, migrateInventoryDatabase, openInventoryDatabase } from "./store";

export const SERVICE = "inventory";
export const VERSION = "0.1.0";

export interface RunningInventory {
  server: RunningServer;
  store: InventoryStore;
  stop(): Promise<void>;
}

export async function startInventory(
  config: InventoryConfig,
  options: { logger?: Logger; handleSignals?: boolean } = {},
): Promise<RunningInventory> {
  const logger = options.logger ?? createLogger({ service: SERVICE, version: VERSION, level: config.LOG_LEVEL });
  const database = openInventoryDatabase(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX });
  // PostgreSQL may be restarting or dropping connections as the process starts: retry, don't crash-loop.
  await retryTransient(() => migrateInventoryDatabase(database.db), { attempts: 10, logger, what: "migrations" });
  const store = new InventoryStore(database.db);
  // Demo deployments only (off by default): idempotent, and stock of existing products is never reset.
  if (config.SEED_DEMO_CATALOGUE) logger.info(await seedCatalogue(store), "demo catalogue seeded");

  const broker = await connectBrokerFromConfig(config, { service: SERVICE, logger });
  const relay = startOutboxRelay({ db: database.db, broker, logger, source: SERVICE });

  const verifier = verifierFromConfig(config);

  const app = createHttpApp({
    service: SERVICE,
    version: VERSION,
    logger,
    checks: [postgresCheck("postgres", database.sql), broker.healthCheck, relay.healthCheck],
    openapi: { title: "Inventory API", description: "Products, stock levels, adjustments and reservations." },
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
  })
    // Public catalogue first: the auth plugin in inventoryRoutes guards only what is registered after it.
    .use(catalogueRoutes(new CatalogueReader(database.db)))
    .use(inventoryRoutes({ store, verifier }));

  const server = await serve(app, {
    ...serveOptions(config),
    logger,
    handleSignals: options.handleSignals ?? true,
    onShutdown: async () => {
      await relay.stop();
      await broker.close();
      await database.close();
    },
  });
  return { server, store, stop: () => server.stop() };
}
