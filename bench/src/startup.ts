/**
 * Per service: time from process start to ready, the CPU it used until ready, and idle RSS once ready — for the entry
 * its image runs (the production bundle, scripts/bundle.ts) and, beside it, for its sources (what the image ran
 * before the bundle). Both as the image runs them: the transpiler cache off, NODE_ENV=production.
 */
import { startPlatform, type ProcessName } from "@meridian/platform";
import { cpuSeconds, rssMiB } from "./proc";

export type StartupEntry = "bundle" | "sources";

export interface StartupResult {
  service: ProcessName;
  /** What was started: the bundle the image runs, or `bun src/main.ts` (absent in results before the bundle). */
  entry?: StartupEntry;
  /** Median of the rounds. */
  readyMs: number;
  /** CPU the process used from its start until ready (ms, median): its own cost, whatever else the machine runs. */
  startCpuMs?: number;
  idleRssMiB: number;
}

const MEASURED: ProcessName[] = ["inventory", "inventory-worker", "orders", "notifications", "audit", "gateway"];
/** Restarts per service and entry: the median damps a shared machine's noise. */
const ROUNDS = 3;
/** The image's environment that bears on start-up (Dockerfile, stage runtime). */
const IMAGE_ENV = { NODE_ENV: "production", BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0" };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function startup(): Promise<StartupResult[]> {
  return [...(await startupOf("bundle")), ...(await startupOf("sources"))];
}

async function startupOf(entry: StartupEntry): Promise<StartupResult[]> {
  // Readiness asked for every 10 ms: the platform's default 100 ms would round start-up times up by as much.
  const envFor = Object.fromEntries(MEASURED.map((name) => [name, IMAGE_ENV]));
  const platform = await startPlatform({ bundled: entry === "bundle", envFor, readyPollMs: 10 });
  const results: StartupResult[] = [];
  try {
    for (const service of MEASURED) {
      const ready: number[] = [];
      const cpu: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // A warm restart (databases migrated, caches of the OS filled): what an operator sees on a rollout.
        await platform.kill(service, "SIGTERM");
        const started = performance.now();
        await platform.start(service);
        ready.push(performance.now() - started);
        cpu.push(cpuSeconds(platform.processes.get(service)!.pid!) * 1000);
      }
      await Bun.sleep(2000); // let start-up garbage be collected before sampling idle memory
      const pid = platform.processes.get(service)!.pid!;
      results.push({ service, entry, readyMs: Math.round(median(ready)), startCpuMs: Math.round(median(cpu)), idleRssMiB: rssMiB(pid) });
    }
  } finally {
    await platform.stop();
  }
  return results;
}
