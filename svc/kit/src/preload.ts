/**
 * `bun --preload @meridian/kit/preload src/main.ts`: registers OpenTelemetry before any module that
 * creates spans or instruments is loaded. Names come from OTEL_SERVICE_NAME and npm_package_version.
 */
import { initTelemetry } from "./telemetry";

initTelemetry({
  serviceName: process.env.OTEL_SERVICE_NAME ?? "meridian",
  version: process.env.npm_package_version ?? "0.0.0",
});
