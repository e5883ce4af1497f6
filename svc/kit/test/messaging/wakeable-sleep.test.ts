import { describe, expect, test } from "bun:test";
import { WakeableSleep } from "../../src/messaging/relay/wakeable-sleep";

describe("WakeableSleep", () => {
  test("when nothing wakes it, then the wait lasts its time", async () => {
    const started = performance.now();
    await new WakeableSleep().sleep(60);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  test("when woken during a wait, then the wait ends at once", async () => {
    const pause = new WakeableSleep();
    const started = performance.now();
    setTimeout(() => pause.wakeUp(), 10);
    await pause.sleep(5_000);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  test("when woken while nobody waits, then only the next wait returns at once (a NOTIFY during a batch is kept)", async () => {
    const pause = new WakeableSleep();
    pause.wakeUp();
    const first = performance.now();
    await pause.sleep(5_000);
    expect(performance.now() - first).toBeLessThan(1_000);
    const second = performance.now();
    await pause.sleep(60);
    expect(performance.now() - second).toBeGreaterThanOrEqual(55);
  });
});
