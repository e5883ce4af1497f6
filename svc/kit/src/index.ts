export * from "./config";
export * from "./errors";
export * from "./health";
export * from "./http";
export * from "./logging";
export * from "./telemetry";
export * from "./paging";
export * from "./input";
