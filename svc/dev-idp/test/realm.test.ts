import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { DEFAULT_REALM_FILE, effectiveScopeParameter, loadRealm, parseRealm, uriAllowed } from "../src/realm";

const raw = JSON.parse(readFileSync(DEFAULT_REALM_FILE, "utf8"));
const realm = loadRealm();
const API_SCOPES = ["orders.read", "orders.write", "inventory.read", "inventory.write", "notifications.read", "audit.read"];

describe("Keycloak realm export", () => {
  test("when the realm file is read, then it is realm meridian with the six API client scopes shown in token scope", () => {
    expect(realm.realm).toBe("meridian");
    for (const name of API_SCOPES) {
      const scope = realm.clientScopes.find((s) => s.name === name);
      expect(scope?.protocol).toBe("openid-connect");
      expect(scope?.attributes?.["include.in.token.scope"]).toBe("true");
    }
    expect(realm.roles?.realm?.map((r) => r.name).sort()).toEqual(["admin", "customer"]);
  });

  test("when the roles scope is read, then realm roles map to realm_access.roles and to a top-level multivalued roles claim", () => {
    const mappers = realm.clientScopes.find((s) => s.name === "roles")?.protocolMappers ?? [];
    const realmRoleMappers = mappers.filter((m) => m.protocolMapper === "oidc-usermodel-realm-role-mapper");
    const byClaim = new Map(realmRoleMappers.map((m) => [m.config?.["claim.name"], m.config]));
    expect(byClaim.get("realm_access.roles")?.["access.token.claim"]).toBe("true");
    expect(byClaim.get("roles")?.multivalued).toBe("true");
    expect(byClaim.get("roles")?.["access.token.claim"]).toBe("true");
    const audience = realm.clientScopes.flatMap((s) => s.protocolMappers ?? []).find((m) => m.protocolMapper === "oidc-audience-mapper");
    expect(audience?.config?.["included.custom.audience"]).toBe("meridian-api");
  });

  test("when the clients are read, then customer-spa is public with PKCE S256 and admin-console confidential with a local-dev secret", () => {
    const spa = raw.clients.find((c: { clientId: string }) => c.clientId === "customer-spa");
    expect(spa.publicClient).toBe(true);
    expect(spa.attributes["pkce.code.challenge.method"]).toBe("S256");
    expect(spa.redirectUris).toContain("http://localhost:4200/*");
    expect(spa.webOrigins).toContain("http://localhost:4200");
    expect([...spa.optionalClientScopes].sort()).toEqual(["inventory.read", "notifications.read", "orders.read", "orders.write"]);

    const admin = raw.clients.find((c: { clientId: string }) => c.clientId === "admin-console");
    expect(admin.publicClient).toBe(false);
    expect(admin.standardFlowEnabled).toBe(true);
    expect(admin.secret).toStartWith("local-dev-only-");
    expect(admin.attributes["pkce.code.challenge.method"]).toBe("S256");
    expect(admin.redirectUris).toEqual(["http://localhost:5106/auth/callback"]);
    expect([...admin.optionalClientScopes].sort()).toEqual([...API_SCOPES].sort());
  });

  test("when the users are read, then alice and bob are customers, ada is admin, and passwords are marked as dev values", () => {
    const roles = Object.fromEntries(realm.users.map((u) => [u.username, u.realmRoles]));
    expect(roles).toEqual({ alice: ["customer"], bob: ["customer"], ada: ["admin"] });
    for (const user of realm.users) {
      expect(user.credentials?.[0]?.value).toBe(`${user.username}-dev-password`);
    }
  });

  test("when a client asks for scopes, then defaults are always in and optional ones only when asked and assigned", () => {
    const spa = realm.clients.find((c) => c.clientId === "customer-spa");
    if (!spa) throw new Error("customer-spa missing");
    expect(effectiveScopeParameter(realm, spa, ["orders.read", "audit.read", "made.up"]).split(" ")).toEqual([
      "openid",
      "profile",
      "email",
      "orders.read",
    ]);
  });

  test("when a realm file is broken, then loading fails naming the field", () => {
    expect(() => parseRealm({ ...raw, clients: "nope" })).toThrow(/\/clients/);
    const bad = structuredClone(raw);
    bad.clients[0].optionalClientScopes.push("missing.scope");
    expect(() => parseRealm(bad)).toThrow(/unknown client scope missing.scope/);
  });
});

describe("redirect URI matching", () => {
  test("when a registered URI ends in *, then it matches as a prefix, and otherwise only exactly", () => {
    expect(uriAllowed("http://localhost:4200/callback", ["http://localhost:4200/*"])).toBe(true);
    expect(uriAllowed("http://localhost:4200/callback", ["http://localhost:4200/cb"])).toBe(false);
    expect(uriAllowed("http://localhost:5106/auth/callback", ["http://localhost:5106/auth/callback"])).toBe(true);
  });

  test("when loopback any-port is on, then only loopback URIs match across ports, paths still exact", () => {
    const any = { anyLoopbackPort: true };
    expect(uriAllowed("http://localhost:39999/auth/callback", ["http://localhost:5106/auth/callback"])).toBe(false);
    expect(uriAllowed("http://localhost:39999/auth/callback", ["http://localhost:5106/auth/callback"], any)).toBe(true);
    expect(uriAllowed("http://localhost:39999/auth/other", ["http://localhost:5106/auth/callback"], any)).toBe(false);
    expect(uriAllowed("http://evil.test:5106/auth/callback", ["http://localhost:5106/auth/callback"], any)).toBe(false);
  });
});
