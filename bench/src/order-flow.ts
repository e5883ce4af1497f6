/**
 * Order flow: orders placed through the gateway (wrk, a separate C process) at increasing concurrency until the
 * throughput stops growing, and for every order of a step the time from OrderCreated (the order's createdAt) to
 * its confirmation (orders' updatedAt when it became confirmed) and to its audit entries (the audit's recording
 * time of the OrderCreated and OrderConfirmed events). CPU and RSS per platform process from /proc.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { startTestIssuer, TEST_POSTGRES_URL, waitFor } from "@meridian/kit/testing";
import { startPlatform, type Platform, type ProcessName } from "@meridian/platform";
import { summarizeProfile, type ProfileSummary } from "./cpu-profile";
import {
  databaseCounters,
  messageCounters,
  sampleInfraCpu,
  tableScans,
  type DatabaseCounters,
  type InfraCpu,
  type MessageCounters,
} from "./infra-usage";
import { seedCatalogue, tokensFor } from "./platform-client";
import { cpuSeconds, machineCpu, rssMiB } from "./proc";
import { logStatements } from "./statement-log";
import { isolatedOrders, type IsolatedOrders } from "./isolated-orders";
import { wrk, type LoadResult } from "./wrk";
import { percentiles, type Percentiles } from "./percentiles";

export interface ProcessUsage {
  /** Average CPU while the load ran (100 = one core). */
  cpuPercent: number;
  /** CPU time per confirmed order, from the start of the load until the step's backlog drained. */
  cpuMsPerOrder: number;
  rssMiBMax: number;
}

export interface OrderFlowStep {
  connections: number;
  seconds: number;
  http: LoadResult;
  /** Orders the platform created in this step (201s), per second of load. */
  placedPerSecond: number;
  /** After the load stopped: seconds until every order of the step was settled and audited. */
  drainSeconds: number;
  statuses: Record<string, number>;
  createdToConfirmed: Percentiles;
  createdToAuditedCreated: Percentiles;
  createdToAuditedConfirmed: Percentiles;
  processes: Partial<Record<ProcessName, ProcessUsage>>;
  /** The whole machine's CPU use while the load ran (100 = all cores), PostgreSQL, RabbitMQ and other tenants included. */
  machineCpuPercent: number;
  /** The kernel's share (system, irq, softirq) of the machine's busy CPU while the load ran, %. */
  machineKernelPercent?: number;
  /** Machine-wide context switches per order placed while the load ran (every wake-up of a process costs one). */
  contextSwitchesPerOrder?: number;
  /** 1-minute load average at the step's start (the machine is shared). */
  loadAverage?: number;
  /** CPU ms per confirmed order of PostgreSQL and RabbitMQ, from load start until drained (see infra-usage.ts). */
  infraCpuMsPerOrder?: InfraCpu;
  /** Sum of the platform's processes and PostgreSQL's backends of its databases, ms per confirmed order. */
  attributedCpuMsPerOrder?: number;
  /** Per confirmed order, per database (orders, inventory, audit): transactions, rows written, table scans. */
  databasePerOrder?: Record<string, DatabaseCounters>;
  /** Per confirmed order, per process: messages published (confirmed by the broker) and consumed. */
  messagesPerOrder?: Partial<Record<ProcessName, MessageCounters>>;
}

export interface OrderFlowResult {
  products: number;
  stockPerProduct: number;
  linesPerOrder: number;
  logLevel: string;
  steps: OrderFlowStep[];
  /** Orders placed one at a time on the idle platform, before the load steps. */
  isolated?: IsolatedOrders;
  saturatedAt: number | null;
  bestPlacedPerSecond: number;
  /** CPU profiles (`bun --cpu-prof`) of orders, inventory-worker and audit under a further step of load. */
  profiles?: {
    connections: number;
    seconds: number;
    byProcess: Partial<Record<ProcessName, ProfileSummary>>;
    /** Statements per confirmed order per database (orders, inventory, audit), from PostgreSQL's log; absent if unreadable. */
    statementsPerOrder?: Record<string, number>;
  };
}

