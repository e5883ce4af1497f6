/** The broker (see broker/index.ts and its parts): kept as the module other kit modules import from. */
export * from "./broker/index";
