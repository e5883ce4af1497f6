/** The sign-in interaction: `<base>/login-actions/<uid>` shows the login page, `/login` checks the realm's user. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import type { RealmContext } from "../context";
import { readBody, send } from "../http";
import { errorPage, loginPage } from "../pages";
import { findUserByName, passwordMatches, userId } from "../realm";

export function loginRoute(ctx: RealmContext, provider: Provider) {
  const { realm, base } = ctx;
  const html = "text/html; charset=utf-8";
  return async (req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined): Promise<unknown> => {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return send(res, 400, "text/html", errorPage({ error: "interaction mismatch" }));
    const clientId = String(details.params.client_id ?? "");
    const page = {
      realmName: realm.displayName ?? realm.realm,
      clientName: ctx.clientById.get(clientId)?.name ?? clientId,
      action: `${base}/login-actions/${uid}/login`,
    };
    if (details.prompt.name !== "login") {
      // Consent is never asked for (the grant is loaded by loadExistingGrant); finish the interaction as is.
      return provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
    }
    if (req.method === "GET" && action === undefined) return send(res, 200, html, loginPage(page));
    if (req.method !== "POST" || action !== "login") return send(res, 405, "text/plain", "method not allowed");
    const form = await readBody(req);
    const username = form.get("username") ?? "";
    const user = findUserByName(realm, username);
    if (!user || !passwordMatches(user, form.get("password") ?? "")) {
      ctx.log("info", "login failed", { username });
      return send(res, 401, html, loginPage({ ...page, username, error: "Invalid username or password." }));
    }
    ctx.log("info", "login", { username: user.username, client: clientId });
    return provider.interactionFinished(req, res, { login: { accountId: userId(realm, user) } }, { mergeWithLastSubmission: false });
  };
}
