/** What every part of the dev IdP reads from the realm export: its clients, scopes, claims and URI rules. */
import { effectiveClientScopes, mapClaims, tokenScopeNames, type RealmClient, type RealmExport } from "./realm";

export type DevIdpLog = (level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;

/** Internal resource indicator for "the Meridian APIs"; clients never need to send it. */
export const API_RESOURCE = "urn:meridian:api";

/** Keycloak's endpoint paths below the issuer, so clients configured for Keycloak work unchanged. */
export const KEYCLOAK_ROUTES = {
  authorization: "/protocol/openid-connect/auth",
  token: "/protocol/openid-connect/token",
  userinfo: "/protocol/openid-connect/userinfo",
  jwks: "/protocol/openid-connect/certs",
  end_session: "/protocol/openid-connect/logout",
  revocation: "/protocol/openid-connect/revoke",
  introspection: "/protocol/openid-connect/token/introspect",
} as const;

export interface RealmContext {
  realm: RealmExport;
  /** `/realms/<realm>`: every endpoint is below it. */
  base: string;
  clients: RealmClient[];
  clientById: Map<string, RealmClient>;
  realmClient(clientId: string): RealmClient;
  scopeNames: string[];
  /** Every claim a mapper may emit (oidc-provider serves only declared claims). */
  claimNames: Set<string>;
  uriOptions: { anyLoopbackPort: boolean };
  /** The access token's audiences for a client and scope (the realm's audience mappers). */
  audiencesFor(clientId: string, scope: string): string[];
  log: DevIdpLog;
}

function claimNamesOf(realm: RealmExport): Set<string> {
  const names = new Set<string>(["sub", "name", "acr", "allowed-origins"]);
  for (const scope of realm.clientScopes) {
    for (const m of scope.protocolMappers ?? []) {
      const name = m.config?.["claim.name"];
      if (name) names.add(name.split(/(?<!\\)\./)[0] as string);
    }
  }
  return names;
}

export function realmContext(realm: RealmExport, options: { anyLoopbackPort?: boolean; log?: DevIdpLog }): RealmContext {
  const clients = realm.clients.filter((c) => c.enabled !== false && c.standardFlowEnabled !== false);
  const clientById = new Map(clients.map((c) => [c.clientId, c]));
  const realmClient = (clientId: string): RealmClient => {
    const client = clientById.get(clientId);
    if (!client) throw new Error(`unknown client ${clientId}`);
    return client;
  };
  return {
    realm,
    base: `/realms/${realm.realm}`,
    clients,
    clientById,
    realmClient,
    scopeNames: tokenScopeNames(realm),
    claimNames: claimNamesOf(realm),
    uriOptions: { anyLoopbackPort: options.anyLoopbackPort === true },
    audiencesFor(clientId, scope) {
      const client = realmClient(clientId);
      const scopes = effectiveClientScopes(realm, client, scope.split(" "));
      const { audiences } = mapClaims(realm, client, { username: "" }, scopes, "access");
      return audiences.length > 0 ? [...new Set(audiences)] : [clientId];
    },
    log: options.log ?? (() => {}),
  };
}
