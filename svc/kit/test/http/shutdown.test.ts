import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";

const fixture = resolve(import.meta.dir, "../fixtures/slow-server.ts");

async function startFixture(env: Record<string, string> = {}) {
  const child = Bun.spawn(["bun", fixture], {
    env: { ...process.env, PORT: "0", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = child.stdout.getReader();
  let output = "";
  while (!output.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`fixture exited: ${await new Response(child.stderr).text()}`);
    output += new TextDecoder().decode(value);
  }
  const url = output.match(/READY (\S+)/)?.[1];
  if (!url) throw new Error(`unexpected fixture output: ${output}`);
  const rest = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return output;
      output += new TextDecoder().decode(value);
    }
  })();
  return { child, url, rest };
}

describe("graceful shutdown", () => {
  test("when SIGTERM arrives during a slow request, then the request finishes and the process exits 0", async () => {
    const { child, url, rest } = await startFixture({ SLOW_MS: "1500", SHUTDOWN_GRACE_MS: "10000" });
    const slow = fetch(`${url}/slow`);
    await Bun.sleep(300);
    child.kill("SIGTERM");
    const res = await slow;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ finished: true });
    expect(await child.exited).toBe(0);
    expect(await rest).toContain("pools closed");
  });

  test("when a request outlasts the grace period, then the process still exits within it", async () => {
    const { child, url } = await startFixture({ SLOW_MS: "20000", SHUTDOWN_GRACE_MS: "500" });
    const slow = fetch(`${url}/slow`).catch((error: Error) => error);
    await Bun.sleep(200);
    const started = Date.now();
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await slow).toBeInstanceOf(Error);
  });

  test("when a configuration value is invalid, then the process stops with one line naming the variable", async () => {
    const child = Bun.spawn(["bun", fixture], { env: { ...process.env, PORT: "not-a-port" }, stderr: "pipe", stdout: "pipe" });
    expect(await child.exited).toBe(1);
    const stderr = (await new Response(child.stderr).text()).trim();
    expect(stderr.split("\n")).toHaveLength(1);
    expect(stderr).toContain("PORT");
  });
});
