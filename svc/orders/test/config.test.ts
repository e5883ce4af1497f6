import { describe, expect, test } from "bun:test";
import { ConfigError } from "@meridian/kit";
import { loadOrdersConfig } from "../src/config";

describe("orders configuration", () => {
  test("when DATABASE_URL is not set, then the start fails naming it instead of falling back to a development database", () => {
    let error: unknown;
    try {
      loadOrdersConfig({ exit: false, env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe("DATABASE_URL");
    expect((error as ConfigError).message).toBe("config error: DATABASE_URL is required (Expected required property)");
  });

  test("when orders runs on SQL Server, then it starts without DATABASE_URL (compose and Kubernetes set only MSSQL_URL)", () => {
    const config = loadOrdersConfig({ exit: false, env: { ORDERS_STORE: "mssql", MSSQL_URL: "mssql://sa:x@sql:1433/orders" } });
    expect(config.ORDERS_STORE).toBe("mssql");
    expect(config.DATABASE_URL).toBeUndefined();
  });

  test("when DATABASE_URL is set, then it is used as given", () => {
    const url = "postgres://orders@db.internal:5432/orders";
    expect(loadOrdersConfig({ exit: false, env: { DATABASE_URL: url } }).DATABASE_URL).toBe(url);
  });
});
