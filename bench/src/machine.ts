/** What the numbers were measured on: every result states it. */
import { cpus, loadavg, totalmem } from "node:os";

export interface MachineInfo {
  cores: number;
  cpu: string;
  memoryGiB: number;
  bun: string;
  kernel: string;
  measuredAt: string;
  /** 1-minute load average when the run started: the machine may be shared, read the numbers with it. */
  loadAverage?: number;
}

export function machineInfo(): MachineInfo {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    bun: Bun.version,
    kernel: `${process.platform} ${require("node:os").release()}`,
    measuredAt: new Date().toISOString(),
    loadAverage: Math.round(loadavg()[0]! * 10) / 10,
  };
}
