/**
 * Preloaded by `bun test` at the repository root (bunfig.toml), the fast inner loop:
 * 1. the fast suites run on the real PostgreSQL, Redis and RabbitMQ: say in one line which one is not reachable
 *    and how to start it, instead of letting dozens of tests time out one after another;
 * 2. run the test files side by side: bunfig.toml has no setting for `--parallel` (nor honours `timeout`), and the
 *    suites spend most of their time waiting on I/O, so the first `bun test` re-runs itself as
 *    `bun test --parallel=N --timeout=30000 <the same arguments>` and exits with its code.
 *    MERIDIAN_TEST_PARALLEL=1 runs the files one after another in one process.
 */
import { readFileSync } from "node:fs";
import { TEST_POSTGRES_URL, TEST_RABBITMQ_URL, TEST_REDIS_URL } from "../svc/kit/src/testing/core";

interface Dependency {
  name: string;
  url: string;
  defaultPort: number;
}

export const DEPENDENCIES: Dependency[] = [
  { name: "PostgreSQL", url: TEST_POSTGRES_URL, defaultPort: 5432 },
  { name: "Redis", url: TEST_REDIS_URL, defaultPort: 6379 },
  { name: "RabbitMQ", url: TEST_RABBITMQ_URL, defaultPort: 5672 },
];

/** Resolves true when a TCP connection to host:port opens within `timeoutMs`. */
export async function reachable(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const connect = Bun.connect({ hostname: host, port, socket: { data() {} } }).then(
    (socket) => {
      socket.end();
      return true;
    },
    () => false,
  );
  try {
    return await Promise.race([connect, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The dependencies that do not accept a connection, each with the address tried. */
export async function unreachableDependencies(dependencies = DEPENDENCIES): Promise<string[]> {
  const results = await Promise.all(
    dependencies.map(async (d) => {
      const url = new URL(d.url);
      const host = url.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1";
      const port = Number(url.port || d.defaultPort);
      return (await reachable(host, port)) ? undefined : `${d.name} (${host}:${port})`;
    }),
  );
  return results.filter((r): r is string => r !== undefined);
}

/** The arguments `bun test` was started with (process.argv names the first test file instead). */
function commandLineArguments(): string[] {
  try {
    return readFileSync("/proc/self/cmdline", "utf8").split("\0").filter(Boolean).slice(1);
  } catch {
    return ["test"];
  }
}

const TIMEOUT_MS = 30_000;

if (!process.env.MERIDIAN_TEST_ROOT_CHILD) {
  const missing = await unreachableDependencies();
  if (missing.length > 0) {
    console.error(
      `bun test: ${missing.join(", ")} not reachable — start the infrastructure with \`bun run infra\`, then run bun test again.`,
    );
    process.exit(1);
  }
  const args = commandLineArguments();
  const workers = Number(process.env.MERIDIAN_TEST_PARALLEL ?? 4);
  const flags = [
    ...(workers > 1 && !args.some((a) => a.startsWith("--parallel")) ? [`--parallel=${workers}`] : []),
    ...(args.some((a) => a.startsWith("--timeout")) ? [] : [`--timeout=${TIMEOUT_MS}`]),
  ];
  const child = Bun.spawnSync([process.execPath, "test", ...flags, ...args.slice(1)], {
    env: { ...process.env, MERIDIAN_TEST_ROOT_CHILD: "1" },
    stdio: ["inherit", "inherit", "inherit"],
  });
  process.exit(child.exitCode ?? 1);
}
