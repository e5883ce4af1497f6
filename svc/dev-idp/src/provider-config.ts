/**
 * oidc-provider's configuration from the realm: clients, Keycloak's routes, token lifetimes, PKCE, CORS, and the
 * accounts, grants and token claims the realm's users, scopes and mappers define.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { ClientMetadata, Configuration, KoaContextWithOIDC } from "oidc-provider";
import { API_RESOURCE, KEYCLOAK_ROUTES, type RealmContext } from "./context";
import { errorPage, logoutPage, signedOutPage } from "./pages";
import { effectiveClientScopes, findUserById, mapClaims, originAllowed, postLogoutRedirectUris, type RealmClient } from "./realm";

function clientMetadata(client: RealmClient): ClientMetadata {
  const isPublic = client.publicClient === true;
  return {
    client_id: client.clientId,
    client_name: client.name ?? client.clientId,
    ...(isPublic ? {} : { client_secret: client.secret ?? "" }),
    // Keycloak accepts basic and post for client-secret clients; oidc-provider needs one, and basic is the
    // OAuth 2.0 default every client library supports.
    token_endpoint_auth_method: isPublic ? "none" : "client_secret_basic",
    redirect_uris: client.redirectUris ?? [],
    post_logout_redirect_uris: postLogoutRedirectUris(client),
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
  };
}

/** Revocation, introspection, logout pages and the API resource (JWT access tokens for the realm's scopes). */
function features(ctx: RealmContext, accessTokenTtl: number): Configuration["features"] {
  return {
    devInteractions: { enabled: false },
    // A client may revoke or introspect only its own tokens (Keycloak's rule too).
    revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
    introspection: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: (koa, form) => {
        koa.type = "html";
        koa.body = logoutPage(form, typeof koa.oidc.params?.id_token_hint === "string");
      },
      postLogoutSuccessSource: (koa) => {
        koa.type = "html";
        koa.body = signedOutPage(koa.oidc.client?.clientName);
      },
    },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => API_RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (_koa, _resource, client) => ({
        scope: ctx.scopeNames.join(" "),
        audience: ctx.audiencesFor(client.clientId, "")[0],
        accessTokenFormat: "jwt",
        accessTokenTTL: accessTokenTtl,
        jwt: { sign: { alg: "RS256" } },
      }),
    },
  };
}

/** The realm's users as accounts, grants without consent, and Keycloak-shaped access token claims. */
function accounts(ctx: RealmContext): Pick<Configuration, "findAccount" | "loadExistingGrant" | "extraTokenClaims"> {
  const { realm, realmClient } = ctx;
  return {
    findAccount: async (koa, sub) => {
      const user = findUserById(realm, sub);
      if (!user) return undefined;
      const client = () => realmClient(koa.oidc.client?.clientId ?? "");
      return {
        accountId: sub,
        claims: async (use, scope) => {
          const scopes = effectiveClientScopes(realm, client(), scope.split(" "));
          const mapped = mapClaims(realm, client(), user, scopes, use === "id_token" ? "id" : "userinfo");
          return { ...mapped.claims, sub };
        },
      };
    },
    // Keycloak clients here need no consent: the grant is everything the client may have; the request's
    // scope (rewritten by effectiveScopeParameter) picks what the tokens carry.
    loadExistingGrant: async (koa: KoaContextWithOIDC) => {
      const { client, session } = koa.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = koa.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      const existing = grantId ? await koa.oidc.provider.Grant.find(grantId) : undefined;
      if (existing && existing.accountId === session.accountId) return existing;
      const grant = new koa.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope("openid offline_access");
      grant.addResourceScope(API_RESOURCE, ctx.scopeNames.join(" "));
      await grant.save();
      return grant;
    },
    extraTokenClaims: async (koa, token) => {
      if (token.kind !== "AccessToken" || !token.accountId || !token.clientId) return undefined;
      const user = findUserById(realm, token.accountId);
      if (!user) return undefined;
      const client = realmClient(token.clientId);
      const scopes = effectiveClientScopes(realm, client, (token.scope ?? "").split(" "));
      const { claims } = mapClaims(realm, client, user, scopes, "access");
      return { ...claims, typ: "Bearer", azp: token.clientId, sid: koa.oidc.session?.uid ?? token.sessionUid };
    },
  };
}

function lifetimes(ctx: RealmContext, accessTokenTtl: number): Configuration["ttl"] {
  return {
    AccessToken: accessTokenTtl,
    IdToken: accessTokenTtl,
    AuthorizationCode: 60,
    Interaction: 30 * 60,
    RefreshToken: ctx.realm.ssoSessionIdleTimeout ?? 1800,
    Session: ctx.realm.ssoSessionMaxLifespan ?? 36000,
    Grant: ctx.realm.ssoSessionMaxLifespan ?? 36000,
  };
}

export function providerConfiguration(ctx: RealmContext, signingKey: Record<string, unknown>): Configuration {
  const accessTokenTtl = ctx.realm.accessTokenLifespan ?? 300;
  return {
    clients: ctx.clients.map(clientMetadata),
    jwks: { keys: [{ ...signingKey, kid: randomUUID(), use: "sig", alg: "RS256" }] },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    scopes: ["openid", "offline_access"],
    claims: { openid: [...ctx.claimNames] },
    conformIdTokenClaims: false,
    routes: KEYCLOAK_ROUTES,
    interactions: { url: (_koa, interaction) => `${ctx.base}/login-actions/${interaction.uid}` },
    features: features(ctx, accessTokenTtl),
    pkce: {
      required: (_koa, client) =>
        client.clientAuthMethod === "none" || ctx.realmClient(client.clientId).attributes?.["pkce.code.challenge.method"] === "S256",
    },
    ttl: lifetimes(ctx, accessTokenTtl),
    // Keycloak issues a refresh token with every code exchange; so do we.
    issueRefreshToken: async (_koa, client) => client.grantTypeAllowed("refresh_token"),
    clientBasedCORS: (_koa, origin, client) => originAllowed(ctx.realmClient(client.clientId), origin, ctx.uriOptions),
    ...accounts(ctx),
    formats: {
      customizers: {
        // Keycloak's access tokens: header typ JWT, aud from the audience mappers (an array when several).
        jwt: (_koa, token, jwt) => {
          jwt.header = { typ: "JWT" };
          const clientId = (token as { clientId?: string }).clientId;
          if (clientId) {
            const auds = ctx.audiencesFor(clientId, (token as { scope?: string }).scope ?? "");
            jwt.payload.aud = auds.length === 1 ? auds[0] : auds;
          }
        },
      },
    },
    renderError: (koa, out, error) => {
      ctx.log("warn", "oidc error", { error: out.error, description: out.error_description, cause: String(error) });
      koa.type = "html";
      koa.body = errorPage({ ...out });
    },
  };
}
