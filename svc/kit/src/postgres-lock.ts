/**
 * Session-level advisory locks next to a pool. `pg_advisory_lock` belongs to the backend that took it, and a
 * pool hands each statement to any idle connection: taking the lock with one statement and releasing it with
 * another may release nothing (a warning, `false`) and leave the lock held by an idle pooled connection, so the
 * next process that migrates waits for it forever. The lock lives on a connection of its own, opened for it and
 * closed after (reserving one of the pool's would deadlock a pool of one); the work uses the pool as it likes.
 */
import { openPostgres } from "./postgres";

/** Runs `work` while holding the advisory lock `key` of the database at `url`. */
export async function withAdvisoryLock<T>(url: string, key: number, work: () => Promise<T>): Promise<T> {
  const holder = openPostgres(url, { max: 1, applicationName: "advisory-lock" });
  try {
    await holder`select pg_advisory_lock(${key})`;
    try {
      return await work();
    } finally {
      await holder`select pg_advisory_unlock(${key})`;
    }
  } finally {
    await holder.end({ timeout: 5 });
  }
}
