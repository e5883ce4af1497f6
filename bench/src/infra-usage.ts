/**
 * What the order flow costs outside the Bun processes, over one step: CPU of PostgreSQL (the backends serving the
 * platform's databases, and the server's shared processes) and of RabbitMQ from /proc; transactions, rows and scans
 * per database from PostgreSQL's statistics views; messages published and consumed from the services' own
 * Prometheus counters.
 *
 * PostgreSQL and RabbitMQ are the machine's shared servers: the backends are attributed by database (pg_stat_activity),
 * but the shared PostgreSQL processes (WAL writer, checkpointer, autovacuum, reaped backends) and RabbitMQ's single
 * Erlang VM also work for every other tenant, so their share is an upper bound on a busy machine.
 * pg_stat_statements would also count statements, but it must be preloaded (a server restart), which a shared server
 * cannot take in the middle of other tenants' work: statements are not counted here, transactions are.
 */
import { readdirSync, readFileSync } from "node:fs";
import type postgres from "postgres";
import { cpuSeconds } from "./proc";

/** CPU seconds the process and its reaped children used (utime + stime + cutime + cstime). */
function cpuWithReapedChildren(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
}

function parentOf(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
  } catch {
    return 0;
  }
}

/** Processes whose command name (`/proc/<pid>/comm`) is one of `names`. */
export function pidsNamed(...names: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (names.includes(readFileSync(`/proc/${entry}/comm`, "utf8").trim())) pids.push(Number(entry));
    } catch {
      // exited while listing
    }
  }
  return pids;
}

const safeCpu = (pid: number, read: (pid: number) => number = cpuSeconds): number | undefined => {
  try {
    return read(pid);
  } catch {
    return undefined;
  }
};

export interface InfraCpu {
  /** Backends connected to the platform's databases (seen at a sample; a backend's CPU after its last sample is lost). */
  postgresBackends: number;
  /** Every other PostgreSQL process, plus backends that exited (reaped by the postmaster): all tenants. */
  postgresShared: number;
  /** RabbitMQ's Erlang VM (beam.smp and its helpers): all tenants. */
  rabbitmq: number;
}

export interface InfraSampler {
  /** Records which backends serve the platform's databases now (call every few hundred ms during the step). */
  tick(): Promise<void>;
  stop(): Promise<InfraCpu>;
}

/** CPU of PostgreSQL and RabbitMQ over a step, from /proc. */
export async function sampleInfraCpu(admin: postgres.Sql, databases: string[]): Promise<InfraSampler> {
  const postgresPids = pidsNamed("postgres");
  // The postmaster: the PostgreSQL process whose parent is not one.
  const postmaster = postgresPids.find((pid) => !postgresPids.includes(parentOf(pid))) ?? 0;
  const backendStart = new Map<number, number>();
  const backendLast = new Map<number, number>();
  const ours = async () =>
    (await admin<{ pid: number }[]>`select pid from pg_stat_activity where datname = any(${databases})`).map((r) => r.pid);
  const observe = async () => {
    for (const pid of await ours()) {
      const cpu = safeCpu(pid);
      if (cpu === undefined) continue;
      if (!backendStart.has(pid)) backendStart.set(pid, cpu);
      backendLast.set(pid, cpu);
    }
  };
  const allPostgres = () => pidsNamed("postgres").reduce((sum, pid) => sum + (safeCpu(pid) ?? 0), 0);
  const rabbit = () => pidsNamed("beam.smp", "erl_child_setup", "inet_gethost", "epmd").reduce((sum, pid) => sum + (safeCpu(pid) ?? 0), 0);
  const postmasterReaped = () => (safeCpu(postmaster, cpuWithReapedChildren) ?? 0) - (safeCpu(postmaster) ?? 0);

  await observe();
  const startAll = allPostgres() + postmasterReaped();
  const startRabbit = rabbit();
  return {
    tick: observe,
    async stop() {
      await observe();
      const backends = [...backendLast].reduce((sum, [pid, cpu]) => sum + cpu - backendStart.get(pid)!, 0);
      const all = allPostgres() + postmasterReaped() - startAll;
      return {
        postgresBackends: backends,
        postgresShared: Math.max(0, all - backends),
        rabbitmq: rabbit() - startRabbit,
      };
    },
  };
}

export interface DatabaseCounters {
  transactions: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsDeleted: number;
  /** Index and sequential scans of the database's tables (each statement that reads or locks a row does at least one). */
  scans: number;
  /** Milliseconds backends spent executing statements in the database (pg_stat_database.active_time). */
  activeMs: number;
}

/** Cumulative counters per database (call at the step's start and end and subtract). */
export async function databaseCounters(admin: postgres.Sql, databases: string[]): Promise<Record<string, DatabaseCounters>> {
  // Statistics are sent to the cumulative store at transaction end and at most every second per backend.
  await admin`select pg_stat_clear_snapshot()`;
  const rows = await admin<{ datname: string; xacts: string; ins: string; upd: string; del: string; active: number }[]>`
    select datname, (xact_commit + xact_rollback)::text as xacts, tup_inserted::text as ins, tup_updated::text as upd,
           tup_deleted::text as del, active_time as active
    from pg_stat_database where datname = any(${databases})`;
  const out: Record<string, DatabaseCounters> = {};
  for (const row of rows) {
    out[row.datname] = {
      transactions: Number(row.xacts),
      rowsInserted: Number(row.ins),
      rowsUpdated: Number(row.upd),
      rowsDeleted: Number(row.del),
      scans: 0,
      activeMs: Number(row.active),
    };
  }
  return out;
}

/** Index + sequential scans of every user table of one database (pg_stat_user_tables is per database). */
export async function tableScans(sql: postgres.Sql): Promise<number> {
  await sql`select pg_stat_clear_snapshot()`;
  const [row] = await sql<{ n: string }[]>`
    select coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0)::text as n from pg_stat_user_tables`;
  return Number(row?.n ?? 0);
}

export interface MessageCounters {
  published: number;
  consumed: number;
}

/** Sums a Prometheus counter (all label sets) in a text exposition. */
export function counterTotal(exposition: string, name: string): number {
  let total = 0;
  for (const line of exposition.split("\n")) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== "{" && rest[0] !== " ") continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

/** Messages a service published (outbox relay, confirmed) and consumed (every outcome), from its /metrics. */
export async function messageCounters(serviceUrl: string): Promise<MessageCounters> {
  const text = await fetch(`${serviceUrl}/metrics`).then(
    (r) => (r.ok ? r.text() : ""),
    () => "",
  );
  return { published: counterTotal(text, "messaging_published_total"), consumed: counterTotal(text, "messaging_consumed_total") };
}
