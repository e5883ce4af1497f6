/**
 * The cost half of the order-flow section of bench/results/README.md: CPU per confirmed order by process with
 * PostgreSQL and RabbitMQ, transactions/rows/messages per order, and the CPU profiles against the recorded run before
 * the issue 15 work (results/order-flow-before.json).
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ProfileSummary } from "./cpu-profile";
import type { OrderFlowResult, OrderFlowStep } from "./order-flow";

interface OrderFlowRecord {
  machine: { measuredAt: string; loadAverage?: number };
  revision?: string;
  result: OrderFlowResult;
}

export function orderFlowBefore(): OrderFlowRecord | undefined {
  const file = resolve(import.meta.dir, "../results/order-flow-before.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as OrderFlowRecord) : undefined;
}

function table(head: string[], rows: Array<Array<string | number>>): string {
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

const r2 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? "—" : String(Math.round(n * 100) / 100));

function cpuRows(steps: OrderFlowStep[]): Array<Array<string | number>> {
  return steps
    .filter((s) => s.infraCpuMsPerOrder)
    .map((s) => {
      const bun = Object.values(s.processes).reduce((sum, p) => sum + p.cpuMsPerOrder, 0);
      const infra = s.infraCpuMsPerOrder!;
      return [
        s.connections,
        s.loadAverage ?? "—",
        s.placedPerSecond,
        r2(bun),
        r2(infra.postgresBackends),
        r2(infra.postgresShared),
        r2(infra.rabbitmq),
        r2(bun + infra.postgresBackends + infra.postgresShared + infra.rabbitmq),
      ];
    });
}

function countRows(steps: OrderFlowStep[]): Array<Array<string | number>> {
  return steps
    .filter((s) => s.databasePerOrder)
    .map((s) => {
      const db = (n: string) => s.databasePerOrder?.[n];
      const cell = (n: string) => {
        const d = db(n);
        return d
          ? `${r2(d.transactions)} / ${r2(d.rowsInserted + d.rowsUpdated + d.rowsDeleted)} / ${r2(d.scans)} / ${r2(d.activeMs)}`
          : "—";
      };
      const messages = Object.values(s.messagesPerOrder ?? {});
      const published = messages.reduce((sum, m) => sum + (m?.published ?? 0), 0);
      const consumed = messages.reduce((sum, m) => sum + (m?.consumed ?? 0), 0);
      return [s.connections, cell("orders"), cell("inventory"), cell("audit"), r2(published), r2(consumed)];
    });
}

function profileTables(name: string, before: ProfileSummary | undefined, after: ProfileSummary | undefined): string {
  const rows = (pick: "self" | "total") => {
    const n = Math.max(before?.[pick].length ?? 0, after?.[pick].length ?? 0);
    const cell = (p: ProfileSummary | undefined, i: number) => {
      const e = p?.[pick][i];
      return e ? `${e.percent} % \`${e.name}\`` : "";
    };
    return Array.from({ length: n }, (_, i) => [cell(before, i), cell(after, i)]);
  };
  return [
    `**${name}**`,
    "",
    table(["self before", "self after"], rows("self")),
    "",
    table(["total before", "total after"], rows("total")),
  ].join("\n");
}

const allCpu = (s: OrderFlowStep): number | undefined => {
  if (!s.infraCpuMsPerOrder) return undefined;
  const i = s.infraCpuMsPerOrder;
  return Object.values(s.processes).reduce((sum, p) => sum + p.cpuMsPerOrder, 0) + i.postgresBackends + i.postgresShared + i.rabbitmq;
};

/** What bounds the CPU per order, from this run's own counts: statements, messages, kernel share, context switches. */
function roundTrips(r: OrderFlowResult): string {
  const b = r.steps.reduce((a, c) => (c.placedPerSecond > a.placedPerSecond ? c : a));
  const statements = r.profiles?.statementsPerOrder;
  const all = statements ? r2(Object.values(statements).reduce((a, c) => a + c, 0)) : undefined;
  const messages = b.messagesPerOrder
    ? Object.values(b.messagesPerOrder).reduce(
        (sum, m) => ({ published: sum.published + (m?.published ?? 0), consumed: sum.consumed + (m?.consumed ?? 0) }),
        { published: 0, consumed: 0 },
      )
    : undefined;
  return (
    "Round trips, each a syscall and a wake-up on both sides: " +
    (all !== undefined ? `${all} SQL statements per order (BEGIN and COMMIT included), ` : "") +
    (messages ? `${r2(messages.published)} messages published and ${r2(messages.consumed)} consumed, ` : "") +
    (b.contextSwitchesPerOrder !== undefined ? `~${b.contextSwitchesPerOrder} context switches per order machine-wide, ` : "") +
    (b.machineKernelPercent !== undefined ? `and the kernel takes ${b.machineKernelPercent} % of the busy CPU. ` : ". ") +
    "The largest self time in every consumer's profile is the socket write of each statement (`writeBuffered`), and PostgreSQL's backends and RabbitMQ cost about as much as the Bun processes. " +
    "Next: handle a consumer's prefetched deliveries in one transaction (inbox rows, effects and outbox rows of up to N messages, one commit, then one ack with `multiple`), " +
    "and pipeline a transaction's independent statements (BEGIN with the first statement, the outbox row with the state change)."
  );
}

