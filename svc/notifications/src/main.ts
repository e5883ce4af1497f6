import { createLogger, initTelemetry } from "@meridian/kit";
import { SERVICE, startNotificationsService, VERSION } from "./app";
import { retryDelaysMs as parseRetryDelays } from "@meridian/kit";
import { loadNotificationsConfig } from "./config";

const config = loadNotificationsConfig();
const logger = createLogger({ service: SERVICE, version: VERSION, level: config.LOG_LEVEL });
initTelemetry({ serviceName: SERVICE, version: VERSION, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const retryDelaysMs = parseRetryDelays(config.CONSUMER_RETRY_DELAYS_MS);
await startNotificationsService(config, { logger, handleSignals: true, ...(retryDelaysMs ? { retryDelaysMs } : {}) });
