/**
 * The platform's one scope rule (scopesOf), shared by the gateway's AllowedScopes and the services' requireScopes.
 */
import { describe, expect, test } from "bun:test";
import { scopesOf } from "../../src/auth";

describe("scopesOf", () => {
  const cases: Array<{ name: string; claims: Record<string, unknown>; scopes: string[] }> = [
    {
      name: "scope is a space-separated string",
      claims: { scope: "orders.read  orders.write\tx" },
      scopes: ["orders.read", "orders.write", "x"],
    },
    {
      name: "scope is an array of scope-tokens",
      claims: { scope: ["orders.read", "orders.write"] },
      scopes: ["orders.read", "orders.write"],
    },
    { name: "an array element holds a space (not a scope-token)", claims: { scope: ["orders.read orders.write"] }, scopes: [] },
    { name: "an array element holds a space next to a valid one", claims: { scope: ["a b", "audit.read"] }, scopes: ["audit.read"] },
    { name: "array elements are not strings", claims: { scope: [1, { a: 1 }, "ok"] }, scopes: ["ok"] },
    { name: "only scp is present (array)", claims: { scp: ["inventory.read"] }, scopes: ["inventory.read"] },
    {
      name: "only scp is present (string)",
      claims: { scp: "inventory.read inventory.write" },
      scopes: ["inventory.read", "inventory.write"],
    },
    { name: "scope is empty and scp has scopes", claims: { scope: "", scp: ["x"] }, scopes: ["x"] },
    { name: "scope has scopes and scp too", claims: { scope: "a", scp: ["b"] }, scopes: ["a"] },
    { name: "neither claim is present", claims: {}, scopes: [] },
  ];
  for (const c of cases)
    test(`when ${c.name}, then the scopes are ${JSON.stringify(c.scopes)}`, () => {
      expect(scopesOf(c.claims)).toEqual(c.scopes);
    });
});
