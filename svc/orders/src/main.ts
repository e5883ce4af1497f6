import { startOrders } from "./app";
import { loadOrdersConfig } from "./config";

await startOrders(loadOrdersConfig(), { handleSignals: true });