const MEASURED: ProcessName[] = ["gateway", "orders", "inventory-worker", "audit", "notifications", "inventory"];
const PRODUCTS = 50;
const STOCK = 1_000_000;

/** Customers the load is spread over: many, as in production (the orders route limits each subject's rate). */
const CUSTOMERS = 16;

function luaScript(tokens: string[], skus: string[], run: string): string {
  return `
local skus = { ${skus.map((s) => `"${s}"`).join(", ")} }
local tokens = { ${tokens.map((t) => `"${t}"`).join(", ")} }
local counter = 0
local thread_no = 0
local threads = 0
function setup(thread)
  thread:set("thread_no", threads)
  threads = threads + 1
end
function init(args)
  math.randomseed(os.time() + thread_no * 7919)
end
function request()
  counter = counter + 1
  local sku = skus[math.random(#skus)]
  local body = '{"lines":[{"sku":"' .. sku .. '","quantity":1}]}'
  return wrk.format("POST", "/orders", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1],
    ["Idempotency-Key"] = "${run}-" .. thread_no .. "-" .. counter
  }, body)
end
`;
}

interface Sampler {
  stop(): Record<string, { cpu: number; rssMax: number }>;
}

/** Samples RSS every 500 ms and CPU at start and stop, per process. */
function sample(platform: Platform): Sampler {
  const pids = new Map<ProcessName, number>();
  for (const name of MEASURED) {
    const pid = platform.processes.get(name)?.pid;
    if (pid) pids.set(name, pid);
  }
  const cpuStart = new Map([...pids].map(([n, pid]) => [n, cpuSeconds(pid)]));
  const rssMax = new Map([...pids].map(([n, pid]) => [n, rssMiB(pid)]));
  const timer = setInterval(() => {
    for (const [n, pid] of pids) rssMax.set(n, Math.max(rssMax.get(n) ?? 0, rssMiB(pid)));
  }, 500);
  return {
    stop() {
      clearInterval(timer);
      const out: Record<string, { cpu: number; rssMax: number }> = {};
      for (const [n, pid] of pids) out[n] = { cpu: cpuSeconds(pid) - cpuStart.get(n)!, rssMax: Math.max(rssMax.get(n)!, rssMiB(pid)) };
      return out;
    },
  };
}

interface OrderRow {
  id: string;
  status: string;
  created: number;
  updated: number;
}

/** Connections the benchmark reads the platform's databases with (its own, not the services' pools). */
interface Databases {
  admin: postgres.Sql;
  orders: postgres.Sql;
  inventory: postgres.Sql;
  audit: postgres.Sql;
  /** Logical name → database name of this run. */
  names: Record<"orders" | "inventory" | "audit", string>;
}

/** Transactions, rows, scans and statement time of the platform's databases, and the services' message counters. */
async function counters(platform: Platform, dbs: Databases) {
  const perDatabase = await databaseCounters(dbs.admin, Object.values(dbs.names));
  const byName: Record<string, DatabaseCounters> = {};
  for (const [logical, name] of Object.entries(dbs.names)) {
    const sql = dbs[logical as keyof Databases["names"]];
    byName[logical] = { ...perDatabase[name]!, scans: await tableScans(sql) };
  }
  const messages: Partial<Record<ProcessName, MessageCounters>> = {};
  for (const name of MEASURED) messages[name] = await messageCounters(platform.url(name));
  return { byName, messages };
}

function perOrder<T extends object>(after: T, before: Partial<T>, orders: number): T {
  const out = {} as Record<string, number>;
  for (const key of Object.keys(after)) {
    const delta = (after as Record<string, number>)[key]! - ((before as Record<string, number>)[key] ?? 0);
    out[key] = orders ? Math.round((delta / orders) * 100) / 100 : NaN;
  }
  return out as T;
}

