/** The BFF's cookies, built and read with Bun's own cookie implementation. */

/** How long a refused sign-in is remembered for the refusal page. */
export const REFUSAL_TTL_SEC = 600;

export interface CookieNames {
  session: string;
  csrf: string;
  login: string;
  refusal: string;
}

/** `__Host-` names need Secure, so they are used only when the BFF is served over https. */
export function cookieNames(secure: boolean): CookieNames {
  const prefix = secure ? "__Host-" : "";
  return {
    session: `${prefix}meridian_admin_session`,
    csrf: `${prefix}meridian_admin_csrf`,
    login: `${prefix}meridian_admin_login`,
    refusal: `${prefix}meridian_admin_refusal`,
  };
}

export function readCookies(request: Request): Bun.CookieMap {
  return new Bun.CookieMap(request.headers.get("cookie") ?? "");
}

export class CookieWriter {
  constructor(
    readonly names: CookieNames,
    private readonly secure: boolean,
  ) {}

  /** Opaque session id: httpOnly, so page scripts never see it. */
  session(id: string): string {
    return new Bun.Cookie(this.names.session, id, { path: "/", httpOnly: true, sameSite: "lax", secure: this.secure }).serialize();
  }

  /** Double-submit CSRF token: readable by the admin app, which echoes it in the X-CSRF-Token header. */
  csrf(token: string): string {
    return new Bun.Cookie(this.names.csrf, token, { path: "/", httpOnly: false, sameSite: "strict", secure: this.secure }).serialize();
  }

  /** Binds a sign-in to the browser that started it (state), against login CSRF. Lax: it must survive the IdP's redirect back. */
  login(state: string): string {
    return new Bun.Cookie(this.names.login, state, {
      path: "/auth/callback",
      httpOnly: true,
      sameSite: "lax",
      secure: this.secure,
      maxAge: 600,
    }).serialize();
  }

  /**
   * A sign-in refused for a missing role: lets the admin app's refusal page say who was refused and sign
   * them out of the IdP. Only /auth/* reads it; `__Host-` names need Path=/.
   */
  refusal(id: string): string {
    return new Bun.Cookie(this.names.refusal, id, {
      path: this.secure ? "/" : "/auth",
      httpOnly: true,
      sameSite: "lax",
      secure: this.secure,
      maxAge: REFUSAL_TTL_SEC,
    }).serialize();
  }

  clear(name: string, path = "/"): string {
    return new Bun.Cookie(name, "", {
      path,
      httpOnly: name !== this.names.csrf,
      sameSite: "lax",
      secure: this.secure,
      maxAge: 0,
    }).serialize();
  }
}
