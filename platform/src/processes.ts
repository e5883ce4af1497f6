/**
 * The run's child processes: each instance started as `bun <entry>` (its sources, or its bundle) with its environment
 * and port, its output in `<instance>.log`; start waits until it is ready or fails at once (with the log's last lines)
 * when it exits first.
 */
import { openSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { waitFor } from "@meridian/kit/testing";
import type { ProcessName } from "../../services";

/** A running copy of a process: its name, or `<name>#<n>` for the n-th replica (n ≥ 2). */
export type InstanceName = ProcessName | `${ProcessName}#${number}`;

/** The process an instance runs. */
export function processOf(instance: InstanceName): ProcessName {
  return instance.split("#")[0] as ProcessName;
}

export interface PlatformProcess {
  name: InstanceName;
  port: number;
  url: string;
  pid: number | undefined;
  log: string;
}

export interface ProcessSettings {
  logDir: string;
  ports: Record<InstanceName, number>;
  /** The environment of an instance (without PORT). */
  environment: (instance: InstanceName) => Record<string, string>;
  readyUrl: (instance: InstanceName) => string;
  readyTimeoutMs: number;
  /** How often readiness is asked for while starting (ms). */
  readyPollMs: number;
  /** What a process runs: `bun <entry>` in `cwd`. */
  launch: (name: ProcessName) => { entry: string; cwd: string };
}

export class PlatformProcesses {
  readonly processes = new Map<InstanceName, PlatformProcess>();
  private readonly children = new Map<InstanceName, ReturnType<typeof Bun.spawn>>();

  constructor(private readonly settings: ProcessSettings) {}

  /** Starts `name` (again) with its port and environment and waits until it is ready. */
  async start(name: InstanceName): Promise<void> {
    const { ports } = this.settings;
    const log = resolve(this.settings.logDir, `${name.replace("#", "-")}.log`);
    const fd = openSync(log, "a");
    const { entry, cwd } = this.settings.launch(processOf(name));
    const child = Bun.spawn(["bun", entry], {
      cwd,
      env: { ...process.env, ...this.settings.environment(name), PORT: String(ports[name]), OTEL_SERVICE_NAME: processOf(name) },
      stdout: fd,
      stderr: fd,
    });
    this.children.set(name, child);
    this.processes.set(name, { name, port: ports[name]!, url: `http://127.0.0.1:${ports[name]}`, pid: child.pid, log });
    // Ready, or failed fast: a process that exits while starting ends the wait at once with its last log lines
    // (waitFor alone would swallow the "exited" error and wait out the whole ready timeout).
    let settled = false;
    const exited = child.exited.then((code) => {
      if (settled) return;
      const tail = readFileSync(log, "utf8").split("\n").slice(-30).join("\n");
      throw new Error(`${name} exited with ${code ?? child.signalCode} while starting; last lines of ${log}:\n${tail}`);
    });
    const ready = waitFor(async () => settled || (await fetch(this.settings.readyUrl(name)).catch(() => undefined))?.ok, {
      timeoutMs: this.settings.readyTimeoutMs,
      intervalMs: this.settings.readyPollMs,
      what: `${name} to be ready (log: ${log})`,
    });
    try {
      await Promise.race([ready, exited]);
    } finally {
      settled = true;
      exited.catch(() => {});
      ready.catch(() => {});
    }
  }

  /** Sends a signal (default SIGKILL) and waits for the process to exit (SIGKILL after 10 s). */
  async kill(name: InstanceName, signal: NodeJS.Signals = "SIGKILL"): Promise<number | null> {
    const child = this.children.get(name);
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const code = await child.exited;
    clearTimeout(timer);
    return code;
  }

  /** SIGTERM to every instance, the last started first. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.children.keys()].reverse().map((name) => this.kill(name, "SIGTERM")));
  }
}
