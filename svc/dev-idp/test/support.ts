/** A cookie-keeping HTTP client that walks the dev IdP's redirects and login form like a browser would. */
import * as oidc from "openid-client";

export class CookieClient {
  private readonly jar = new Map<string, string>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.jar.size > 0) headers.set("cookie", [...this.jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const cookie of res.headers.getSetCookie()) {
      const pair = cookie.split(";")[0] ?? "";
      const eq = pair.indexOf("=");
      this.jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  }

  /** Follows redirects until one leaves `origin` (the IdP) or a page is answered; returns the last response. */
  async follow(url: string, origin: string, init: RequestInit = {}): Promise<{ res: Response; url: string }> {
    let current = url;
    let res = await this.request(current, init);
    for (let hops = 0; hops < 10 && res.status >= 300 && res.status < 400; hops++) {
      const next = new URL(res.headers.get("location") ?? "", current).href;
      if (new URL(next).origin !== origin) return { res, url: next };
      current = next;
      res = await this.request(current);
    }
    return { res, url: current };
  }
}

export interface CodeFlowResult {
  callbackUrl: URL;
  verifier: string;
  state: string;
}

/** Runs the authorization request and the login form; answers the callback URL the IdP redirected to. */
export async function signInWithForm(
  config: oidc.Configuration,
  params: { redirectUri: string; scope: string; username: string; password: string; client?: CookieClient },
): Promise<CodeFlowResult> {
  const client = params.client ?? new CookieClient();
  const issuerOrigin = new URL(config.serverMetadata().issuer).origin;
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const authUrl = oidc.buildAuthorizationUrl(config, {
    redirect_uri: params.redirectUri,
    scope: params.scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
  });
  const page = await client.follow(authUrl.href, issuerOrigin);
  if (page.res.status !== 200) throw new Error(`expected the login page, got ${page.res.status} at ${page.url}`);
  const html = await page.res.text();
  const action = html.match(/<form method="post" action="([^"]+)"/)?.[1];
  if (!action) throw new Error("login page has no form");
  const done = await client.follow(new URL(action, page.url).href, issuerOrigin, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username: params.username, password: params.password }).toString(),
  });
  if (done.res.status < 300 || done.res.status >= 400) throw new Error(`login did not redirect back: ${done.res.status}`);
  return { callbackUrl: new URL(done.url), verifier, state };
}

export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(h ?? "", "base64url").toString("utf8")),
    payload: JSON.parse(Buffer.from(p ?? "", "base64url").toString("utf8")),
  };
}

/** openid-client against a plain-http loopback issuer (tests only). */
export function discover(issuer: string, clientId: string, secret?: string): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(issuer), clientId, undefined, secret ? oidc.ClientSecretBasic(secret) : oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
}

export interface BrowserTokens {
  access_token: string;
  id_token: string;
  refresh_token: string;
}

/**
 * The SPA's sign-in, in a real browser page: navigate to the authorization URL, fill the login form, land on
 * the redirect URI, then exchange the code with fetch from that page (the SPA's origin, so CORS applies).
 */
export async function browserCodeFlow(
  page: import("playwright-core").Page,
  params: { config: oidc.Configuration; clientId: string; redirectUri: string; scope: string; username: string; password: string },
): Promise<BrowserTokens> {
  const { signInOnLoginPage } = await import("../src/testing");
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(params.config, {
    redirect_uri: params.redirectUri,
    scope: params.scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
  });
  await page.goto(url.href);
  await signInOnLoginPage(page, params.username, params.password);
  await page.waitForURL(`${params.redirectUri}?**`, { timeout: 20_000 });
  const callback = new URL(page.url());
  if (callback.searchParams.get("state") !== state) throw new Error("state mismatch on the callback");
  const result = (await page.evaluate(
    async (input) => {
      const res = await fetch(input.tokenEndpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          client_id: input.clientId,
          code: input.code,
          code_verifier: input.verifier,
          redirect_uri: input.redirectUri,
        }).toString(),
      });
      return { status: res.status, body: await res.json() };
    },
    {
      tokenEndpoint: params.config.serverMetadata().token_endpoint as string,
      clientId: params.clientId,
      code: callback.searchParams.get("code") ?? "",
      verifier,
      redirectUri: params.redirectUri,
    },
  )) as { status: number; body: BrowserTokens };
  if (result.status !== 200) throw new Error(`token exchange answered ${result.status}: ${JSON.stringify(result.body)}`);
  return result.body;
}
