/**
 * The one rule for "a unique key already holds this value", for both databases the platform runs on:
 * PostgreSQL SQLSTATE 23505, SQL Server error 2627 (unique constraint) or 2601 (unique index). Drivers and ORMs
 * wrap the database's error, so the `cause` chain is searched.
 */
export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === "23505") return true;
    const number = (e as { number?: unknown }).number;
    if (number === 2627 || number === 2601) return true;
  }
  return false;
}