/** The issue 15 rows of the order flow: this run, the run before the work, what bounds a row not met, the next step. */
function targetRows(r: OrderFlowResult, before?: OrderFlowResult): string {
  const best = (x: OrderFlowResult) => x.steps.reduce((a, b) => (b.placedPerSecond > a.placedPerSecond ? b : a));
  const one = (x: OrderFlowResult) => x.steps.find((s) => s.connections === 1);
  // Half the saturation rate: the busiest step at or below half the best rate (else the lightest step).
  const half = (x: OrderFlowResult) => {
    const limit = best(x).placedPerSecond / 2;
    const under = x.steps.filter((s) => s.placedPerSecond <= limit);
    return under.length ? under.reduce((a, b) => (b.placedPerSecond > a.placedPerSecond ? b : a)) : x.steps[0]!;
  };
  const rows: Array<[string, (x: OrderFlowResult) => string, string, (x: OrderFlowResult) => boolean, string]> = [
    [
      "machine CPU per confirmed order at the best step (all processes, PostgreSQL and RabbitMQ included), ms",
      (x) => r2(allCpu(best(x))),
      "≤ 6",
      (x) => (allCpu(best(x)) ?? Infinity) <= 6,
      roundTrips(r),
    ],
    [
      "orders/s at saturation",
      (x) => String(best(x).placedPerSecond),
      "≥ 300",
      (x) => best(x).placedPerSecond >= 300,
      `CPU: 2 cores ÷ ${r2(allCpu(best(r)))} ms per order is at most ${Math.round(2000 / (allCpu(best(r)) ?? Infinity))} orders/s, the machine is ${best(r).machineCpuPercent} % busy at the best step; 300/s needs ≤ 6.7 ms per order in all (the first row).`,
    ],
    [
      "`POST /orders` at 1 connection, HTTP p50 ms",
      (x) => String(one(x)?.http.p50Ms ?? "—"),
      "≤ 6",
      (x) => (one(x)?.http.p50Ms ?? Infinity) <= 6,
      `Waiting for a core: at 1 connection the machine is already ${one(r)?.machineCpuPercent ?? "?"} % busy (the relays, consumers and audit of the orders before run beside each request), so each hop (gateway, orders, PostgreSQL) waits its turn. ` +
        (r.isolated
          ? `On its own (one order at a time on the idle platform) the same request takes ${r.isolated.http.p50Ms} ms at p50. `
          : "") +
        "The request's path is the token from cache, a catalogue read and one transaction (order, lines, outbox row + NOTIFY): the CPU per order above is what buys this row back.",
    ],
    [
      "created → confirmed p99 at half the saturation rate, ms",
      (x) => `${half(x).createdToConfirmed.p99Ms} (${half(x).connections} conn)`,
      "≤ 100",
      (x) => half(x).createdToConfirmed.p99Ms <= 100,
      "Four processes in turn (orders' relay, the worker with its relay, orders' consumer; two broker hops), each queued for a core on a machine already saturated by the same CPU per order" +
        (r.isolated
          ? ` (one order at a time on the idle platform: p50 / p99 ${r.isolated.createdToConfirmed.p50Ms} / ${r.isolated.createdToConfirmed.p99Ms} ms)`
          : "") +
        ". Next: the batched consumer transaction above.",
    ],
  ];
  const lines = [
    "| target (issue 15) | before | now | target | met | what bounds it / next step |",
    "|---|---|---|---|---|---|",
    ...rows.map(
      ([name, value, target, met, why]) =>
        `| ${name} | ${before ? value(before) : "—"} | ${value(r)} | ${target} | ${met(r) ? "yes" : "no"} | ${met(r) ? "" : why} |`,
    ),
  ];
  return lines.join("\n");
}

