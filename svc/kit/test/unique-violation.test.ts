import { describe, expect, test } from "bun:test";
import postgres from "postgres";
import { isUniqueViolation } from "../src";
import { createTestDatabase } from "../src/testing";

describe("isUniqueViolation", () => {
  test("when PostgreSQL refuses a duplicate key, then its error is a unique violation; other errors are not", async () => {
    const db = await createTestDatabase("unique");
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      await sql`create table t (id int primary key)`;
      await sql`insert into t values (1)`;
      const duplicate = await sql`insert into t values (1)`.catch((e: unknown) => e);
      expect(isUniqueViolation(duplicate)).toBe(true);
      const other = await sql`select * from missing_table`.catch((e: unknown) => e);
      expect(isUniqueViolation(other)).toBe(false);
    } finally {
      await sql.end();
      await db.drop();
    }
  });

  test("when a driver or ORM wraps the database error, then the cause chain is searched (SQL Server numbers too)", () => {
    const mssql = Object.assign(new Error("Violation of PRIMARY KEY constraint"), { number: 2627 });
    const index = Object.assign(new Error("Cannot insert duplicate key row"), { number: 2601 });
    expect(isUniqueViolation(new Error("query failed", { cause: mssql }))).toBe(true);
    expect(isUniqueViolation(new Error("query failed", { cause: new Error("wrapped", { cause: index }) }))).toBe(true);
    expect(isUniqueViolation(Object.assign(new Error("deadlock"), { number: 1205 }))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
  });
});
