import { loadWorkerConfig } from "./config";
import { startWorker } from "./worker";

await startWorker(loadWorkerConfig(), { handleSignals: true });
