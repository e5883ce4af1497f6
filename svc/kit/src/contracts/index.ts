/** @meridian/kit/contracts: event types, their TypeBox schemas and the envelope they travel in. */
export * from "./events";
export * from "./envelope";