async function measureStep(
  platform: Platform,
  dbs: Databases,
  connections: number,
  seconds: number,
  script: string,
): Promise<OrderFlowStep> {
  const { orders: ordersSql, audit: auditSql } = dbs;
  const [{ max: idBefore } = { max: null }] = await ordersSql<
    { max: Date | null }[]
  >`/* bench */ select max(created_at) as max from orders`;
  const since = idBefore ?? new Date(0);
  const loadAverage = Math.round(loadavg()[0]! * 10) / 10;
  const countersBefore = await counters(platform, dbs);
  const infra = await sampleInfraCpu(dbs.admin, Object.values(dbs.names));
  const infraTimer = setInterval(() => infra.tick().catch(() => {}), 500);
  const machineBefore = machineCpu();
  const loadSampler = sample(platform);
  const wholeSampler = sample(platform);
  const http = await wrk({ url: platform.gatewayUrl, seconds, connections, script });
  const load = loadSampler.stop();
  const machineAfter = machineCpu();
  const loadEnded = performance.now();

  const ordersOfStep = () =>
    ordersSql<{ id: string; status: string; created: Date; updated: Date }[]>`/* bench */
      select id, status, created_at as created, updated_at as updated from orders where created_at > ${since}`;
  let rows: OrderRow[] = [];
  let audited = new Map<string, { created?: number; confirmed?: number }>();
  await waitFor(
    async () => {
      rows = (await ordersOfStep()).map((r) => ({
        id: r.id,
        status: r.status,
        created: r.created.getTime(),
        updated: r.updated.getTime(),
      }));
      if (rows.some((r) => r.status === "pending")) return false;
      const events = await auditSql<{ stream_id: string; message_type: string; created: Date }[]>`/* bench */
        select stream_id, message_type, created from emt_messages
        where message_type in ('orders.order-created.v1', 'orders.order-confirmed.v1') and created > ${since}`;
      audited = new Map();
      for (const e of events) {
        const id = e.stream_id.replace(/^order-/, "");
        const entry = audited.get(id) ?? {};
        if (e.message_type === "orders.order-created.v1") entry.created = e.created.getTime();
        else entry.confirmed = e.created.getTime();
        audited.set(id, entry);
      }
      return rows.every(
        (r) => audited.get(r.id)?.created !== undefined && (r.status !== "confirmed" || audited.get(r.id)?.confirmed !== undefined),
      );
    },
    { timeoutMs: 300_000, intervalMs: 250, what: `the orders of the ${connections}-connection step to settle and be audited` },
  );
  const drainSeconds = Math.round((performance.now() - loadEnded) / 100) / 10;
  const whole = wholeSampler.stop();
  clearInterval(infraTimer);
  const infraCpu = await infra.stop();
  // Statistics reach the cumulative store at most every second per backend: wait for the last ones.
  await Bun.sleep(1200);
  const countersAfter = await counters(platform, dbs);

  const confirmed = rows.filter((r) => r.status === "confirmed");
  const statuses: Record<string, number> = {};
  for (const r of rows) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const processes: OrderFlowStep["processes"] = {};
  for (const name of Object.keys(load) as ProcessName[]) {
    processes[name] = {
      cpuPercent: Math.round((load[name]!.cpu / seconds) * 100),
      cpuMsPerOrder: confirmed.length ? Math.round((whole[name]!.cpu * 1000 * 100) / confirmed.length) / 100 : NaN,
      rssMiBMax: whole[name]!.rssMax,
    };
  }
  return {
    connections,
    seconds,
    http,
    placedPerSecond: Math.round((rows.length / seconds) * 10) / 10,
    drainSeconds,
    statuses,
    createdToConfirmed: percentiles(confirmed.map((r) => r.updated - r.created)),
    createdToAuditedCreated: percentiles(rows.map((r) => audited.get(r.id)!.created! - r.created)),
    createdToAuditedConfirmed: percentiles(confirmed.map((r) => audited.get(r.id)!.confirmed! - r.created)),
    processes,
    machineCpuPercent: Math.round(((machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total)) * 100),
    machineKernelPercent: Math.round(
      ((machineAfter.kernel - machineBefore.kernel) / Math.max(1, machineAfter.busy - machineBefore.busy)) * 100,
    ),
    contextSwitchesPerOrder: rows.length ? Math.round((machineAfter.contextSwitches - machineBefore.contextSwitches) / rows.length) : NaN,
    loadAverage,
    infraCpuMsPerOrder: perOrder(scale(infraCpu, 1000), {}, confirmed.length),
    attributedCpuMsPerOrder:
      Math.round(
        (Object.values(processes).reduce((sum, p) => sum + p.cpuMsPerOrder, 0) +
          (infraCpu.postgresBackends * 1000) / Math.max(1, confirmed.length)) *
          100,
      ) / 100,
    databasePerOrder: Object.fromEntries(
      Object.keys(countersAfter.byName).map((n) => [n, perOrder(countersAfter.byName[n]!, countersBefore.byName[n]!, confirmed.length)]),
    ),
    messagesPerOrder: Object.fromEntries(
      MEASURED.map((n) => [n, perOrder(countersAfter.messages[n]!, countersBefore.messages[n]!, confirmed.length)]),
    ),
  };
}

