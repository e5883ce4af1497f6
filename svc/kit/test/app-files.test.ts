import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appFile } from "../src/app-files";

/** An image's /app (a workspace with its migrations and its bundle) and, apart from it, a folder holding a bundle. */
let root: string;
let app: string;
let elsewhere: string;

beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "meridian-app-files-")));
  app = join(root, "app");
  mkdirSync(join(app, "svc/orders/drizzle/postgres"), { recursive: true });
  mkdirSync(join(app, "svc/orders/dist"), { recursive: true });
  writeFileSync(join(app, "gateway.json"), "{}");
  elsewhere = join(root, "bundles/orders");
  mkdirSync(elsewhere, { recursive: true });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs `body` with the working folder at `dir`, as a process started there. */
function inFolder<T>(dir: string, body: () => T): T {
  const before = process.cwd();
  process.chdir(dir);
  try {
    return body();
  } finally {
    process.chdir(before);
  }
}

describe("appFile", () => {
  test("when the reading module sits below the tree (sources in place, or a bundle in its workspace), then the file is found from it wherever the process runs", () => {
    const found = inFolder(tmpdir(), () => appFile("svc/orders/drizzle/postgres", join(app, "svc/orders/dist")));
    expect(found).toBe(join(app, "svc/orders/drizzle/postgres"));
  });

  test("when the module sits outside the tree (a bundle in a temporary folder), then the file is found from the working folder", () => {
    const found = inFolder(join(app, "svc/orders"), () => appFile("svc/orders/drizzle/postgres", elsewhere));
    expect(found).toBe(join(app, "svc/orders/drizzle/postgres"));
    expect(inFolder(join(app, "svc/orders"), () => appFile("gateway.json", elsewhere))).toBe(join(app, "gateway.json"));
  });

  test("when the file is nowhere above either folder, then the path below the working folder is returned for the reader to report", () => {
    const found = inFolder(join(app, "svc/orders"), () => appFile("svc/orders/drizzle/mssql", elsewhere));
    expect(found).toBe(join(app, "svc/orders/svc/orders/drizzle/mssql"));
  });
});
