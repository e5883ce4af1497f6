/**
 * The development OpenID provider: oidc-provider configured from the Keycloak realm export, mounted under
 * `/realms/<realm>` with Keycloak's endpoint paths, issuing Keycloak-shaped JWT access tokens.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import Provider, { type ClientMetadata, type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import {
  effectiveClientScopes,
  effectiveScopeParameter,
  findUserById,
  findUserByName,
  mapClaims,
  originAllowed,
  passwordMatches,
  postLogoutRedirectUris,
  tokenScopeNames,
  uriAllowed,
  userId,
  type RealmClient,
  type RealmExport,
} from "./realm";
import { errorPage, loginPage, logoutPage, signedOutPage } from "./pages";

/** Internal resource indicator for "the Meridian APIs"; clients never need to send it. */
const API_RESOURCE = "urn:meridian:api";

/** Keycloak's endpoint paths below the issuer, so clients configured for Keycloak work unchanged. */
const KEYCLOAK_ROUTES = {
  authorization: "/protocol/openid-connect/auth",
  token: "/protocol/openid-connect/token",
  userinfo: "/protocol/openid-connect/userinfo",
  jwks: "/protocol/openid-connect/certs",
  end_session: "/protocol/openid-connect/logout",
  revocation: "/protocol/openid-connect/revoke",
  introspection: "/protocol/openid-connect/token/introspect",
} as const;

