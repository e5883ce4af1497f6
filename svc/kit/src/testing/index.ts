export * from "./core";
export * from "./issuer";
export * from "./broker";
export * from "./http";
export * from "./metrics";
export * from "./sse";
export * from "./process";
export * from "./rabbitmqctl";
