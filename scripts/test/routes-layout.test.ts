/**
 * One layout for every service's HTTP routes: they enter at `src/routes/index.ts` (more route modules may sit beside
 * it), the form `bun run new-service` writes. Fast: it reads the tree and the scaffold's file list, it runs nothing.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { namesOf, serviceFiles } from "../new-service/templates";

const ROOT = resolve(import.meta.dir, "../..");

describe("routes layout", () => {
  test("when a service is scaffolded, then its routes are written to src/routes/index.ts", () => {
    const files = Object.keys(serviceFiles(namesOf("loyalty-points", 5999)));
    expect(files.filter((f) => f.includes("/src/routes/"))).toEqual(["svc/loyalty-points/src/routes/index.ts"]);
  });

  test("when the services with a src/routes folder are listed, then each has its routes' entry at src/routes/index.ts", () => {
    const withRoutes = readdirSync(join(ROOT, "svc")).filter((s) => existsSync(join(ROOT, "svc", s, "src/routes")));
    expect(withRoutes.length).toBeGreaterThan(0);
    expect(withRoutes.filter((s) => !existsSync(join(ROOT, "svc", s, "src/routes/index.ts")))).toEqual([]);
  });
});
