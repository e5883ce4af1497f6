import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { checkDependencies } from "../dependency-rules";

let root: string;
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "meridian-rules-"));
  write("svc/orders/src/domain/order.ts", 'import { routes } from "../routes/index";\nexport const order = routes;\n');
  write("svc/orders/src/routes/index.ts", 'import { x } from "../domain/helper";\nexport const routes = x;\n');
  write("svc/orders/src/domain/helper.ts", "export const x = 1;\n");
  write("svc/kit/src/bad.ts", 'import { order } from "../../orders/src/domain/order";\nexport const y = order;\n');
  write("svc/audit/test/a.test.ts", 'import { x } from "../../orders/src/domain/helper";\nexport const z = x;\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("dependency rules", () => {
  test("when the kit imports a service, a service imports another's src by a relative path, or the domain imports routes, then each is reported", async () => {
    const { violations } = await checkDependencies(root);
    expect(violations.map((v) => `${v.rule}: ${v.from}`).sort()).toEqual([
      "domain-imports-no-routes: svc/orders/src/domain/order.ts",
      "kit-imports-no-service: svc/kit/src/bad.ts",
      "no-relative-import-of-another-service: svc/audit/test/a.test.ts",
      "no-relative-import-of-another-service: svc/kit/src/bad.ts",
    ]);
  });

  test("when routes import the domain, then nothing is reported for it", async () => {
    const { violations } = await checkDependencies(root);
    expect(violations.some((v) => v.from === "svc/orders/src/routes/index.ts")).toBe(false);
  });
});
