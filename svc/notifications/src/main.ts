import { startNotificationsService } from "./app";
import { loadNotificationsConfig } from "./config";

await startNotificationsService(loadNotificationsConfig(), { handleSignals: true });
