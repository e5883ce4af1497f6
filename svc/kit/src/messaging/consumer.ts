/** The consumer (see consumer/index.ts and its parts): kept as the module other kit modules import from. */
export * from "./consumer/index";
