/**
 * The Keycloak realm export (k8s/keycloak/realm-meridian.json) read as the dev IdP's configuration:
 * clients, client scopes with their protocol mappers, realm roles and users all come from that one file,
 * so the dev IdP and Keycloak cannot drift apart silently.
 */
import { readFileSync } from "node:fs";
import { createHash, timingSafeEqual } from "node:crypto";
import { appFile } from "@meridian/kit/app-files";
import { Type as t, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

export const DEFAULT_REALM_FILE = appFile("k8s/keycloak/realm-meridian.json", import.meta.dir);

const ProtocolMapper = t.Object({
  name: t.String(),
  protocol: t.Optional(t.String()),
  protocolMapper: t.String(),
  config: t.Optional(t.Record(t.String(), t.String())),
});

const ClientScope = t.Object({
  name: t.String({ minLength: 1 }),
  protocol: t.Optional(t.String()),
  attributes: t.Optional(t.Record(t.String(), t.String())),
  protocolMappers: t.Optional(t.Array(ProtocolMapper)),
});

const Client = t.Object({
  clientId: t.String({ minLength: 1 }),
  name: t.Optional(t.String()),
  enabled: t.Optional(t.Boolean()),
  publicClient: t.Optional(t.Boolean()),
  secret: t.Optional(t.String()),
  standardFlowEnabled: t.Optional(t.Boolean()),
  redirectUris: t.Optional(t.Array(t.String())),
  webOrigins: t.Optional(t.Array(t.String())),
  attributes: t.Optional(t.Record(t.String(), t.String())),
  protocolMappers: t.Optional(t.Array(ProtocolMapper)),
  defaultClientScopes: t.Optional(t.Array(t.String())),
  optionalClientScopes: t.Optional(t.Array(t.String())),
});

const User = t.Object({
  id: t.Optional(t.String()),
  username: t.String({ minLength: 1 }),
  enabled: t.Optional(t.Boolean()),
  email: t.Optional(t.String()),
  emailVerified: t.Optional(t.Boolean()),
  firstName: t.Optional(t.String()),
  lastName: t.Optional(t.String()),
  attributes: t.Optional(t.Record(t.String(), t.Array(t.String()))),
  credentials: t.Optional(t.Array(t.Object({ type: t.String(), value: t.Optional(t.String()) }))),
  realmRoles: t.Optional(t.Array(t.String())),
});

export const RealmExport = t.Object({
  realm: t.String({ minLength: 1 }),
  displayName: t.Optional(t.String()),
  accessTokenLifespan: t.Optional(t.Integer({ minimum: 1 })),
  ssoSessionIdleTimeout: t.Optional(t.Integer({ minimum: 1 })),
  ssoSessionMaxLifespan: t.Optional(t.Integer({ minimum: 1 })),
  roles: t.Optional(t.Object({ realm: t.Optional(t.Array(t.Object({ name: t.String() }))) })),
  clientScopes: t.Array(ClientScope),
  clients: t.Array(Client),
  users: t.Array(User),
});

export type RealmExport = Static<typeof RealmExport>;
export type RealmClient = Static<typeof Client>;
export type RealmUser = Static<typeof User>;
export type RealmClientScope = Static<typeof ClientScope>;
export type ProtocolMapper = Static<typeof ProtocolMapper>;

/** Reads and validates a realm export; throws naming the first invalid field. */
export function loadRealm(file: string = DEFAULT_REALM_FILE): RealmExport {
  return parseRealm(JSON.parse(readFileSync(file, "utf8")), file);
}

export function parseRealm(json: unknown, source = "realm export"): RealmExport {
  const error = Value.Errors(RealmExport, json).First();
  if (error) throw new Error(`${source}: ${error.path || "/"} ${error.message}`);
  const realm = json as RealmExport;
  const scopeNames = new Set(realm.clientScopes.map((s) => s.name));
  for (const client of realm.clients) {
    for (const name of [...(client.defaultClientScopes ?? []), ...(client.optionalClientScopes ?? [])]) {
      if (!scopeNames.has(name)) throw new Error(`${source}: client ${client.clientId} names unknown client scope ${name}`);
    }
  }
  return realm;
}

/** Keycloak's `sub` is the user id; users without an id in the file get a stable one derived from the name. */
export function userId(realm: RealmExport, user: RealmUser): string {
  if (user.id) return user.id;
  const hex = createHash("sha256").update(`${realm.realm}/${user.username}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function findUserByName(realm: RealmExport, username: string): RealmUser | undefined {
  const wanted = username.trim().toLowerCase();
  return realm.users.find((u) => u.enabled !== false && (u.username.toLowerCase() === wanted || u.email?.toLowerCase() === wanted));
}

export function findUserById(realm: RealmExport, id: string): RealmUser | undefined {
  return realm.users.find((u) => u.enabled !== false && userId(realm, u) === id);
}

export function passwordMatches(user: RealmUser, password: string): boolean {
  const stored = user.credentials?.find((c) => c.type === "password")?.value;
  if (stored === undefined) return false;
  const a = Buffer.from(stored);
  const b = Buffer.from(password);
  return a.length === b.length && timingSafeEqual(a, b);
}

function includeInTokenScope(scope: RealmClientScope): boolean {
  return scope.attributes?.["include.in.token.scope"] !== "false";
}

/**
 * Keycloak's rule for the effective client scopes of a request: every default client scope of the client,
 * plus the optional client scopes the request named. Requested names the client does not have are dropped.
 */
export function effectiveClientScopes(realm: RealmExport, client: RealmClient, requested: Iterable<string>): RealmClientScope[] {
  const wanted = new Set(requested);
  const names = new Set([...(client.defaultClientScopes ?? []), ...(client.optionalClientScopes ?? []).filter((n) => wanted.has(n))]);
  return realm.clientScopes.filter((s) => names.has(s.name));
}

/** The `scope` parameter that yields Keycloak's `scope` claim: `openid` plus effective scopes shown in tokens. */
export function effectiveScopeParameter(realm: RealmExport, client: RealmClient, requested: Iterable<string>): string {
  const names = effectiveClientScopes(realm, client, requested)
    .filter(includeInTokenScope)
    .map((s) => s.name);
  return ["openid", ...names].join(" ");
}

/** Every scope value any client can end up with in its `scope` claim. */
export function tokenScopeNames(realm: RealmExport): string[] {
  return ["openid", ...realm.clientScopes.filter(includeInTokenScope).map((s) => s.name)];
}

export type TokenKind = "access" | "id" | "userinfo";

const claimFlag: Record<TokenKind, string> = {
  access: "access.token.claim",
  id: "id.token.claim",
  userinfo: "userinfo.token.claim",
};

function userAttribute(user: RealmUser, attribute: string): unknown {
  switch (attribute) {
    case "username":
      return user.username;
    case "email":
      return user.email;
    case "emailVerified":
      return user.emailVerified ?? false;
    case "firstName":
      return user.firstName;
    case "lastName":
      return user.lastName;
    default:
      return user.attributes?.[attribute]?.[0];
  }
}

/** Sets `a.b.c` like Keycloak's claim.name (dots nest; `\.` is a literal dot). */
function setClaim(target: Record<string, unknown>, path: string, value: unknown, multivalued: boolean): void {
  const parts = path.split(/(?<!\\)\./).map((p) => p.replace(/\\\./g, "."));
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next && typeof next === "object" && !Array.isArray(next)) node = next as Record<string, unknown>;
    else node = node[part] = {};
  }
  const leaf = parts[parts.length - 1] as string;
  if (multivalued) {
    const existing = Array.isArray(node[leaf]) ? (node[leaf] as unknown[]) : [];
    const values = Array.isArray(value) ? value : [value];
    node[leaf] = [...new Set([...existing, ...values])];
  } else {
    node[leaf] = value;
  }
}

function convert(value: unknown, jsonType: string | undefined): unknown {
  if (value === undefined) return undefined;
  if (jsonType === "boolean") return value === true || value === "true";
  if (jsonType === "long" || jsonType === "int") return Number(value);
  return value;
}

export interface MappedClaims {
  claims: Record<string, unknown>;
  audiences: string[];
}

/**
 * Applies the protocol mappers of the effective client scopes (and of the client itself) for one token kind.
 * Supported mapper types are the ones the Meridian realm uses; others are ignored here and listed in the README.
 */
export function mapClaims(
  realm: RealmExport,
  client: RealmClient,
  user: RealmUser,
  scopes: RealmClientScope[],
  kind: TokenKind,
): MappedClaims {
  const claims: Record<string, unknown> = {};
  const audiences: string[] = [];
  const mappers = [...scopes.flatMap((s) => s.protocolMappers ?? []), ...(client.protocolMappers ?? [])];
  const realmRoleNames = new Set((realm.roles?.realm ?? []).map((r) => r.name));
  const userRoles = (user.realmRoles ?? []).filter((r) => realmRoleNames.size === 0 || realmRoleNames.has(r));
  for (const mapper of mappers) {
    const config = mapper.config ?? {};
    if (config[claimFlag[kind]] !== "true") continue;
    const multivalued = config.multivalued === "true";
    switch (mapper.protocolMapper) {
      case "oidc-usermodel-realm-role-mapper":
        setClaim(claims, config["claim.name"] ?? "realm_access.roles", userRoles, true);
        break;
      case "oidc-usermodel-attribute-mapper":
      case "oidc-usermodel-property-mapper": {
        const value = convert(userAttribute(user, config["user.attribute"] ?? ""), config["jsonType.label"]);
        if (value !== undefined && config["claim.name"]) setClaim(claims, config["claim.name"], value, multivalued);
        break;
      }
      case "oidc-full-name-mapper": {
        const name = [user.firstName, user.lastName].filter(Boolean).join(" ");
        if (name) claims.name = name;
        break;
      }
      case "oidc-audience-mapper":
        if (kind === "access" && config["included.custom.audience"]) audiences.push(config["included.custom.audience"]);
        if (kind === "access" && config["included.client.audience"]) audiences.push(config["included.client.audience"]);
        break;
      case "oidc-allowed-origins-mapper":
        if (client.webOrigins?.length) claims["allowed-origins"] = client.webOrigins;
        break;
      case "oidc-acr-mapper":
        claims.acr = "1";
        break;
      default:
        // oidc-sub-mapper, auth_time, client roles and audience resolve: the provider sets sub/auth_time
        // itself, and the Meridian realm defines no client roles.
        break;
    }
  }
  return { claims, audiences };
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** `http://localhost:4200/x` → `http://localhost/x`: the port dropped, for the loopback-any-port option. */
function withoutLoopbackPort(uri: string): string {
  const wildcard = uri.endsWith("*");
  const parsed = URL.parse(wildcard ? uri.slice(0, -1) : uri);
  if (!parsed || !LOOPBACK_HOSTS.has(parsed.hostname)) return uri;
  parsed.port = "";
  return parsed.href + (wildcard ? "*" : "");
}

/**
 * Keycloak redirect URI matching: exact, or a prefix match when the registered URI ends in `*`.
 * With `anyLoopbackPort` (dev IdP option for test harnesses on free ports) loopback URIs match on any port.
 */
export function uriAllowed(value: string, registered: string[], options: { anyLoopbackPort?: boolean } = {}): boolean {
  const norm = options.anyLoopbackPort ? withoutLoopbackPort : (u: string) => u;
  const candidate = norm(value);
  return registered.some((raw) => {
    const pattern = norm(raw);
    return pattern.endsWith("*") ? candidate.startsWith(pattern.slice(0, -1)) : candidate === pattern;
  });
}

/** Web origins as Keycloak reads them: `+` means "the origins of the redirect URIs", `*` any. */
export function originAllowed(client: RealmClient, origin: string, options: { anyLoopbackPort?: boolean } = {}): boolean {
  const origins = client.webOrigins ?? [];
  if (origins.includes("*")) return true;
  const registered = origins.flatMap((o) =>
    o === "+" ? (client.redirectUris ?? []).flatMap((uri) => URL.parse(uri.replace(/\*$/, ""))?.origin ?? []) : [o],
  );
  return uriAllowed(
    `${origin}/`,
    registered.map((o) => `${o.replace(/\/+$/, "")}/`),
    options,
  );
}

/** `post.logout.redirect.uris` is `##`-separated; `+` means "same as the redirect URIs". */
export function postLogoutRedirectUris(client: RealmClient): string[] {
  const raw = client.attributes?.["post.logout.redirect.uris"];
  if (!raw) return [];
  return raw.split("##").flatMap((u) => (u === "+" ? (client.redirectUris ?? []) : [u]));
}
