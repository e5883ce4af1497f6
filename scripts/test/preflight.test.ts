import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");

/** `bun test` at the repository root, as a developer types it, with some of the environment overridden. */
function rootBunTest(env: Record<string, string>) {
  const { MERIDIAN_TEST_ROOT_CHILD: _child, ...inherited } = process.env;
  const result = Bun.spawnSync(["bun", "test", "svc/kit/test/http/app.test.ts"], {
    cwd: ROOT,
    env: { ...inherited, ...env },
    stdout: "pipe",
    stderr: "pipe",
    timeout: 60_000,
  });
  // Bun prints its version banner and the file's name first; everything else is what the preflight said.
  const lines = result.stderr
    .toString()
    .split("\n")
    .filter((line) => line.trim() && !line.startsWith("bun test v") && !/\.test\.ts:$/.test(line));
  return { code: result.exitCode, stderr: lines.join("\n") };
}

describe("bun test at the root", () => {
  test("when Redis is not reachable, then it says so in one line naming it and how to start it, and fails", () => {
    const { code, stderr } = rootBunTest({ REDIS_URL: "redis://127.0.0.1:1" });
    expect(code).toBe(1);
    expect(stderr.split("\n")).toHaveLength(1);
    expect(stderr).toBe(
      "bun test: Redis (127.0.0.1:1) not reachable — start the infrastructure with `bun run infra`, then run bun test again.",
    );
  });

  test("when PostgreSQL and RabbitMQ are not reachable, then the one line names both", () => {
    const { code, stderr } = rootBunTest({
      TEST_POSTGRES_URL: "postgres://postgres@127.0.0.1:1/postgres",
      RABBITMQ_URL: "amqp://guest:guest@127.0.0.1:2",
    });
    expect(code).toBe(1);
    expect(stderr).toContain("PostgreSQL (127.0.0.1:1), RabbitMQ (127.0.0.1:2) not reachable");
    expect(stderr.split("\n")).toHaveLength(1);
  });
});
