/**
 * Helpers for tests that run against the real infrastructure of the machine:
 * fresh databases, bounded polling, unique names and the paths of the tools scripts/setup.sh installs.
 */
import { resolve } from "node:path";
import postgres from "postgres";

export const REPO_ROOT = resolve(import.meta.dir, "../../../..");

/** Admin connection used to create and drop per-test databases. */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const TEST_RABBITMQ_URL = process.env.RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672";
export const TEST_REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export function uniqueName(prefix: string): string {
  const safe = prefix.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  return `${safe}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database; `drop()` removes it even with open connections. */
export async function createTestDatabase(prefix = "test"): Promise<TestDatabase> {
  const name = uniqueName(`t_${prefix}`).slice(0, 63);
  const admin = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const sql = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await sql.end();
      }
    },
  };
}

export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Says what was awaited when the wait times out. */
  what?: string;
}

/** Polls `probe` until it returns a value other than undefined/false/null, or fails after the timeout. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value as T;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? `; last error: ${lastError.message}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what ?? "condition"}${reason}`);
    }
    await Bun.sleep(options.intervalMs ?? 50);
  }
}

/** Paths of the tools scripts/setup.sh installs (repo-local) or Debian provides. */
export const tools = {
  helm: resolve(REPO_ROOT, ".tools/bin/helm"),
  node24: resolve(REPO_ROOT, ".tools/node24/bin/node"),
  promtool: "/usr/bin/promtool",
  amtool: "/usr/bin/amtool",
  prometheus: "/usr/bin/prometheus",
  chromium: "/usr/bin/chromium",
  yamllint: "/usr/bin/yamllint",
  nginx: "/usr/sbin/nginx",
};

/** Chromium flags for this machine: headless as root, no background traffic to a closed network. */
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
