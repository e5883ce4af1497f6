export * from "./core";
export * from "./issuer";
export * from "./platform";
