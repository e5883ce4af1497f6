/** /auth/*: sign-in (code flow + PKCE as the confidential client), callback, who-am-I and sign-out. */
import { Elysia, t } from "elysia";
import { problems, type Logger } from "@meridian/kit";
import { readCookies, type CookieWriter } from "../cookies";
import { sessionExpired } from "../guard";
import type { Guard } from "../guard";
import type { OidcClient } from "../oidc";
import { signInFailedPage } from "../pages";
import { resolveReturnTo } from "../return-to";
import { createRefusals, notAdmin } from "../refusals";
import { randomToken, type SessionStore } from "../sessions";

export interface AuthRouteDeps {
  oidc: OidcClient;
  store: SessionStore;
  guard: Guard;
  cookies: CookieWriter;
  publicUrl: string;
  appUrl: string;
  requiredRole: string;
  logger: Logger;
}

const NO_STORE = { "cache-control": "no-store" };

function html(status: number, body: string, extra: Record<string, string> = {}): Response {
  const headers = new Headers(extra);
  headers.set("content-type", "text/html; charset=utf-8");
  headers.set("cache-control", "no-store");
  return new Response(body, { status, headers });
}

export function authRoutes(deps: AuthRouteDeps) {
  const names = deps.cookies.names;
  const loggedOutUrl = `${deps.publicUrl}/auth/logged-out`;
  /** A pending login stores an already resolved URL; checked again in case it predates the rule. */
  const appLocation = (returnTo: string) => resolveReturnTo(returnTo, deps.appUrl) ?? deps.appUrl;

  const refusals = createRefusals({ store: deps.store, cookies: deps.cookies, appUrl: deps.appUrl });

  return new Elysia({ name: "bff-auth" })
    .get(
      "/auth/login",
      async ({ query }) => {
        const returnTo = resolveReturnTo(query.returnTo ?? "/", deps.appUrl);
        if (!returnTo) {
          throw problems.validation(
            [{ field: "returnTo", message: "must be a path on the admin app, without control characters" }],
            "returnTo does not name a page of the admin console.",
          );
        }
        const login = await deps.oidc.loginRequest().catch((err: unknown) => {
          deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, "identity provider unreachable");
          throw problems.serviceUnavailable("The identity provider cannot be reached; try again shortly.");
        });
        await deps.store.savePendingLogin(login.state, {
          codeVerifier: login.codeVerifier,
          nonce: login.nonce,
          returnTo,
        });
        const headers = new Headers({ location: login.url, ...NO_STORE });
        headers.append("set-cookie", deps.cookies.login(login.state));
        return new Response(null, { status: 303, headers });
      },
      {
        query: t.Object({
          returnTo: t.Optional(t.String({ maxLength: 2048, pattern: "^/(?![/\\\\])", description: "path on the admin app" })),
        }),
        detail: { summary: "Start sign-in: redirects to the identity provider" },
      },
    )
    .get(
      "/auth/callback",
      async ({ request, query }) => {
        if (query.error) {
          return html(400, signInFailedPage(`The identity provider answered ${query.error}: ${query.error_description ?? "no details"}.`));
        }
        const bound = readCookies(request).get(names.login);
        if (!bound || bound !== query.state) {
          return html(400, signInFailedPage("This sign-in was not started in this browser, or it took too long."));
        }
        const pending = await deps.store.takePendingLogin(query.state);
        if (!pending) return html(400, signInFailedPage("This sign-in expired or was already used."));

        // The URL as the IdP redirected to it: our public origin, whatever proxy sits in front.
        const callbackUrl = new URL(`${deps.publicUrl}/auth/callback${new URL(request.url).search}`);
        let tokens: Awaited<ReturnType<typeof deps.oidc.exchangeCode>>;
        try {
          tokens = await deps.oidc.exchangeCode(callbackUrl, { state: query.state, ...pending });
        } catch (err) {
          deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, "code exchange failed");
          return html(400, signInFailedPage("The identity provider did not accept this sign-in. Try again."));
        }
        const auth = await deps.oidc.verifyAccessToken(tokens.accessToken);
        const username = typeof auth.claims.preferred_username === "string" ? auth.claims.preferred_username : auth.sub;
        const clearLogin = deps.cookies.clear(names.login, "/auth/callback");

        if (!auth.roles.includes(deps.requiredRole)) {
          deps.logger.info({ sub: auth.sub, username }, "sign-in refused: missing role");
          if (tokens.refreshToken) await deps.oidc.revoke(tokens.refreshToken).catch(() => undefined);
          // No session: the admin app's own refusal page says who was refused and offers to sign out.
          const refusalCookie = await refusals.remember({
            username,
            requiredRole: deps.requiredRole,
            endSessionUrl: await deps.oidc.endSessionUrl(tokens.idToken, loggedOutUrl),
          });
          const headers = new Headers({ location: refusals.pageUrl, ...NO_STORE });
          headers.append("set-cookie", refusalCookie);
          headers.append("set-cookie", clearLogin);
          return new Response(null, { status: 303, headers });
        }

        // A sign-in always starts a fresh session id (no fixation); a previous session of this browser ends.
        const previous = await deps.guard.current(request);
        if (previous) await deps.store.delete(previous.id);
        const { had: hadRefusal } = await refusals.take(request);
        const csrfToken = randomToken();
        const id = await deps.store.create({
          sub: auth.sub,
          username,
          roles: auth.roles,
          accessToken: tokens.accessToken,
          refreshToken: tokens.refreshToken,
          idToken: tokens.idToken,
          accessTokenExpiresAt: tokens.accessTokenExpiresAt,
          csrfToken,
          createdAt: Date.now(),
        });
        deps.logger.info({ sub: auth.sub, username }, "signed in");
        const headers = new Headers({ location: appLocation(pending.returnTo), ...NO_STORE });
        headers.append("set-cookie", deps.cookies.session(id));
        headers.append("set-cookie", deps.cookies.csrf(csrfToken));
        headers.append("set-cookie", clearLogin);
        if (hadRefusal) headers.append("set-cookie", refusals.clearCookie);
        return new Response(null, { status: 303, headers });
      },
      {
        query: t.Object(
          {
            state: t.String({ minLength: 1, maxLength: 512 }),
            code: t.Optional(t.String({ minLength: 1, maxLength: 4096 })),
            iss: t.Optional(t.String({ maxLength: 2048 })),
            session_state: t.Optional(t.String({ maxLength: 512 })),
            error: t.Optional(t.String({ maxLength: 256 })),
            error_description: t.Optional(t.String({ maxLength: 2048 })),
          },
          { additionalProperties: true },
        ),
        detail: { summary: "Redirect target of the identity provider" },
      },
    )
    .get(
      "/auth/me",
      async ({ request, set }) => {
        const active = await deps.guard.current(request);
        if (!active) {
          const refused = await refusals.of(request);
          if (refused) throw notAdmin(refused);
          throw sessionExpired("No admin session: sign in at /auth/login.");
        }
        const session = await deps.guard.refreshed(active);
        set.headers["cache-control"] = "no-store";
        // Re-issue the readable CSRF cookie in case the browser dropped it.
        set.headers["set-cookie"] = deps.cookies.csrf(session.csrfToken);
        return {
          username: session.username,
          sub: session.sub,
          roles: session.roles,
          csrfToken: session.csrfToken,
        };
      },
      {
        response: t.Object({ username: t.String(), sub: t.String(), roles: t.Array(t.String()), csrfToken: t.String() }),
        detail: { summary: "The signed-in administrator and the CSRF token for unsafe requests" },
      },
    )
    .post(
      "/auth/logout",
      async ({ request }) => {
        const active = await deps.guard.current(request);
        let logoutUrl = deps.appUrl;
        if (active) {
          deps.guard.checkCsrf(request, active.session);
          await deps.store.delete(active.id);
          if (active.session.refreshToken) {
            await deps.oidc
              .revoke(active.session.refreshToken)
              .catch((err: unknown) =>
                deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, "refresh token revocation failed"),
              );
          }
          logoutUrl = await deps.oidc.endSessionUrl(active.session.idToken, loggedOutUrl);
          deps.logger.info({ sub: active.session.sub }, "signed out");
        }
        const { had: hadRefusal, refusal } = await refusals.take(request);
        if (!active && refusal) logoutUrl = refusal.endSessionUrl;
        const headers = new Headers({ "content-type": "application/json", ...NO_STORE });
        headers.append("set-cookie", deps.cookies.clear(names.session));
        headers.append("set-cookie", deps.cookies.clear(names.csrf));
        if (hadRefusal) headers.append("set-cookie", refusals.clearCookie);
        // The browser goes on to the IdP's end-session endpoint to end the single sign-on session too.
        return new Response(JSON.stringify({ logoutUrl }), { status: 200, headers });
      },
      { detail: { summary: "End the BFF session; answers the IdP end-session URL to navigate to" } },
    )
    .get("/auth/logged-out", () => new Response(null, { status: 303, headers: { location: deps.appUrl, ...NO_STORE } }), {
      detail: { summary: "Post-logout landing: back to the admin app" },
    });
}
