/**
 * The dev IdP's router: health, the sign-in interaction, and everything below `/realms/<realm>` handed to
 * oidc-provider at Keycloak's paths (the authorization request's scope rewritten as Keycloak would).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import { KEYCLOAK_ROUTES, type RealmContext } from "../context";
import { send } from "../http";
import { errorPage } from "../pages";
import { effectiveScopeParameter } from "../realm";
import { loginRoute } from "./login";

export function devIdpRouter(ctx: RealmContext, provider: Provider, issuer: string) {
  const { base, realm } = ctx;
  const login = loginRoute(ctx, provider);
  const oidcCallback = provider.callback();
  const loginPath = new RegExp(`^${base}/login-actions/([A-Za-z0-9_-]+)(?:/(login))?$`);

  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? "/", "http://dev-idp.invalid");
    const path = url.pathname;
    if (path === "/health/live" || path === "/health/ready") {
      send(res, 200, "application/json", JSON.stringify({ status: "up", issuer }));
      return;
    }
    const interaction = path.match(loginPath);
    if (interaction) {
      login(req, res, interaction[1] as string, interaction[2]).catch((err: unknown) => {
        ctx.log("warn", "interaction failed", { err: String(err) });
        const expired = errorPage({ error: "This sign-in attempt expired. Start again from the application." });
        if (!res.headersSent) send(res, 400, "text/html; charset=utf-8", expired);
      });
      return;
    }
    if (path !== base && !path.startsWith(`${base}/`)) {
      send(res, 404, "application/json", JSON.stringify({ error: "not_found", issuer }));
      return;
    }
    // Keycloak's default client scopes are in every token; optional ones only when requested.
    if (path === `${base}${KEYCLOAK_ROUTES.authorization}` && req.method === "GET") {
      const client = ctx.clientById.get(url.searchParams.get("client_id") ?? "");
      if (client) url.searchParams.set("scope", effectiveScopeParameter(realm, client, (url.searchParams.get("scope") ?? "").split(" ")));
    }
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = `${path}${url.search}`;
    req.url = `${path.slice(base.length) || "/"}${url.search}`;
    oidcCallback(req, res);
  };
}
