/**
 * Files a process reads at run time besides its code — migrations, the edge proxy's route table, the realm export —
 * named by their path from the repository root (in an image: /app). A bundled entry (`bun build`) runs without
 * the source tree around it, so the reading module's `import.meta.dir` is no guide on its own.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * The nearest `<ancestor>/<path>` that exists, searching up from `moduleDir` (sources run in place), then from the
 * working folder (an image runs in its workspace below /app; a bundle elsewhere runs from the repository). When
 * none exists, the path below the working folder: the reader's error then names it.
 */
export function appFile(path: string, moduleDir: string): string {
  for (const start of [moduleDir, process.cwd()]) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const candidate = join(dir, path);
      if (existsSync(candidate)) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  return resolve(process.cwd(), path);
}
