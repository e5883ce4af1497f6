/** Per service: time from process start to ready, and idle RSS once ready. */
import { startPlatform, type ProcessName } from "@meridian/platform";
import { cpuSeconds, rssMiB } from "./proc";

export interface StartupResult {
  service: ProcessName;
  readyMs: number;
  /** CPU the process used from its start until ready (ms): what start-up costs, whatever else the machine runs. */
  startCpuMs?: number;
  idleRssMiB: number;
}

const MEASURED: ProcessName[] = ["inventory", "inventory-worker", "orders", "notifications", "audit", "gateway"];

export async function startup(): Promise<StartupResult[]> {
  const platform = await startPlatform();
  const results: StartupResult[] = [];
  try {
    for (const service of MEASURED) {
      // A warm restart (databases migrated, caches of the OS filled): what an operator sees on a rollout.
      await platform.kill(service, "SIGTERM");
      const started = performance.now();
      await platform.start(service);
      const readyMs = Math.round(performance.now() - started);
      const pid = platform.processes.get(service)!.pid!;
      const startCpuMs = Math.round(cpuSeconds(pid) * 1000);
      await Bun.sleep(2000); // let start-up garbage be collected before sampling idle memory
      results.push({ service, readyMs, startCpuMs, idleRssMiB: rssMiB(pid) });
    }
  } finally {
    await platform.stop();
  }
  return results;
}
