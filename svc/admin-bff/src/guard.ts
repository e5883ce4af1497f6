/**
 * What every session-bound request goes through: find the session from the cookie, check CSRF on unsafe
 * methods, and refresh the access token when it is near expiry (once per session, under a Redis lock).
 */
import { timingSafeEqual } from "node:crypto";
import { problems, ProblemError, type Logger } from "@meridian/kit";
import { readCookies, type CookieNames } from "./cookies";
import type { OidcClient } from "./oidc";
import type { Session, SessionStore } from "./sessions";

export const CSRF_HEADER = "x-csrf-token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Refresh when the access token has less than this left. */
const REFRESH_MARGIN_MS = 60_000;

export interface GuardDeps {
  store: SessionStore;
  oidc: OidcClient;
  cookies: CookieNames;
  requiredRole: string;
  /** Origins allowed to send unsafe requests (the BFF's and the admin app's). */
  allowedOrigins: Set<string>;
  logger: Logger;
}

export interface ActiveSession {
  id: string;
  session: Session;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function sessionExpired(detail: string): ProblemError {
  return new ProblemError({
    status: 401,
    slug: "session-required",
    title: "Sign-in required",
    detail,
    extensions: { loginUrl: "/auth/login" },
  });
}

export function createGuard(deps: GuardDeps) {
  async function current(request: Request): Promise<ActiveSession | undefined> {
    const id = readCookies(request).get(deps.cookies.session);
    if (!id) return undefined;
    const session = await deps.store.get(id);
    return session ? { id, session } : undefined;
  }

  async function require(request: Request): Promise<ActiveSession> {
    const active = await current(request);
    if (!active) throw sessionExpired("No admin session: sign in at /auth/login.");
    return active;
  }

  /** Double-submit: header equals the csrf cookie and the token stored with the session. */
  function checkCsrf(request: Request, session: Session): void {
    if (SAFE_METHODS.has(request.method)) return;
    const origin = request.headers.get("origin");
    if (origin && !deps.allowedOrigins.has(origin)) {
      throw problems.forbidden(`Requests from origin ${origin} are not accepted.`);
    }
    const header = request.headers.get(CSRF_HEADER) ?? "";
    const cookie = readCookies(request).get(deps.cookies.csrf) ?? "";
    if (!header || !sameSecret(header, session.csrfToken) || !sameSecret(cookie, session.csrfToken)) {
      throw new ProblemError({
        status: 403,
        slug: "csrf",
        title: "CSRF token missing or wrong",
        detail: `Unsafe requests must carry the ${deps.cookies.csrf} cookie's value in the X-CSRF-Token header.`,
      });
    }
  }

  async function refreshed(active: ActiveSession): Promise<Session> {
    const { id, session } = active;
    if (session.accessTokenExpiresAt - Date.now() > REFRESH_MARGIN_MS) return session;
    if (!session.refreshToken) {
      await deps.store.delete(id);
      throw sessionExpired("The session's tokens expired: sign in again.");
    }
    if (!(await deps.store.tryLockRefresh(id))) {
      // Another request of this session is refreshing: wait for its result (bounded).
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline) {
        await Bun.sleep(100);
        const latest = await deps.store.get(id);
        if (!latest) throw sessionExpired("The session ended: sign in again.");
        if (latest.accessTokenExpiresAt !== session.accessTokenExpiresAt) return latest;
      }
      if (session.accessTokenExpiresAt > Date.now()) return session;
      throw problems.serviceUnavailable("Token refresh is taking too long; try again.");
    }
    try {
      const tokens = await deps.oidc.refresh(session.refreshToken).catch(async (err: unknown) => {
        deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, "token refresh refused; ending session");
        await deps.store.delete(id);
        throw sessionExpired("The identity provider ended the session: sign in again.");
      });
      const auth = await deps.oidc.verifyAccessToken(tokens.accessToken);
      if (!auth.roles.includes(deps.requiredRole)) {
        await deps.store.delete(id);
        throw problems.forbidden(`The account no longer has the ${deps.requiredRole} role.`);
      }
      const next: Session = {
        ...session,
        roles: auth.roles,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        idToken: tokens.idToken ?? session.idToken,
        accessTokenExpiresAt: tokens.accessTokenExpiresAt,
      };
      await deps.store.update(id, next);
      deps.logger.info({ sub: session.sub }, "access token refreshed");
      return next;
    } finally {
      await deps.store.unlockRefresh(id);
    }
  }

  return { current, require, checkCsrf, refreshed };
}

export type Guard = ReturnType<typeof createGuard>;
