/** A platform process started the way operators start it (`bun <entry>`), for tests that need a real child process. */
import { resolve } from "node:path";
import type { Subprocess } from "bun";
import { REPO_ROOT, waitFor } from "./core";

/** A loopback port that was free a moment ago (bound, then released). */
export async function freePort(): Promise<number> {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port as number;
  await probe.stop(true);
  return port;
}

export interface ServiceProcessOptions {
  /** Entry file relative to the repository root (e.g. `svc/<name>/src/main.ts`), run from the root. */
  entry: string;
  /** Variables on top of this process's environment; PORT and HOST (127.0.0.1) are set here. */
  env?: Record<string, string | undefined>;
  /** Default: a free port. */
  port?: number;
  /** Answers 200 once the process is ready (default `/health/ready`). */
  readyPath?: string;
  /** How long it may take to become ready (default 30 s). */
  timeoutMs?: number;
  /** `inherit` shows the child's output in the test log; `quiet` (default) drops stdout and keeps stderr for the error. */
  output?: "inherit" | "quiet";
}

export interface ServiceProcess {
  process: Subprocess;
  port: number;
  url: string;
  /** SIGKILL: no shutdown hooks run. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
  stop(): Promise<void>;
}

/** Spawns `bun <entry>` on a loopback port and waits until `readyPath` answers; fails early if the process exits. */
export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const port = options.port ?? (await freePort());
  const inherit = options.output === "inherit";
  const child = Bun.spawn(["bun", resolve(REPO_ROOT, options.entry)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env, PORT: String(port), HOST: "127.0.0.1" },
    stdout: inherit ? "inherit" : "ignore",
    stderr: inherit ? "inherit" : "pipe",
  });
  const url = `http://127.0.0.1:${port}`;
  let settled = false;
  const ready = waitFor(async () => settled || (await fetch(`${url}${options.readyPath ?? "/health/ready"}`).catch(() => undefined))?.ok, {
    timeoutMs: options.timeoutMs ?? 30_000,
    intervalMs: 100,
    what: `${options.entry} ready on ${url}`,
  });
  const exitedEarly = child.exited.then(async (code) => {
    if (settled) return;
    const stderr = child.stderr instanceof ReadableStream ? `: ${await new Response(child.stderr).text()}` : "";
    throw new Error(`${options.entry} exited with ${code} before it was ready${stderr}`);
  });
  try {
    await Promise.race([ready, exitedEarly]);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  } finally {
    settled = true;
    ready.catch(() => {});
    exitedEarly.catch(() => {});
  }
  return {
    process: child,
    port,
    url,
    async kill() {
      child.kill("SIGKILL");
      await child.exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(10_000).then(() => false)]);
      if (!exited) {
        child.kill("SIGKILL");
        await child.exited;
      }
    },
  };
}
