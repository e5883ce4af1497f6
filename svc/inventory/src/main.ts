import { startInventory } from "./app";
import { loadInventoryConfig } from "./config";

await startInventory(loadInventoryConfig(), { handleSignals: true });
