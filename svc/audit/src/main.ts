import { createLogger, initTelemetry } from "@meridian/kit";
import { SERVICE, startAuditService, VERSION } from "./app";
import { loadAuditConfig } from "./config";

const config = loadAuditConfig();
const logger = createLogger({ service: SERVICE, version: VERSION, level: config.LOG_LEVEL });
initTelemetry({ serviceName: SERVICE, version: VERSION, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
await startAuditService(config, { logger, handleSignals: true });
