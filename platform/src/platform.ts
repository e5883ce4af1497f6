/**
 * Starts the platform's real processes — those of the service manifest (services.ts) — on loopback for end-to-end
 * tests, benchmarks and fault injection: fresh PostgreSQL databases, a RabbitMQ virtual host and Redis keys of its
 * own (so runs never see each other's messages or keys), free ports, a gateway route table rewritten to those ports.
 */
import { mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import Redis from "ioredis";
import { createTestDatabase, freePort, REPO_ROOT, TEST_POSTGRES_URL, TEST_REDIS_URL, uniqueName, waitFor, type TestDatabase } from "@meridian/kit/testing";
import { databaseNames, service, services, type ProcessName } from "../../services";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy";

export type { ProcessName };

/** A running copy of a process: its name, or `<name>#<n>` for the n-th replica (n ≥ 2). */
export type InstanceName = ProcessName | `${ProcessName}#${number}`;

/** The process an instance runs. */
export function processOf(instance: InstanceName): ProcessName {
  return instance.split("#")[0] as ProcessName;
}

/** The ports docs/design.md gives each process (from the manifest); gateway/ocelot.json refers to these. */
export const DESIGN_PORTS = Object.fromEntries(services.map((s) => [s.name, s.port])) as Record<ProcessName, number>;

/** What `startPlatform()` starts without a `processes` list: the manifest's default processes, in its order. */
export const DEFAULT_PROCESSES: ProcessName[] = services.filter((s) => s.default).map((s) => s.name);

export interface PlatformOptions {
  /** Processes to start, in order; dependencies first. Default: every service, the worker and the gateway. */
  processes?: ProcessName[];
  /** OIDC issuer the services and gateway trust. Default: the dev IdP, started first. */
  issuer?: string;
  /** Extra environment for every process, or per process. */
  env?: Record<string, string>;
  envFor?: Partial<Record<ProcessName, Record<string, string>>>;
  /**
   * Copies per process (default 1): the extra ones (`orders#2`, …) share the first one's queues and databases,
   * and the gateway balances its routes over all of them (RoundRobin).
   */
  replicas?: Partial<Record<ProcessName, number>>;
  readyTimeoutMs?: number;
  /** Where the processes' logs and the rewritten route table go. Default: `.run/platform/<id>` in the repository. */
  logDir?: string;
  /**
   * Puts a TCP proxy of this run between the services and PostgreSQL, so fault tests can make PostgreSQL refuse
   * connections (`platform.postgresProxy.refuse()`) without touching the machine's server. Default false.
   * `databases.*.url` stay direct (for the test's own queries); the services get the proxied URL.
   */
  postgresProxy?: boolean;
  /**
   * The same for RabbitMQ (`platform.rabbitmqProxy`): refuse connections, or degrade the link with latency and
   * loss (`impair`). Default false.
   */
  rabbitmqProxy?: boolean;
}

export interface PlatformProcess {
  name: InstanceName;
  port: number;
  url: string;
  pid: number | undefined;
  log: string;
}

export interface Platform {
  id: string;
  issuer: string;
  gatewayUrl: string;
  /** The processes' logs (`<name>.log`) and the route table of this run. */
  logDir: string;
  rabbitmqUrl: string;
  redisUrl: string;
  /** Every Redis key this run's processes write starts with it (notifications: `<prefix>notif:`). */
  redisKeyPrefix: string;
  /** One fresh database per logical name of the manifest (orders, inventory, audit, …). */
  databases: Record<string, TestDatabase> & Record<"orders" | "inventory" | "audit", TestDatabase>;
  /** The proxy between the services and PostgreSQL (only with `postgresProxy: true`). */
  postgresProxy?: TcpProxy;
  /** The proxy between the services and RabbitMQ (only with `rabbitmqProxy: true`). */
  rabbitmqProxy?: TcpProxy;
  processes: Map<InstanceName, PlatformProcess>;
  url(name: InstanceName): string;
  /** Sends a signal (default SIGKILL) and waits for the process to exit. */
  kill(name: InstanceName, signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts a stopped process again with the same port and environment and waits until it is ready. */
  start(name: InstanceName): Promise<void>;
  stop(): Promise<void>;
}


async function rabbitmqctl(...args: string[]): Promise<string> {
  const child = Bun.spawn(["rabbitmqctl", "-q", ...args], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`rabbitmqctl ${args.join(" ")} failed (${code}): ${err.trim() || out.trim()}`);
  return out;
}

/**
 * Rewrites the route table's downstream ports (design ports) to the ports of this run; a process with several
 * replicas gets all of them, balanced RoundRobin (unless the route names its own load balancer).
 */
export function rewriteRoutes(routeFile: string, ports: Partial<Record<ProcessName, number | number[]>>): string {
  const table = JSON.parse(readFileSync(routeFile, "utf8")) as {
    Routes?: Array<{ DownstreamHostAndPorts?: Array<{ Host: string; Port: number }>; LoadBalancerOptions?: { Type?: string } }>;
  };
  const byDesignPort = new Map<number, number[]>();
  for (const [name, port] of Object.entries(ports)) byDesignPort.set(DESIGN_PORTS[name as ProcessName], ([] as number[]).concat(port!));
  for (const route of table.Routes ?? []) {
    const rewritten = (route.DownstreamHostAndPorts ?? []).flatMap((hp) => {
      const runPorts = byDesignPort.get(hp.Port);
      return runPorts ? runPorts.map((port) => ({ ...hp, Host: "127.0.0.1", Port: port })) : [hp];
    });
    if (rewritten.length > (route.DownstreamHostAndPorts ?? []).length && !route.LoadBalancerOptions?.Type) {
      route.LoadBalancerOptions = { ...route.LoadBalancerOptions, Type: "RoundRobin" };
    }
    if (route.DownstreamHostAndPorts) route.DownstreamHostAndPorts = rewritten;
  }
  return JSON.stringify(table, null, 2);
}

export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const id = uniqueName("platform");
  const dir = options.logDir ?? resolve(REPO_ROOT, ".run/platform", id);
  mkdirSync(dir, { recursive: true });
  const wanted = options.processes ?? DEFAULT_PROCESSES;
  const useDevIdp = !options.issuer;
  const names: ProcessName[] = useDevIdp && !wanted.includes("dev-idp") ? ["dev-idp", ...wanted] : wanted;

  const instances: InstanceName[] = names.flatMap((name) => [
    name,
    ...Array.from({ length: Math.max(0, (options.replicas?.[name] ?? 1) - 1) }, (_, i): InstanceName => `${name}#${i + 2}`),
  ]);
  const ports = {} as Record<InstanceName, number>;
  for (const name of instances) ports[name] = await freePort();
  const portsOf = (name: ProcessName) => instances.filter((i) => processOf(i) === name).map((i) => ports[i]);
  const issuer = options.issuer ?? `http://localhost:${ports["dev-idp"]}/realms/meridian`;

  // Isolation: a vhost, databases and a Redis database of this run's own.
  await rabbitmqctl("add_vhost", id);
  await rabbitmqctl("set_permissions", "-p", id, "guest", ".*", ".*", ".*");
  const rabbitmqUrl = `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(id)}`;
  // Redis keys of this run start with its id (a shared database, so no FLUSHDB: other runs may be live).
  const redisUrl = TEST_REDIS_URL;
  const redisKeyPrefix = `${id}:`;
  const created = await Promise.all(databaseNames.map(async (name) => [name, await createTestDatabase(name)] as const));
  const databases = Object.fromEntries(created) as Platform["databases"];
  const pgTarget = new URL(TEST_POSTGRES_URL);
  const postgresProxy = options.postgresProxy
    ? await startTcpProxy({ host: pgTarget.hostname, port: Number(pgTarget.port || 5432) })
    : undefined;
  const rabbitmqProxy = options.rabbitmqProxy ? await startTcpProxy({ host: "127.0.0.1", port: 5672 }) : undefined;
  const serviceRabbitmqUrl = rabbitmqProxy ? `amqp://guest:guest@127.0.0.1:${rabbitmqProxy.port}/${encodeURIComponent(id)}` : rabbitmqUrl;
  /** The URL a service connects with: through the proxy when there is one. */
  const serviceDbUrl = (database: TestDatabase): string => {
    if (!postgresProxy) return database.url;
    const url = new URL(database.url);
    url.hostname = "127.0.0.1";
    url.port = String(postgresProxy.port);
    return url.toString();
  };

  const routesFile = resolve(dir, "ocelot.json");
  writeFileSync(routesFile, rewriteRoutes(resolve(REPO_ROOT, "gateway/ocelot.json"), Object.fromEntries(names.map((n) => [n, portsOf(n)]))));

  const common: Record<string, string> = {
    HOST: "127.0.0.1",
    LOG_LEVEL: process.env.PLATFORM_LOG_LEVEL ?? "info",
    OIDC_ISSUER: issuer,
    OIDC_AUDIENCE: "meridian-api",
    RABBITMQ_URL: serviceRabbitmqUrl,
    REDIS_URL: redisUrl,
    ORDERS_STORE: "postgres",
    SHUTDOWN_GRACE_MS: "3000",
    ...options.env,
  };
  /** The manifest's databases of a process, as the variables it reads them from. */
  const databaseEnv = (name: ProcessName): Record<string, string> =>
    Object.fromEntries(service(name).databases.map((d) => [d.env, serviceDbUrl(databases[d.name]!)]));
  // Values of this run for the variables the manifest says a process needs.
  const perProcess: Record<ProcessName, Record<string, string>> = {
    "dev-idp": { DEV_IDP_LOOPBACK_ANY_PORT: "true" }, // the BFF and SPAs run on free ports here
    orders: databaseEnv("orders"),
    inventory: databaseEnv("inventory"),
    "inventory-worker": databaseEnv("inventory-worker"),
    notifications: { NOTIFICATIONS_KEY_PREFIX: `${redisKeyPrefix}notif:` },
    audit: databaseEnv("audit"),
    gateway: { GATEWAY_ROUTES: routesFile },
    "admin-bff": {
      ADMIN_CLIENT_SECRET: "local-dev-only-admin-console-secret",
      BFF_PUBLIC_URL: `http://localhost:${ports["admin-bff"]}`,
      GATEWAY_URL: `http://127.0.0.1:${ports.gateway ?? DESIGN_PORTS.gateway}`,
    },
  };

  const processes = new Map<InstanceName, PlatformProcess>();
  const children = new Map<InstanceName, ReturnType<typeof Bun.spawn>>();
  const readyTimeoutMs = options.readyTimeoutMs ?? 45_000;

  const readyUrl = (name: InstanceName) =>
    name === "dev-idp" ? `${issuer}/.well-known/openid-configuration` : `http://127.0.0.1:${ports[name]}${service(processOf(name)).readyPath}`;

  async function start(name: InstanceName): Promise<void> {
    const base = processOf(name);
    const log = resolve(dir, `${name.replace("#", "-")}.log`);
    const fd = openSync(log, "a");
    const child = Bun.spawn(["bun", service(base).entry], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...common,
        ...perProcess[base],
        ...options.envFor?.[base],
        PORT: String(ports[name]),
        OTEL_SERVICE_NAME: base,
      },
      stdout: fd,
      stderr: fd,
    });
    children.set(name, child);
    processes.set(name, { name, port: ports[name]!, url: `http://127.0.0.1:${ports[name]}`, pid: child.pid, log });
    // Ready, or failed fast: a process that exits while starting ends the wait at once with its last log lines
    // (waitFor alone would swallow the "exited" error and wait out the whole ready timeout).
    let settled = false;
    const exited = child.exited.then((code) => {
      if (settled) return;
      const tail = readFileSync(log, "utf8").split("\n").slice(-30).join("\n");
      throw new Error(`${name} exited with ${code ?? child.signalCode} while starting; last lines of ${log}:\n${tail}`);
    });
    const ready = waitFor(async () => settled || (await fetch(readyUrl(name)).catch(() => undefined))?.ok, {
      timeoutMs: readyTimeoutMs,
      intervalMs: 100,
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

  async function kill(name: InstanceName, signal: NodeJS.Signals = "SIGKILL"): Promise<number | null> {
    const child = children.get(name);
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const code = await child.exited;
    clearTimeout(timer);
    return code;
  }

  async function stop(): Promise<void> {
    await Promise.all([...children.keys()].reverse().map((name) => kill(name, "SIGTERM")));
    await postgresProxy?.close();
    await rabbitmqProxy?.close();
    await Promise.allSettled(Object.values(databases).map((d) => d.drop()));
    await rabbitmqctl("delete_vhost", id).catch(() => undefined);
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis
      .connect()
      .then(async () => {
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", `${redisKeyPrefix}*`, "COUNT", 500);
          if (keys.length) await redis.del(...keys);
          cursor = next;
        } while (cursor !== "0");
      })
      .catch(() => undefined);
    redis.disconnect();
  }

  try {
    for (const name of instances) await start(name);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    id,
    issuer,
    gatewayUrl: `http://127.0.0.1:${ports.gateway ?? 0}`,
    logDir: dir,
    rabbitmqUrl,
    redisUrl,
    redisKeyPrefix,
    databases,
    ...(postgresProxy ? { postgresProxy } : {}),
    ...(rabbitmqProxy ? { rabbitmqProxy } : {}),
    processes,
    url: (name) => `http://127.0.0.1:${ports[name]}`,
    kill,
    start,
    stop,
  };
}
