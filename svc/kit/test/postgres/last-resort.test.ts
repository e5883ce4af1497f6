import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";

async function runChild(mode: "connection" | "unknown"): Promise<{ code: number; out: string }> {
  const child = Bun.spawn(["bun", resolve(import.meta.dir, "../fixtures/last-resort-child.ts"), mode], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, out: out + err };
}

describe("last-resort guard", () => {
  test("when a dropped database connection escapes every handler, then the process logs it and keeps running", async () => {
    const { code, out } = await runChild("connection");
    expect(out).toContain("connection error outside any request survived");
    expect(out).toContain("STILL RUNNING");
    expect(code).toBe(0);
  });

  test("when an unknown error escapes, then the process logs it as fatal, stops cleanly and exits 1", async () => {
    const { code, out } = await runChild("unknown");
    expect(out).toContain("unknown error outside any request");
    expect(out).toContain("STOPPED CLEANLY");
    expect(out).not.toContain("STILL RUNNING");
    expect(code).toBe(1);
  });
});
