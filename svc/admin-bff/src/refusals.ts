/**
 * Sign-ins refused for a missing role. No session is created; the refusal is remembered briefly (Redis, behind an
 * httpOnly cookie) so the admin app's own refusal page can say who was refused and sign that account out of the IdP.
 */
import { ProblemError } from "@meridian/kit";
import { readCookies, REFUSAL_TTL_SEC, type CookieWriter } from "./cookies";
import type { Refusal, SessionStore } from "./sessions";

export interface RefusalDeps {
  store: SessionStore;
  cookies: CookieWriter;
  appUrl: string;
}

export function createRefusals({ store, cookies, appUrl }: RefusalDeps) {
  const name = cookies.names.refusal;
  /** The app's refusal route (`__Host-` cookies need Path=/, others stay on /auth). */
  const pageUrl = new URL("refused", appUrl.endsWith("/") ? appUrl : `${appUrl}/`).href;
  const clearCookie = cookies.clear(name, name.startsWith("__Host-") ? "/" : "/auth");
  const idOf = (request: Request) => readCookies(request).get(name) ?? undefined;

  return {
    pageUrl,
    clearCookie,
    /** Stores the refusal; answers the Set-Cookie header that binds it to this browser. */
    async remember(refusal: Refusal): Promise<string> {
      return cookies.refusal(await store.saveRefusal(refusal, REFUSAL_TTL_SEC));
    },
    /** The refusal this browser carries, if any (kept: the page may be reloaded). */
    async of(request: Request): Promise<Refusal | undefined> {
      const id = idOf(request);
      return id ? store.getRefusal(id) : undefined;
    },
    /** Ends the refusal this browser carries; `had` says whether the cookie must be cleared. */
    async take(request: Request): Promise<{ had: boolean; refusal?: Refusal }> {
      const id = idOf(request);
      return id ? { had: true, refusal: await store.takeRefusal(id) } : { had: false };
    },
  };
}

export type Refusals = ReturnType<typeof createRefusals>;

/** /auth/me after a refused sign-in: who was refused, for the admin app's refusal page. */
export function notAdmin(refusal: Refusal): ProblemError {
  return new ProblemError({
    status: 403,
    slug: "forbidden",
    title: "Forbidden",
    detail: `${refusal.username} does not have the ${refusal.requiredRole} role; the admin console is for administrators only.`,
    extensions: { username: refusal.username, requiredRole: refusal.requiredRole },
  });
}
