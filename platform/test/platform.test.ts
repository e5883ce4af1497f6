import { describe, expect, test } from "bun:test";
import { startPlatform } from "../src";

describe("platform harness", () => {
  test("when a process exits while starting, then start fails at once with its last log lines instead of waiting out the ready timeout", async () => {
    const started = Date.now();
    const failure = await startPlatform({
      processes: ["inventory"],
      issuer: "http://127.0.0.1:9/realms/meridian",
      readyTimeoutMs: 120_000,
      envFor: { inventory: { BODY_LIMIT_BYTES: "not-a-number" } },
    }).then(
      () => undefined,
      (error: Error) => error,
    );
    const elapsed = Date.now() - started;
    expect(failure?.message).toContain("inventory exited with 1 while starting");
    expect(failure?.message).toContain("BODY_LIMIT_BYTES");
    expect(elapsed).toBeLessThan(60_000); // well inside the ready timeout, whatever the load
  }, 150_000);
});
