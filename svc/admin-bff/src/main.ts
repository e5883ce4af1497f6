/** Admin console backend-for-frontend: `bun svc/admin-bff/src/main.ts` (port 5106). */
import { startBff } from "./app";
import { loadBffConfig } from "./config";

await startBff(loadBffConfig(), { handleSignals: true });
