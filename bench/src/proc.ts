/** Child processes for benchmarks: start, wait until ready, sample CPU and RSS from /proc, stop. */
import { readFileSync } from "node:fs";
import { waitFor } from "@meridian/kit/testing";

// The benchmarks take free ports from the kit, like the tests.
export { freePort } from "@meridian/kit/testing";

export interface Child {
  pid: number;
  stop(): Promise<void>;
  exited: Promise<number>;
}

export function spawn(cmd: string[], env: Record<string, string> = {}, cwd?: string): Child {
  const proc = Bun.spawn(cmd, { env: { ...process.env, ...env }, stdout: "ignore", stderr: "ignore", cwd });
  return {
    pid: proc.pid,
    exited: proc.exited,
    async stop() {
      if (proc.exitCode !== null) return;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await proc.exited;
      clearTimeout(timer);
    },
  };
}

export async function waitReady(url: string, timeoutMs = 30_000): Promise<number> {
  const started = performance.now();
  await waitFor(async () => (await fetch(url).catch(() => undefined))?.ok, { timeoutMs, intervalMs: 20, what: url });
  return performance.now() - started;
}

/** Resident set size in MiB, from /proc/<pid>/status. */
export function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
  return line ? Math.round((Number(line[1]) / 1024) * 10) / 10 : NaN;
}

/** CPU seconds (user + system) so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100; // USER_HZ is 100 on Linux
}

/**
 * Machine-wide CPU jiffies from /proc/stat: busy (everything but idle and iowait), total, and the kernel's part of busy
 * (system, irq, softirq); plus context switches so far (`ctxt`). Kernel time and switches grow with round trips.
 */
export function machineCpu(): { busy: number; total: number; kernel: number; contextSwitches: number } {
  const stat = readFileSync("/proc/stat", "utf8");
  const fields = stat.split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const kernel = (fields[2] ?? 0) + (fields[5] ?? 0) + (fields[6] ?? 0);
  const contextSwitches = Number(/^ctxt (\d+)$/m.exec(stat)?.[1] ?? NaN);
  return { busy: total - idle, total, kernel, contextSwitches };
}
