/**
 * Serialises SQL Server migrations across replicas, as the PostgreSQL adapter does with an advisory lock:
 * every replica migrates at start, and on a first install several would otherwise create the same tables
 * at once. The lock is an application lock (sp_getapplock) owned by a transaction held open on a
 * connection of its own while the migrations run on the pool's other connections; committing (or rolling
 * back, or the connection dropping) releases it.
 */
import mssql from "mssql";

export const MIGRATION_LOCK_RESOURCE = "meridian.orders.migrations";
export const MIGRATION_LOCK_TIMEOUT_MS = 120_000;

/** The statement taking the lock; it selects sp_getapplock's return code as `result`. */
export function acquireStatement(timeoutMs = MIGRATION_LOCK_TIMEOUT_MS): string {
  return (
    "declare @result int; " +
    `exec @result = sp_getapplock @Resource = N'${MIGRATION_LOCK_RESOURCE}', @LockMode = N'Exclusive', ` +
    `@LockOwner = N'Transaction', @LockTimeout = ${Math.trunc(timeoutMs)}; ` +
    "select @result as result;"
  );
}

/** sp_getapplock's return codes below zero (https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-getapplock-transact-sql). */
const REFUSALS: Record<number, string> = {
  [-1]: "timed out waiting for another replica's migrations",
  [-2]: "the lock request was cancelled",
  [-3]: "chosen as deadlock victim",
  [-999]: "parameter validation or other call error",
};

/** One transaction on a connection reserved for the lock. */
export interface LockTransaction {
  begin(): Promise<void>;
  /** Runs a statement inside the transaction; returns the `result` column of its first row. */
  scalar(statement: string): Promise<number | undefined>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** Runs `work` while holding the migration lock; the lock is released however `work` ends. */
export async function withMigrationLock<T>(tx: LockTransaction, work: () => Promise<T>, timeoutMs = MIGRATION_LOCK_TIMEOUT_MS): Promise<T> {
  await tx.begin();
  let result: T;
  try {
    const code = await tx.scalar(acquireStatement(timeoutMs));
    if (code === undefined || code < 0) {
      const why = code === undefined ? "no result" : (REFUSALS[code] ?? `code ${code}`);
      throw new Error(`SQL Server migration lock ${MIGRATION_LOCK_RESOURCE} not granted: ${why}`);
    }
    result = await work();
  } catch (error) {
    await tx.rollback().catch(() => undefined); // the original error is the one to report
    throw error;
  }
  await tx.commit();
  return result;
}

/** A LockTransaction on the mssql pool (the transaction reserves one of its connections). */
export function poolLockTransaction(pool: mssql.ConnectionPool): LockTransaction {
  const tx = new mssql.Transaction(pool);
  return {
    begin: async () => {
      await tx.begin();
    },
    scalar: async (statement) => {
      const r = await new mssql.Request(tx).query<{ result: number }>(statement);
      return r.recordset?.[0]?.result;
    },
    commit: () => tx.commit(),
    rollback: () => tx.rollback(),
  };
}
