/**
 * Starts the platform's real processes — those of the service manifest (services.ts) — on loopback for end-to-end
 * tests, benchmarks and fault injection: resources of the run's own (resources.ts), free ports, a gateway route
 * table rewritten to those ports, the processes started in the manifest's order (processes.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, REPO_ROOT, uniqueName, type TestDatabase } from "@meridian/kit/testing";
import { bundleWorkspace } from "../../scripts/bundle";
import { service, services, type ProcessName } from "../../services";
import { PlatformProcesses, processOf, type InstanceName, type PlatformProcess } from "./processes";
import { provisionResources, type RunResources } from "./resources";
import type { TcpProxy } from "./tcp-proxy";

export type { ProcessName };
export { processOf, type InstanceName, type PlatformProcess } from "./processes";

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
  /** How often readiness is asked for while a process starts (ms). Default 100; the startup benchmark asks more often. */
  readyPollMs?: number;
  /**
   * Runs each process's production bundle (scripts/bundle.ts, what its image runs) instead of its sources, from its
   * workspace folder as the image does. The bundles are built when the platform starts, into a temporary folder that
   * stop() removes. Default false.
   */
  bundled?: boolean;
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
  const names: ProcessName[] = !options.issuer && !wanted.includes("dev-idp") ? ["dev-idp", ...wanted] : wanted;
  const instances: InstanceName[] = names.flatMap((name) => [
    name,
    ...Array.from({ length: Math.max(0, (options.replicas?.[name] ?? 1) - 1) }, (_, i): InstanceName => `${name}#${i + 2}`),
  ]);
  const launcher = await launcherOf(names, options.bundled ?? false);
  const ports = {} as Record<InstanceName, number>;
  for (const name of instances) ports[name] = await freePort();
  const issuer = options.issuer ?? `http://localhost:${ports["dev-idp"]}/realms/meridian`;
  const resources = await provisionResources(id, { postgres: options.postgresProxy, rabbitmq: options.rabbitmqProxy }).catch(
    (error: unknown) => {
      launcher.cleanup();
      throw error;
    },
  );
  const routesFile = resolve(dir, "ocelot.json");
  const portsOf = (name: ProcessName) => instances.filter((i) => processOf(i) === name).map((i) => ports[i]!);
  writeFileSync(
    routesFile,
    rewriteRoutes(resolve(REPO_ROOT, "gateway/ocelot.json"), Object.fromEntries(names.map((n) => [n, portsOf(n)]))),
  );
  const environment = environmentOf({ options, issuer, resources, routesFile, ports });
  const children = new PlatformProcesses({
    logDir: dir,
    ports,
    environment: (name) => environment(processOf(name)),
    readyUrl: (name) =>
      name === "dev-idp"
        ? `${issuer}/.well-known/openid-configuration`
        : `http://127.0.0.1:${ports[name]}${service(processOf(name)).readyPath}`,
    readyTimeoutMs: options.readyTimeoutMs ?? 45_000,
    readyPollMs: options.readyPollMs ?? 100,
    launch: launcher.launch,
  });
  const stop = async () => {
    await children.stopAll();
    await resources.release();
    launcher.cleanup();
  };
  try {
    for (const name of instances) await children.start(name);
  } catch (error) {
    await stop();
    throw error;
  }
  const { postgresProxy, rabbitmqProxy } = resources;
  return {
    id,
    issuer,
    gatewayUrl: `http://127.0.0.1:${ports.gateway ?? 0}`,
    logDir: dir,
    rabbitmqUrl: resources.rabbitmqUrl,
    redisUrl: resources.redisUrl,
    redisKeyPrefix: resources.redisKeyPrefix,
    databases: resources.databases,
    ...(postgresProxy ? { postgresProxy } : {}),
    ...(rabbitmqProxy ? { rabbitmqProxy } : {}),
    processes: children.processes,
    url: (name) => `http://127.0.0.1:${ports[name]}`,
    kill: (name, signal) => children.kill(name, signal),
    start: (name) => children.start(name),
    stop,
  };
}

/** What each process runs: its entry from the repository root, or its bundle (built here) from its workspace folder. */
async function launcherOf(
  names: ProcessName[],
  bundled: boolean,
): Promise<{ launch: (name: ProcessName) => { entry: string; cwd: string }; cleanup: () => void }> {
  if (!bundled) return { launch: (name) => ({ entry: service(name).entry, cwd: REPO_ROOT }), cleanup: () => {} };
  const dir = mkdtempSync(join(tmpdir(), "meridian-bundles-"));
  const entries = new Map<ProcessName, string>();
  try {
    for (const name of names)
      entries.set(name, (await bundleWorkspace(resolve(REPO_ROOT, service(name).workspace), join(dir, name))).entry);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    launch: (name) => ({ entry: entries.get(name)!, cwd: resolve(REPO_ROOT, service(name).workspace) }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The environment of each process: the common set, then this run's values for what the manifest says it needs. */
function environmentOf(run: {
  options: PlatformOptions;
  issuer: string;
  resources: RunResources;
  routesFile: string;
  ports: Record<InstanceName, number>;
}): (name: ProcessName) => Record<string, string> {
  const { options, resources, ports } = run;
  const common: Record<string, string> = {
    HOST: "127.0.0.1",
    LOG_LEVEL: process.env.PLATFORM_LOG_LEVEL ?? "info",
    OIDC_ISSUER: run.issuer,
    OIDC_AUDIENCE: "meridian-api",
    RABBITMQ_URL: resources.serviceRabbitmqUrl,
    REDIS_URL: resources.redisUrl,
    ORDERS_STORE: "postgres",
    SHUTDOWN_GRACE_MS: "3000",
    ...options.env,
  };
  // The manifest's databases of a process, as the variables it reads them from.
  const databaseEnv = (name: ProcessName): Record<string, string> =>
    Object.fromEntries(service(name).databases.map((d) => [d.env, resources.serviceDbUrl(resources.databases[d.name]!)]));
  const special: Partial<Record<ProcessName, Record<string, string>>> = {
    "dev-idp": { DEV_IDP_LOOPBACK_ANY_PORT: "true" }, // the BFF and SPAs run on free ports here
    notifications: { NOTIFICATIONS_KEY_PREFIX: `${resources.redisKeyPrefix}notif:` },
    gateway: { GATEWAY_ROUTES: run.routesFile },
    "admin-bff": {
      ADMIN_CLIENT_SECRET: "local-dev-only-admin-console-secret",
      BFF_PUBLIC_URL: `http://localhost:${ports["admin-bff"]}`,
      GATEWAY_URL: `http://127.0.0.1:${ports.gateway ?? DESIGN_PORTS.gateway}`,
    },
  };
  return (name) => ({ ...common, ...databaseEnv(name), ...special[name], ...options.envFor?.[name] });
}
