/**
 * Readiness checks for the dependencies a process declares. A check resolves when the dependency
 * answers and rejects (or times out) when it does not.
 */
import amqp from "amqplib";
import type Redis from "ioredis";
import postgres, { type Sql } from "postgres";

export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

export interface CheckResult {
  name: string;
  status: "up" | "down";
  latencyMs: number;
  error?: string;
}

export interface ReadinessReport {
  status: "up" | "down";
  checks: CheckResult[];
}

export function healthCheck(name: string, check: () => Promise<unknown>): HealthCheck {
  return { name, check: async () => void (await check()) };
}

/** PostgreSQL: `select 1` through the service's own pool, or a one-off connection to a URL. */
export function postgresCheck(name: string, target: string | Sql): HealthCheck {
  return healthCheck(name, async () => {
    if (typeof target !== "string") return target`select 1`;
    const sql = postgres(target, { max: 1, connect_timeout: 2, idle_timeout: 1, onnotice: () => {} });
    try {
      await sql`select 1`;
    } finally {
      await sql.end({ timeout: 1 });
    }
  });
}

/** Redis: PING through the service's client, or a one-off connection to a URL. */
export function redisCheck(name: string, target: string | Redis): HealthCheck {
  return healthCheck(name, async () => {
    if (typeof target !== "string") return target.ping();
    // Loaded here, not at import: most services never touch Redis, and ioredis was a seventh of their start-up CPU.
    const { default: RedisClient } = await import("ioredis");
    const client = new RedisClient(target, {
      lazyConnect: true,
      connectTimeout: 2000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await client.connect();
      await client.ping();
    } finally {
      client.disconnect();
    }
  });
}

/** RabbitMQ: a function reporting the process's own broker connection, or a one-off AMQP connection. */
export function rabbitmqCheck(name: string, target: string | (() => Promise<void> | void)): HealthCheck {
  return healthCheck(name, async () => {
    if (typeof target !== "string") return target();
    const connection = await amqp.connect(target, { timeout: 2000 });
    await connection.close();
  });
}

/**
 * SQL Server: `select 1` through the service's own mssql pool. The kit does not load the driver itself:
 * only a service that stores in SQL Server carries mssql in its image.
 */
export function mssqlCheck(name: string, pool: { request(): { query(sql: string): Promise<unknown> } }): HealthCheck {
  return healthCheck(name, () => pool.request().query("select 1 as ok"));
}

/** Runs every check in parallel, each bounded by `timeoutMs`. */
export async function runChecks(checks: HealthCheck[], timeoutMs = 2000): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (c): Promise<CheckResult> => {
      const started = performance.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          c.check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return { name: c.name, status: "up", latencyMs: Math.round(performance.now() - started) };
      } catch (error) {
        return {
          name: c.name,
          status: "down",
          latencyMs: Math.round(performance.now() - started),
          error: error instanceof Error ? error.message : String(error),
        };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { status: results.every((r) => r.status === "up") ? "up" : "down", checks: results };
}