function scale<T extends object>(values: T, factor: number): T {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, (v as number) * factor])) as T;
}

export async function orderFlow(
  seconds = 15,
  // BENCH_STEPS="1,8" for a quick look; the default climbs until saturation.
  steps: number[] = process.env.BENCH_STEPS ? process.env.BENCH_STEPS.split(",").map(Number) : [1, 2, 4, 8, 16, 32, 64, 128],
): Promise<OrderFlowResult> {
  const logLevel = process.env.BENCH_LOG_LEVEL ?? "warn";
  const issuer = await startTestIssuer();
  // Read at every (re)start of a process: the profiling pass at the end adds `bun --cpu-prof` through BUN_OPTIONS.
  const envFor: Partial<Record<ProcessName, Record<string, string>>> = {};
  const platform = await startPlatform({ issuer: issuer.issuer, env: { LOG_LEVEL: logLevel }, envFor });
  const open = (url: string) => postgres(url, { max: 2, onnotice: () => {} });
  const dbs: Databases = {
    admin: open(TEST_POSTGRES_URL),
    orders: open(platform.databases.orders.url),
    inventory: open(platform.databases.inventory.url),
    audit: open(platform.databases.audit.url),
    names: { orders: platform.databases.orders.name, inventory: platform.databases.inventory.name, audit: platform.databases.audit.name },
  };
  try {
    const tokens = await tokensFor(issuer);
    const skus = Array.from({ length: PRODUCTS }, (_, i) => `BENCH-${String(i).padStart(3, "0")}`);
    await seedCatalogue(
      platform,
      tokens.admin,
      skus.map((sku, i) => ({ sku, price: 5 + i / 4, stock: STOCK })),
    );
    const customers = await Promise.all(Array.from({ length: CUSTOMERS }, (_, i) => tokens.customer(`bench-customer-${i}`)));
    const dir = mkdtempSync(join(tmpdir(), "meridian-order-flow-"));

    // Warm-up (JIT, connection pools, prepared statements), not measured.
    const warm = join(dir, "warm.lua");
    writeFileSync(warm, luaScript(customers, skus, `warm-${Date.now()}`));
    await wrk({ url: platform.gatewayUrl, seconds: 3, connections: 4, script: warm });
    await Bun.sleep(3000);

    console.log("[bench] order-flow: orders one at a time on the idle platform");
    const isolated = await isolatedOrders(platform.gatewayUrl, customers[0]!, skus, { orders: dbs.orders, audit: dbs.audit });

    const results: OrderFlowStep[] = [];
    let saturatedAt: number | null = null;
    for (const connections of steps) {
      const script = join(dir, `c${connections}.lua`);
      writeFileSync(script, luaScript(customers, skus, `c${connections}-${Date.now()}`));
      console.log(`[bench] order-flow: ${connections} connections for ${seconds}s`);
      const step = await measureStep(platform, dbs, connections, seconds, script);
      results.push(step);
      console.log(
        `[bench] order-flow: ${connections} conn → ${step.placedPerSecond} orders/s, http p99 ${step.http.p99Ms} ms, ` +
          `confirmed p99 ${step.createdToConfirmed.p99Ms} ms, audited p99 ${step.createdToAuditedConfirmed.p99Ms} ms, drain ${step.drainSeconds}s`,
      );
      // Saturated: two doublings of the concurrency in a row no longer buy 10% more than the best step before
      // them (one bad step on a shared machine is noise), or more than 1% errors.
      const gain = (i: number) => results[i]!.placedPerSecond >= 1.1 * Math.max(0, ...results.slice(0, i).map((s) => s.placedPerSecond));
      const n = results.length;
      const errors = step.http.non2xx + step.http.socketErrors > step.http.requests * 0.01;
      if (errors || (n >= 3 && !gain(n - 1) && !gain(n - 2))) {
        // Reported as the concurrency of the best step: more connections only queue.
        saturatedAt = results.reduce((a, b) => (b.placedPerSecond > a.placedPerSecond ? b : a)).connections;
        break;
      }
    }
    const profileConnections = Number(process.env.BENCH_PROFILE_CONNECTIONS ?? 8);
    const profiles =
      process.env.BENCH_PROFILE === "0"
        ? undefined
        : await profileStep(platform, dbs, envFor, join(dir, "profiles"), customers, skus, profileConnections, seconds);
    return {
      products: PRODUCTS,
      stockPerProduct: STOCK,
      linesPerOrder: 1,
      logLevel,
      steps: results,
      isolated,
      saturatedAt,
      bestPlacedPerSecond: Math.max(...results.map((s) => s.placedPerSecond)),
      ...(profiles ? { profiles } : {}),
    };
  } finally {
    await Promise.all([dbs.admin.end(), dbs.orders.end(), dbs.inventory.end(), dbs.audit.end()]);
    await platform.stop();
    await issuer.stop();
  }
}

