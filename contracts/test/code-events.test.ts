/**
 * What each service's code publishes and consumes (its startConsumer types, the types it enqueues or publishes)
 * against the service manifest and docs/asyncapi.yaml; the failing cases edit a temporary copy of the repository.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { services } from "../../services";
import { contractProblems } from "../src/check";
import { ASYNCAPI_PATH, REPO_ROOT } from "../src/generate";
import { type TemporaryCopy, temporaryCopy } from "./support";

const committed = readFileSync(ASYNCAPI_PATH, "utf8");
// Each check parses the services' sources: seconds when the machine is busy.
setDefaultTimeout(30_000);
let copy: TemporaryCopy | undefined;
afterEach(() => copy?.remove());

/** Replaces `from` by `to` in a file of the copy, failing when `from` is not there (the test would prove nothing). */
function edit(root: string, path: string, from: string, to: string): void {
  const file = join(root, path);
  const text = readFileSync(file, "utf8");
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}

describe("event contracts of the code", () => {
  test("when code, manifest and docs/asyncapi.yaml are compared, then every type a service publishes or consumes is listed in both", async () => {
    expect(await contractProblems(REPO_ROOT, services, committed)).toEqual([]);
  });

  test("when a temporary copy of the document lacks a type orders publishes, then the check names it", async () => {
    copy = temporaryCopy();
    const document = parse(committed);
    expect(document.operations["orders.publish.orders.order-created.v1"]).toBeDefined();
    delete document.operations["orders.publish.orders.order-created.v1"];
    writeFileSync(join(copy.root, "docs/asyncapi.yaml"), stringify(document));
    const problems = await contractProblems(copy.root, services, readFileSync(join(copy.root, "docs/asyncapi.yaml"), "utf8"));
    expect(problems).toEqual([
      expect.stringMatching(
        /^orders publishes orders\.order-created\.v1 \(svc\/orders\/src\/domain\/order-service\.ts:\d+\) but docs\/asyncapi\.yaml has no send operation/,
      ),
    ]);
  });

  test("when a temporary copy of a service publishes a type nobody lists, then the check names the service, the type and the line", async () => {
    copy = temporaryCopy();
    edit(
      copy.root,
      "svc/notifications/src/routes/index.ts",
      'await broker.publish("notifications.broadcast-sent.v1"',
      'await broker.publish("inventory.stock-released.v1", { orderId: id, lines: [] });\n          await broker.publish("notifications.broadcast-sent.v1"',
    );
    const problems = await contractProblems(copy.root, services, committed);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /^notifications publishes inventory\.stock-released\.v1 \(svc\/notifications\/src\/routes\/index\.ts:\d+\) but services\.ts does not list it/,
    );
    expect(problems[1]).toMatch(/^notifications publishes inventory\.stock-released\.v1 .* but docs\/asyncapi\.yaml has no send operation/);
  });

  test("when a temporary copy of the inventory worker consumes one type more, then the check names it", async () => {
    copy = temporaryCopy();
    edit(
      copy.root,
      "svc/inventory-worker/src/worker.ts",
      '"orders.order-shipped.v1"]',
      '"orders.order-shipped.v1", "inventory.product-upserted.v1"]',
    );
    const problems = await contractProblems(copy.root, services, committed);
    expect(problems).toHaveLength(2);
    expect(
      problems.every((p) => p.startsWith("inventory-worker consumes inventory.product-upserted.v1 (svc/inventory-worker/src/worker.ts:")),
    ).toBe(true);
  });

  test("when a temporary copy of the audit's computed list (imported, not read as text) gains the dead-letter notice, then the check names it", async () => {
    copy = temporaryCopy();
    edit(copy.root, "svc/audit/src/domain/audit.ts", '!type.startsWith("system.")', 'type !== "orders.order-created.v1"');
    const problems = await contractProblems(copy.root, services, committed);
    expect(problems.some((p) => p.startsWith("audit consumes system.message-dead-lettered.v1"))).toBe(true);
    expect(problems.some((p) => p.startsWith("services.ts says audit consumes orders.order-created.v1 but its code does not"))).toBe(true);
  });

  test("when a temporary copy of a service names a type through a constant, then the check names it", async () => {
    copy = temporaryCopy();
    edit(
      copy.root,
      "svc/notifications/src/routes/index.ts",
      "\nexport ",
      '\nexport const releasedType = "inventory.stock-released.v1";\nexport ',
    );
    const problems = await contractProblems(copy.root, services, committed);
    expect(problems).toEqual([
      expect.stringMatching(
        /^notifications names inventory\.stock-released\.v1 \(svc\/notifications\/src\/routes\/index\.ts:\d+\) but services\.ts lists it neither/,
      ),
    ]);
  });

  test("when the manifest lists a publication the code does not make, then the check says to remove it", async () => {
    const manifest = services.map((s) =>
      s.name === "inventory" ? { ...s, publishes: [...s.publishes, "inventory.stock-released.v1" as const] } : s,
    );
    expect(await contractProblems(REPO_ROOT, manifest, committed)).toEqual([
      "services.ts says inventory publishes inventory.stock-released.v1 but its code does not: remove it from services.ts (and run bun run asyncapi)",
    ]);
  });

  test("when a service's consumer types are computed inline, then the check says it cannot read them instead of guessing", async () => {
    copy = temporaryCopy();
    edit(copy.root, "svc/inventory-worker/src/worker.ts", 'types: ["orders.order-created.v1"', 'types: [...["orders.order-created.v1"]');
    const problems = await contractProblems(copy.root, services, committed);
    expect(problems[0]).toMatch(/^svc\/inventory-worker\/src\/worker\.ts:\d+: startConsumer's types are neither/);
  });
});
