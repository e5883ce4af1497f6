/**
 * The development OpenID provider: oidc-provider configured from the Keycloak realm export, mounted under
 * `/realms/<realm>` with Keycloak's endpoint paths, issuing Keycloak-shaped JWT access tokens.
 * The parts: context.ts (what the realm defines), provider-config.ts (oidc-provider's configuration),
 * routes/ (the router and the sign-in interaction).
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { realmContext, type DevIdpLog, type RealmContext } from "./context";
import { send } from "./http";
import { providerConfiguration } from "./provider-config";
import type { RealmExport } from "./realm";
import { uriAllowed } from "./realm";
import { devIdpRouter } from "./routes";

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
  log?: DevIdpLog;
}

export interface RunningDevIdp {
  issuer: string;
  /** Base URL of the listener (http://host:port). */
  url: string;
  port: number;
  provider: Provider;
  stop(): Promise<void>;
}

/** Keycloak's redirect URI rules (exact, or any loopback port in test harnesses) instead of oidc-provider's. */
function createProvider(ctx: RealmContext, issuer: string): Provider {
  const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  const provider = new Provider(issuer, providerConfiguration(ctx, signingKey as Record<string, unknown>));
  provider.Client.prototype.redirectUriAllowed = function (this: { redirectUris?: string[] }, value: string) {
    return uriAllowed(value, this.redirectUris ?? [], ctx.uriOptions);
  };
  provider.Client.prototype.postLogoutRedirectUriAllowed = function (this: { postLogoutRedirectUris?: string[] }, value: string) {
    return uriAllowed(value, this.postLogoutRedirectUris ?? [], ctx.uriOptions);
  };
  provider.on("server_error", (_koa, err) => ctx.log("error", "oidc server error", { err: String(err?.stack ?? err) }));
  return provider;
}

export async function startDevIdp(options: DevIdpOptions): Promise<RunningDevIdp> {
  const ctx = realmContext(options.realm, options);
  // Listen first: the issuer carries the real port when port 0 was asked for.
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => send(res, 503, "text/plain", "starting");
  const server: Server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://${options.publicHost ?? "localhost"}:${port}${ctx.base}`;
  const provider = createProvider(ctx, issuer);
  handler = devIdpRouter(ctx, provider, issuer);

  ctx.log("info", "dev identity provider listening", { issuer, clients: ctx.clients.map((c) => c.clientId) });
  if (ctx.uriOptions.anyLoopbackPort) ctx.log("warn", "loopback redirect URIs and web origins match on any port (development only)");
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