export function orderFlowCostMarkdown(r: OrderFlowResult, before?: OrderFlowRecord): string {
  const parts: string[] = [];
  parts.push(
    "Against issue 15 (before: " +
      (before
        ? `${before.revision ?? "the earlier run"}, measured ${before.machine.measuredAt}, load average ${before.machine.loadAverage ?? "?"}`
        : "no recorded run") +
      "). On a shared machine the rates and latencies measure the neighbours as much as the platform; transactions per order and the profiles do not.",
    "",
    targetRows(r, before?.result),
    "",
  );
  const steps = r.steps;
  if (steps.some((s) => s.infraCpuMsPerOrder)) {
    parts.push(
      "CPU ms per confirmed order with PostgreSQL and RabbitMQ (from /proc, load start until drained): the Bun processes above; " +
        "PostgreSQL's backends serving this run's databases; PostgreSQL's shared processes (WAL writer, checkpointer, autovacuum, backends that exited) " +
        "and RabbitMQ's Erlang VM, which also serve every other tenant of the machine (an upper bound when it is busy). Load average at each step's start.",
      "",
      table(
        ["connections", "load avg", "orders/s", "Bun processes", "PostgreSQL backends", "PostgreSQL shared", "RabbitMQ", "all"],
        cpuRows(steps),
      ),
      "",
      "Per confirmed order, per database: transactions (commits + rollbacks) / rows written (inserted + updated + deleted) / table scans " +
        "(index + sequential: every statement that reads or locks a row makes at least one) / ms PostgreSQL spent executing statements " +
        "(pg_stat_database.active_time); messages published (broker-confirmed, all services) and consumed (all outcomes), from the services' " +
        "`messaging_published_total` / `messaging_consumed_total`. Statements are counted in the profiling step below.",
      "",
      table(["connections", "orders db", "inventory db", "audit db", "published", "consumed"], countRows(steps)),
    );
  }
  if (r.profiles || before?.result.profiles) {
    const b = before?.result.profiles;
    parts.push(
      "",
      `CPU profiles (\`bun --cpu-prof\`, % of busy samples) of the consumers under one more step of load (${r.profiles?.connections ?? "?"} connections, ` +
        `${r.profiles?.seconds ?? "?"} s, processes restarted under the profiler)` +
        (before
          ? `; before: ${before.revision ?? "the earlier run"}, measured ${before.machine.measuredAt}, load average ${before.machine.loadAverage ?? "?"}`
          : "") +
        ". Self time is where a sample stopped; total counts a function with all it called.",
    );
    for (const name of ["orders", "inventory-worker", "audit"] as const) {
      parts.push("", profileTables(name, b?.byProcess[name], r.profiles?.byProcess[name]));
    }
    parts.push("", statementsLine(r.profiles?.statementsPerOrder, b?.statementsPerOrder));
  }
  return `${parts.join("\n")}\n`;
}

/** Statements per confirmed order in the profiling step (PostgreSQL's log with log_statement = 'all'; see statement-log.ts). */
function statementsLine(now?: Record<string, number>, before?: Record<string, number>): string {
  if (!now)
    return "Statements per order: not counted (PostgreSQL's log is not readable by the benchmark, or has no database in its line prefix).";
  const per = (counts: Record<string, number>) =>
    `${Object.entries(counts)
      .map(([db, n]) => `${db} ${n}`)
      .join(", ")} (all ${Math.round(Object.values(counts).reduce((a, b) => a + b, 0) * 100) / 100})`;
  return (
    "SQL statements per confirmed order in the profiling step, by database, from PostgreSQL's log (`log_statement = 'all'` on this run's " +
    `databases; BEGIN and COMMIT count, each statement is a round trip): ${per(now)}` +
    (before ? `; before: ${per(before)}.` : ".")
  );
}
