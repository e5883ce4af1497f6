/**
 * Bundles a Bun process for production: `<workspace>/src/main.ts` and everything it imports at run time into a few
 * files (`bun build --target=bun --splitting`), so a start reads those instead of transpiling and resolving hundreds
 * of TypeScript modules (the image runs with the transpiler cache off). --splitting keeps lazy imports lazy: a
 * module loaded only on demand (e.g. the SQL Server driver, only with ORDERS_STORE=mssql) stays a chunk of its own.
 * No minifying, so stack traces keep their function names.
 *
 * Usage: bun scripts/bundle.ts <workspace folder> <out folder>   (the entry is <out folder>/main.js)
 * Used by the Dockerfile's bundle stage and the startup benchmark; it imports nothing but Bun, so it runs alone.
 */
import { resolve } from "node:path";

export interface Bundle {
  /** The file to run: `bun <entry>`. */
  entry: string;
  /** Every file written (the entry and its chunks). */
  files: string[];
}

export async function bundleWorkspace(workspace: string, outdir: string): Promise<Bundle> {
  const result = await Bun.build({
    entrypoints: [resolve(workspace, "src/main.ts")],
    target: "bun",
    format: "esm",
    splitting: true,
    outdir: resolve(outdir),
    naming: { entry: "main.js", chunk: "[name]-[hash].js", asset: "[name]-[hash].[ext]" },
    throw: false,
  });
  if (!result.success) throw new AggregateError(result.logs, `bundling ${workspace} failed`);
  const files = result.outputs.map((o) => o.path);
  return { entry: resolve(outdir, "main.js"), files };
}

if (import.meta.main) {
  const [workspace, outdir] = process.argv.slice(2);
  if (!workspace || !outdir) {
    console.error("usage: bun scripts/bundle.ts <workspace folder> <out folder>");
    process.exit(2);
  }
  try {
    const { entry, files } = await bundleWorkspace(workspace, outdir);
    console.log(`bundled ${workspace} into ${files.length} files, entry ${entry}`);
  } catch (error) {
    console.error(error instanceof AggregateError ? [error.message, ...error.errors.map(String)].join("\n") : error);
    process.exit(1);
  }
}
