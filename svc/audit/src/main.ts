import { startAuditService } from "./app";
import { loadAuditConfig } from "./config";

await startAuditService(loadAuditConfig(), { handleSignals: true });