export interface DevIdpOptions {
  realm: RealmExport;
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** Host name used in the issuer URL (default `localhost`, as in docs/identity.md). */
  publicHost?: string;
  /**
   * Let loopback redirect URIs and web origins match on any port (test harnesses that run the BFF or the SPA
   * on free ports). Never for anything but local development.
   */
  anyLoopbackPort?: boolean;
  /** Log sink for one-line events; defaults to silence. */
  log?: (level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;
}

export interface RunningDevIdp {
  issuer: string;
  /** Base URL of the listener (http://host:port). */
  url: string;
  port: number;
  provider: Provider;
  stop(): Promise<void>;
}

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

function readBody(req: IncomingMessage, limit = 16 * 1024): Promise<URLSearchParams> {
  return new Promise((resolveBody, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolveBody(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    "content-type": type,
    "cache-control": "no-store",
    "x-frame-options": "DENY",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; frame-ancestors 'none'",
  });
  res.end(body);
}

export async function startDevIdp(options: DevIdpOptions): Promise<RunningDevIdp> {
  const { realm } = options;
  const log = options.log ?? (() => {});
  const base = `/realms/${realm.realm}`;
  const uriOptions = { anyLoopbackPort: options.anyLoopbackPort === true };
  const clients = realm.clients.filter((c) => c.enabled !== false && c.standardFlowEnabled !== false);
  const clientById = new Map(clients.map((c) => [c.clientId, c]));
  const realmClient = (clientId: string): RealmClient => {
    const client = clientById.get(clientId);
    if (!client) throw new Error(`unknown client ${clientId}`);
    return client;
  };
  const scopeNames = tokenScopeNames(realm);
  const allClaimNames = new Set<string>(["sub", "name", "acr", "allowed-origins"]);
  for (const scope of realm.clientScopes) {
    for (const m of scope.protocolMappers ?? []) {
      const name = m.config?.["claim.name"];
      if (name) allClaimNames.add(name.split(/(?<!\\)\./)[0] as string);
    }
  }

  // Listen first: the issuer carries the real port when port 0 was asked for.
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => send(res, 503, "text/plain", "starting");
  const server: Server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://${options.publicHost ?? "localhost"}:${port}${base}`;

  const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  const accessTokenTtl = realm.accessTokenLifespan ?? 300;

  const audiencesFor = (clientId: string, scope: string): string[] => {
    const client = realmClient(clientId);
    const scopes = effectiveClientScopes(realm, client, scope.split(" "));
    const { audiences } = mapClaims(realm, client, { username: "" }, scopes, "access");
    return audiences.length > 0 ? [...new Set(audiences)] : [clientId];
  };

  const configuration: Configuration = {
    clients: clients.map(clientMetadata),
    jwks: { keys: [{ ...signingKey, kid: randomUUID(), use: "sig", alg: "RS256" }] },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    scopes: ["openid", "offline_access"],
    claims: { openid: [...allClaimNames] },
    conformIdTokenClaims: false,
    routes: KEYCLOAK_ROUTES,
    interactions: { url: (_ctx, interaction) => `${base}/login-actions/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      // A client may revoke or introspect only its own tokens (Keycloak's rule too).
      revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      introspection: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = "html";
          ctx.body = logoutPage(form, typeof ctx.oidc.params?.id_token_hint === "string");
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = "html";
          ctx.body = signedOutPage(ctx.oidc.client?.clientName);
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, _resource, client) => ({
          scope: scopeNames.join(" "),
          audience: audiencesFor(client.clientId, "")[0],
          accessTokenFormat: "jwt",
          accessTokenTTL: accessTokenTtl,
          jwt: { sign: { alg: "RS256" } },
        }),
      },
    },
    pkce: {
      required: (_ctx, client) =>
        client.clientAuthMethod === "none" ||
        realmClient(client.clientId).attributes?.["pkce.code.challenge.method"] === "S256",
    },
    ttl: {
      AccessToken: accessTokenTtl,
      IdToken: accessTokenTtl,
      AuthorizationCode: 60,
      Interaction: 30 * 60,
      RefreshToken: realm.ssoSessionIdleTimeout ?? 1800,
      Session: realm.ssoSessionMaxLifespan ?? 36000,
      Grant: realm.ssoSessionMaxLifespan ?? 36000,
    },
    // Keycloak issues a refresh token with every code exchange; so do we.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    clientBasedCORS: (_ctx, origin, client) => originAllowed(realmClient(client.clientId), origin, uriOptions),
    findAccount: async (_ctx, sub) => {
      const user = findUserById(realm, sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: async (use, scope) => {
          const mapped = mapClaims(realm, realmClient(_ctx.oidc.client?.clientId ?? ""), user,
            effectiveClientScopes(realm, realmClient(_ctx.oidc.client?.clientId ?? ""), scope.split(" ")),
            use === "id_token" ? "id" : "userinfo");
          return { ...mapped.claims, sub };
        },
      };
    },
    // Keycloak clients here need no consent: the grant is everything the client may have; the request's
    // scope (rewritten by effectiveScopeParameter) picks what the tokens carry.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (existing && existing.accountId === session.accountId) return existing;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope("openid offline_access");
      grant.addResourceScope(API_RESOURCE, scopeNames.join(" "));
      await grant.save();
      return grant;
    },
    extraTokenClaims: async (ctx, token) => {
      if (token.kind !== "AccessToken" || !token.accountId || !token.clientId) return undefined;
      const user = findUserById(realm, token.accountId);
      if (!user) return undefined;
      const client = realmClient(token.clientId);
      const scopes = effectiveClientScopes(realm, client, (token.scope ?? "").split(" "));
      const { claims } = mapClaims(realm, client, user, scopes, "access");
      return { ...claims, typ: "Bearer", azp: token.clientId, sid: ctx.oidc.session?.uid ?? token.sessionUid };
    },
    formats: {
      customizers: {
        // Keycloak's access tokens: header typ JWT, aud from the audience mappers (an array when several).
        jwt: (_ctx, token, jwt) => {
          jwt.header = { typ: "JWT" };
          const clientId = (token as { clientId?: string }).clientId;
          if (clientId) {
            const auds = audiencesFor(clientId, (token as { scope?: string }).scope ?? "");
            jwt.payload.aud = auds.length === 1 ? auds[0] : auds;
          }
        },
      },
    },
    renderError: (ctx, out, error) => {
      log("warn", "oidc error", { error: out.error, description: out.error_description, cause: String(error) });
      ctx.type = "html";
      ctx.body = errorPage({ ...out });
    },
  };

  const provider = new Provider(issuer, configuration);
  provider.Client.prototype.redirectUriAllowed = function (this: { redirectUris?: string[] }, value: string) {
    return uriAllowed(value, this.redirectUris ?? [], uriOptions);
  };
  provider.Client.prototype.postLogoutRedirectUriAllowed = function (this: { postLogoutRedirectUris?: string[] }, value: string) {
    return uriAllowed(value, this.postLogoutRedirectUris ?? [], uriOptions);
  };
  provider.on("server_error", (_ctx, err) => log("error", "oidc server error", { err: String(err?.stack ?? err) }));
  const oidcCallback = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return send(res, 400, "text/html", errorPage({ error: "interaction mismatch" }));
    const clientId = String(details.params.client_id ?? "");
    const client = clientById.get(clientId);
    const formAction = `${base}/login-actions/${uid}/login`;
    const realmName = realm.displayName ?? realm.realm;
    const clientName = client?.name ?? clientId;

    if (details.prompt.name !== "login") {
      // Consent is never asked for (the grant is loaded by loadExistingGrant); finish the interaction as is.
      return provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
    }
    if (req.method === "GET" && action === undefined) {
      return send(res, 200, "text/html; charset=utf-8", loginPage({ realmName, clientName, action: formAction }));
    }
    if (req.method === "POST" && action === "login") {
      const form = await readBody(req);
      const username = form.get("username") ?? "";
      const user = findUserByName(realm, username);
      if (!user || !passwordMatches(user, form.get("password") ?? "")) {
        log("info", "login failed", { username });
        return send(res, 401, "text/html; charset=utf-8",
          loginPage({ realmName, clientName, action: formAction, username, error: "Invalid username or password." }));
      }
      log("info", "login", { username: user.username, client: clientId });
      return provider.interactionFinished(req, res, { login: { accountId: userId(realm, user) } }, { mergeWithLastSubmission: false });
    }
    return send(res, 405, "text/plain", "method not allowed");
  }

  handler = (req, res) => {
    const url = new URL(req.url ?? "/", "http://dev-idp.invalid");
    const path = url.pathname;
    if (path === "/health/live" || path === "/health/ready") {
      return send(res, 200, "application/json", JSON.stringify({ status: "up", issuer }));
    }
    const login = path.match(new RegExp(`^${base}/login-actions/([A-Za-z0-9_-]+)(?:/(login))?$`));
    if (login) {
      interaction(req, res, login[1] as string, login[2]).catch((err: unknown) => {
        log("warn", "interaction failed", { err: String(err) });
        if (!res.headersSent) send(res, 400, "text/html; charset=utf-8", errorPage({ error: "This sign-in attempt expired. Start again from the application." }));
      });
      return;
    }
    if (path === base || path.startsWith(`${base}/`)) {
      // Keycloak's default client scopes are in every token; optional ones only when requested.
      if (path === `${base}${KEYCLOAK_ROUTES.authorization}` && req.method === "GET") {
        const client = clientById.get(url.searchParams.get("client_id") ?? "");
        if (client) {
          url.searchParams.set("scope", effectiveScopeParameter(realm, client, (url.searchParams.get("scope") ?? "").split(" ")));
        }
      }
      const inner = path.slice(base.length) || "/";
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = `${path}${url.search}`;
      req.url = `${inner}${url.search}`;
      return oidcCallback(req, res);
    }
    send(res, 404, "application/json", JSON.stringify({ error: "not_found", issuer }));
  };

  log("info", "dev identity provider listening", { issuer, clients: clients.map((c) => c.clientId) });
  if (uriOptions.anyLoopbackPort) log("warn", "loopback redirect URIs and web origins match on any port (development only)");
  return {
    issuer,
    url: `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`,
    port,
    provider,
    stop: () =>
      new Promise<void>((resolveStop) => {
        server.close(() => resolveStop());
        server.closeAllConnections();
      }),
  };
}
