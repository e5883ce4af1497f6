import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { waitFor } from "@meridian/kit/testing";

describe("dev IdP process", () => {
  test("when started with `bun src/main.ts` on a free port, then discovery answers and SIGTERM stops it cleanly", async () => {
    const child = Bun.spawn(["bun", resolve(import.meta.dir, "../src/main.ts")], {
      env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info" },
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      const reader = child.stdout.getReader();
      let out = "";
      const issuer = await waitFor(
        async () => {
          const { value, done } = await reader.read();
          if (done) throw new Error(`exited early: ${out}`);
          out += new TextDecoder().decode(value);
          return out.match(/"discovery":"([^"]+)"/)?.[1];
        },
        { timeoutMs: 20_000, what: "the ready line" },
      );
      const res = await fetch(issuer);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as { issuer: string };
      expect(doc.issuer).toMatch(/^http:\/\/localhost:\d+\/realms\/meridian$/);
      reader.releaseLock();
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 90_000);
});
