/**
 * Wires the inventory API: database (migrated at start), broker, outbox relay, routes — started by the kit's
 * `startService`. `main.ts` runs it as a process; tests start it in-process on a free port.
 */
import { postgresCheck, retryTransient, startService, type Logger, type RunningService } from "@meridian/kit";
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
  server: RunningService;
  store: InventoryStore;
  stop(): Promise<void>;
}

export async function startInventory(
  config: InventoryConfig,
  options: { logger?: Logger; handleSignals?: boolean } = {},
): Promise<RunningInventory> {
  let store!: InventoryStore;
  const server = await startService({
    name: SERVICE,
    version: VERSION,
    config,
    ...options,
    openapi: { title: "Inventory API", description: "Products, stock levels, adjustments and reservations." },
    async start({ logger }) {
      const database = openInventoryDatabase(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX });
      // PostgreSQL may be restarting or dropping connections as the process starts: retry, don't crash-loop.
      await retryTransient(() => migrateInventoryDatabase(database), { attempts: 10, logger, what: "migrations" });
      store = new InventoryStore(database.db);
      // Demo deployments only (off by default): idempotent, and stock of existing products is never reset.
      if (config.SEED_DEMO_CATALOGUE) logger.info(await seedCatalogue(store), "demo catalogue seeded");
      const broker = await connectBrokerFromConfig(config, { service: SERVICE, logger });
      return {
        stores: [{ checks: [postgresCheck("postgres", database.sql)], close: () => database.close() }],
        broker,
        relays: [startOutboxRelay({ db: database.db, broker, logger, source: SERVICE })],
        routes: [
          // Public catalogue first: the auth plugin in inventoryRoutes guards only what is registered after it.
          catalogueRoutes(new CatalogueReader(database.db)),
          inventoryRoutes({ store, verifier: verifierFromConfig(config) }),
        ],
      };
    },
  });
  return { server, store, stop: () => server.stop() };
}
