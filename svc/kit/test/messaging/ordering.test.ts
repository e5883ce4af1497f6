import { describe, expect, test } from "bun:test";
import { OrderingKeys } from "../../src/messaging/consumer/ordering";

describe("ordering keys", () => {
  test("when work of one key is submitted while earlier work runs, then it runs after it, in submission order; other keys run alongside", async () => {
    const keys = new OrderingKeys();
    const log: string[] = [];
    const step = (name: string, ms: number) => async () => {
      log.push(`${name}:start`);
      await Bun.sleep(ms);
      log.push(`${name}:end`);
    };
    await Promise.all([
      keys.run("a", step("a1", 30)),
      keys.run("a", step("a2", 1)),
      keys.run("b", step("b1", 5)),
      keys.run(undefined, step("free", 1)),
    ]);
    expect(log.indexOf("a2:start")).toBeGreaterThan(log.indexOf("a1:end"));
    expect(log.indexOf("b1:start")).toBeLessThan(log.indexOf("a1:end"));
    expect(log.indexOf("free:start")).toBeLessThan(log.indexOf("a1:end"));
    expect(keys.active).toBe(0);
  });

  test("when earlier work of a key fails, then the next work of that key still runs", async () => {
    const keys = new OrderingKeys();
    const failing = keys.run("k", async () => {
      throw new Error("boom");
    });
    const next = keys.run("k", async () => {});
    await expect(failing).rejects.toThrow("boom");
    await next;
    expect(keys.active).toBe(0);
  });
});
