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
        return d ? `${r2(d.transactions)} / ${r2(d.rowsInserted + d.rowsUpdated + d.rowsDeleted)} / ${r2(d.scans)} / ${r2(d.activeMs)}` : "—";
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

export function orderFlowCostMarkdown(r: OrderFlowResult, before?: OrderFlowRecord): string {
  const parts: string[] = [];
  const steps = r.steps;
  if (steps.some((s) => s.infraCpuMsPerOrder)) {
    parts.push(
      "CPU ms per confirmed order with PostgreSQL and RabbitMQ (from /proc, load start until drained): the Bun processes above; " +
        "PostgreSQL's backends serving this run's databases; PostgreSQL's shared processes (WAL writer, checkpointer, autovacuum, backends that exited) " +
        "and RabbitMQ's Erlang VM, which also serve every other tenant of the machine (an upper bound when it is busy). Load average at each step's start.",
      "",
      table(["connections", "load avg", "orders/s", "Bun processes", "PostgreSQL backends", "PostgreSQL shared", "RabbitMQ", "all"], cpuRows(steps)),
      "",
      "Per confirmed order, per database: transactions (commits + rollbacks) / rows written (inserted + updated + deleted) / table scans " +
        "(index + sequential: every statement that reads or locks a row makes at least one) / ms PostgreSQL spent executing statements " +
        "(pg_stat_database.active_time); messages published (broker-confirmed, all services) and consumed (all outcomes), from the services' " +
        "`messaging_published_total` / `messaging_consumed_total`. Statements themselves need pg_stat_statements, which must be preloaded " +
        "(a restart of the shared server), so they are not counted here.",
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
        (before ? `; before: ${before.revision ?? "the earlier run"}, measured ${before.machine.measuredAt}, load average ${before.machine.loadAverage ?? "?"}` : "") +
        ". Self time is where a sample stopped; total counts a function with all it called.",
    );
    for (const name of ["orders", "inventory-worker", "audit"] as const) {
      parts.push("", profileTables(name, b?.byProcess[name], r.profiles?.byProcess[name]));
    }
  }
  return parts.join("\n") + "\n";
}
