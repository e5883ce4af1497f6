/**
 * `bun run seed`: loads the demo catalogue into the inventory database named by DATABASE_URL (migrating it first).
 * Events go through the outbox; the running inventory service's relay publishes them, so orders learns the prices.
 */
import { loadInventoryConfig } from "../config";
import { InventoryStore, migrateInventoryDatabase, openInventoryDatabase } from "../store";
import { seedCatalogue } from "./index";

const config = loadInventoryConfig();
const database = openInventoryDatabase(config.DATABASE_URL, { max: 1 });
try {
  await migrateInventoryDatabase(database);
  const result = await seedCatalogue(new InventoryStore(database.db));
  console.log(JSON.stringify({ msg: "demo catalogue seeded", ...result }));
} catch (err) {
  console.error(`seeding failed: ${err instanceof Error ? err.message : String(err)} — is PostgreSQL up and DATABASE_URL right?`);
  process.exitCode = 1;
} finally {
  await database.close();
}