const PROFILED: ProcessName[] = ["orders", "inventory-worker", "audit"];

/**
 * Restarts orders, the worker and the audit under `bun --cpu-prof` (and inventory, so every database session is new),
 * with PostgreSQL logging every statement of the platform's databases; runs one more step of load (after a short
 * warm-up) until drained, and stops them so the profiles are written: where each process spends its CPU per order, and
 * how many statements each database served per order.
 */
async function profileStep(
  platform: Platform,
  dbs: Databases,
  envFor: Partial<Record<ProcessName, Record<string, string>>>,
  dir: string,
  customers: string[],
  skus: string[],
  connections: number,
  seconds: number,
): Promise<NonNullable<OrderFlowResult["profiles"]>> {
  const startedAt = new Map<ProcessName, number>();
  const statements = await logStatements(dbs.admin, Object.values(dbs.names));
  for (const name of [...PROFILED, "inventory" as const]) {
    if (PROFILED.includes(name)) envFor[name] = { BUN_OPTIONS: `--cpu-prof --cpu-prof-dir=${join(dir, name)}` };
    await platform.kill(name, "SIGTERM");
    startedAt.set(name, performance.now());
    await platform.start(name);
  }
  const warm = join(dir, "warm.lua");
  mkdirSync(dir, { recursive: true });
  writeFileSync(warm, luaScript(customers, skus, `profile-warm-${Date.now()}`));
  await wrk({ url: platform.gatewayUrl, seconds: 2, connections, script: warm });
  const script = join(dir, "load.lua");
  writeFileSync(script, luaScript(customers, skus, `profile-${Date.now()}`));
  console.log(`[bench] order-flow: profiling ${PROFILED.join(", ")} at ${connections} connections for ${seconds}s`);
  const loadStart = performance.now();
  const counting = await statements.begin();
  const step = await measureStep(platform, dbs, connections, seconds, script);
  const counted = await counting.stop();
  const confirmed = step.statuses.confirmed ?? 0;
  const statementsPerOrder =
    counted && confirmed
      ? Object.fromEntries(
          Object.entries(dbs.names).map(([logical, db]) => [logical, Math.round(((counted[db] ?? 0) / confirmed) * 100) / 100]),
        )
      : undefined;
  const byProcess: Partial<Record<ProcessName, ProfileSummary>> = {};
  for (const name of PROFILED) {
    await platform.kill(name, "SIGTERM");
    // Only the measured step: start-up and warm-up are left out.
    byProcess[name] = summarizeProfile(join(dir, name), 10, { skipMs: loadStart - startedAt.get(name)! });
    delete envFor[name];
    await platform.start(name);
  }
  return { connections, seconds, byProcess, ...(statementsPerOrder ? { statementsPerOrder } : {}) };
}
