/** The BFF's cookies, built and read with Bun's own cookie implementation. */

export interface CookieNames {
  session: string;
  csrf: string;
  login: string;
}

/** `__Host-` names need Secure, so they are used only when the BFF is served over https. */
export function cookieNames(secure: boolean): CookieNames {
  const prefix = secure ? "__Host-" : "";
  return {
    session: `${prefix}meridian_admin_session`,
    csrf: `${prefix}meridian_admin_csrf`,
    login: `${prefix}meridian_admin_login`,
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

  clear(name: string, path = "/"): string {
    return new Bun.Cookie(name, "", { path, httpOnly: name !== this.names.csrf, sameSite: "lax", secure: this.secure, maxAge: 0 }).serialize();
  }
}
