/**
 * Statements per database, counted from PostgreSQL's own log: `log_statement = 'all'` is set on the platform's
 * databases (it applies to sessions opened afterwards, so the caller restarts the processes), and the lines the server
 * writes while a step runs are counted by database. This needs no extension preloaded (pg_stat_statements would need
 * a server restart) and counts every statement a client sends, simple or extended protocol.
 *
 * The benchmark's own queries carry the marker comment BENCH_QUERY and are left out. The log must be a file this
 * process can read with the database in each line's prefix (`%d`, as in Debian's default `%m [%p] %q%u@%d `); when it
 * is not, counting is reported as unavailable rather than guessed.
 */
import { existsSync, openSync, readSync, closeSync, statSync } from "node:fs";
import type postgres from "postgres";

/** Marks the benchmark's own statements in the log, so they are not counted as the platform's. */
export const BENCH_QUERY = "/* bench */";

export interface StatementCount {
  /** Reads the log written since `start` and returns statements per database, or undefined if the log is unreadable. */
  stop(): Promise<Record<string, number> | undefined>;
}

async function logFile(admin: postgres.Sql): Promise<string | undefined> {
  const [row] = await admin<{ file: string | null; dir: string; version: string; prefix: string }[]>`
    select pg_current_logfile() as file, current_setting('data_directory') as dir,
           current_setting('server_version_num') as version, current_setting('log_line_prefix') as prefix`;
  if (!row?.prefix.includes("%d")) return undefined;
  if (row.file) return row.file.startsWith("/") ? row.file : `${row.dir}/${row.file}`;
  // Without the logging collector Debian's pg_ctlcluster sends the server's stderr here.
  const debian = `/var/log/postgresql/postgresql-${Math.floor(Number(row.version) / 10000)}-main.log`;
  return existsSync(debian) ? debian : undefined;
}

function readFrom(path: string, offset: number): string {
  const size = statSync(path).size;
  if (size <= offset) return "";
  const buffer = Buffer.alloc(size - offset);
  const fd = openSync(path, "r");
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  return buffer.toString("utf8");
}

/** Turns statement logging on for `databases` (new sessions only); call `begin` once the clients have reconnected. */
export async function logStatements(admin: postgres.Sql, databases: string[]): Promise<{ begin(): Promise<StatementCount> }> {
  for (const db of databases) await admin.unsafe(`alter database "${db}" set log_statement = 'all'`);
  return {
    async begin() {
      const path = await logFile(admin).catch(() => undefined);
      let offset = 0;
      try {
        offset = path ? statSync(path).size : 0;
      } catch {
        return { stop: async () => undefined };
      }
      return {
        async stop() {
          for (const db of databases) await admin.unsafe(`alter database "${db}" reset log_statement`);
          if (!path) return undefined;
          let text: string;
          try {
            text = readFrom(path, offset);
          } catch {
            return undefined;
          }
          const counts: Record<string, number> = Object.fromEntries(databases.map((db) => [db, 0]));
          // `statement: …` (simple protocol) or `execute <name>: …` (extended); continuation lines have no prefix.
          const line = /@(\S+) LOG:\s+(?:statement|execute [^:]*):/;
          for (const l of text.split("\n")) {
            const m = line.exec(l);
            if (m && m[1]! in counts && !l.includes(BENCH_QUERY)) counts[m[1]!]! += 1;
          }
          return counts;
        },
      };
    },
  };
}
