/**
 * Operations tool: re-announces every product as inventory.product-upserted.v1 (through the outbox; the running
 * inventory service's relay publishes them). Use it when a read model of the catalogue (orders) was deployed or
 * reset after products were created: `bun svc/inventory/src/announce-catalogue.ts` with the service's DATABASE_URL.
 */
import { loadInventoryConfig } from "./config";
import { InventoryStore, migrateInventoryDatabase, openInventoryDatabase } from "./store";

const config = loadInventoryConfig();
const database = openInventoryDatabase(config.DATABASE_URL, { max: 1 });
try {
  await migrateInventoryDatabase(database);
  const announced = await new InventoryStore(database.db).announceCatalogue();
  console.log(JSON.stringify({ msg: "catalogue announced", products: announced }));
} finally {
  await database.close();
}
