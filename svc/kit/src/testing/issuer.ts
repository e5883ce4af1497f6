import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";

/** Options for one test token. Defaults give a valid Keycloak-shaped access token. */
export interface TestTokenOptions {
  sub?: string;
  /** Granted scopes, rendered as the space-separated `scope` claim. */
  scopes?: string[];
  /** Realm roles, in both `realm_access.roles` and the top-level `roles` claim. */
  roles?: string[];
  /** `aud`; default `["meridian-api", "account"]`. */
  audience?: string | string[];
  /** `iss`; default the issuer's own URL. */
  issuer?: string;
  /** Lifetime in seconds from now; negative gives an expired token. Default 300. */
  expiresInSec?: number;
  /** `nbf` offset in seconds from now (e.g. 600 for "not yet valid"). Default: no nbf. */
  notBeforeSec?: number;
  preferredUsername?: string;
  /** `azp`; default "customer-spa". */
  azp?: string;
  /** Extra claims, applied last (override anything above). */
  claims?: Record<string, unknown>;
  /** Claims to delete from the payload (e.g. ["sub"]). */
  omitClaims?: string[];
  /** "published" (default) signs with the key in the JWKS; "unpublished" with a key the JWKS never shows. */
  key?: "published" | "unpublished";
  /** Override the `kid` header. */
  kid?: string;
  /** "RS256" (default); "none" builds an unsecured token; "HS256" signs with a shared secret. */
  alg?: "RS256" | "none" | "HS256";
}

export interface TestIssuer {
  /** Base URL of the loopback server, e.g. http://127.0.0.1:40123 */
  url: string;
  /** Issuer, `${url}/realms/meridian` (Keycloak layout). */
  issuer: string;
  discoveryUrl: string;
  jwksUrl: string;
  /** Current signing key id. */
  readonly kid: string;
  /** How many times the JWKS was fetched (to test caching). */
  readonly jwksFetches: number;
  /** Mints an access token. */
  token(options?: TestTokenOptions): Promise<string>;
  /** Generates a new signing key, publishes it (keeping the old one unless `dropOld`) and signs with it from now. */
  rotateKey(options?: { dropOld?: boolean }): Promise<string>;
  stop(): Promise<void>;
}

interface KeyPair {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

const REALM = "meridian";

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

async function newKey(): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = crypto.randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  return { kid, privateKey, publicJwk };
}

/** Replaces payload claims of a signed token while keeping its header and signature (a tampered token). */
export function tamperToken(token: string, patch: Record<string, unknown>): string {
  const [header, payload, signature] = token.split(".");
  if (header === undefined || payload === undefined || signature === undefined) throw new Error("not a compact JWS");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  return `${header}.${b64url({ ...claims, ...patch })}.${signature}`;
}

/** What the test issuer keeps: its signing keys (the last one signs), a key it never publishes, JWKS fetches. */
interface IssuerState {
  keys: KeyPair[];
  unpublished: KeyPair;
  jwksFetches: number;
  issuer: string;
  jwksUrl: string;
}

const HMAC_SECRET = new TextEncoder().encode("test-only-shared-secret-that-must-never-verify");

function currentKey(state: IssuerState): KeyPair {
  const key = state.keys[state.keys.length - 1];
  if (!key) throw new Error("test issuer has no key");
  return key;
}

/** Discovery and JWKS on loopback; the other paths answer 404. */
function serveIssuer(state: IssuerState): ReturnType<typeof Bun.serve> {
  return Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req: Request): Response {
      const path = new URL(req.url).pathname;
      const { issuer } = state;
      if (path === `/realms/${REALM}/.well-known/openid-configuration`) {
        return Response.json({
          issuer,
          jwks_uri: state.jwksUrl,
          authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
          token_endpoint: `${issuer}/protocol/openid-connect/token`,
          id_token_signing_alg_values_supported: ["RS256"],
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
        });
      }
      if (path === `/realms/${REALM}/protocol/openid-connect/certs`) {
        state.jwksFetches += 1;
        return Response.json({ keys: state.keys.map((k) => k.publicJwk) });
      }
      return new Response("not found", { status: 404 });
    },
  });
}

/** The claims of a Keycloak-shaped access token, with the options' changes. */
function claimsFor(options: TestTokenOptions, issuer: string): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const roles = options.roles ?? [];
  const payload: Record<string, unknown> = {
    iss: options.issuer ?? issuer,
    sub: options.sub ?? "00000000-0000-4000-8000-000000000001",
    aud: options.audience ?? ["meridian-api", "account"],
    exp: now + (options.expiresInSec ?? 300),
    iat: now,
    jti: crypto.randomUUID(),
    typ: "Bearer",
    azp: options.azp ?? "customer-spa",
    scope: (options.scopes ?? []).join(" "),
    realm_access: { roles },
    roles,
    preferred_username: options.preferredUsername ?? "test-user",
  };
  if (options.notBeforeSec !== undefined) payload.nbf = now + options.notBeforeSec;
  Object.assign(payload, options.claims ?? {});
  for (const name of options.omitClaims ?? []) delete payload[name];
  return payload;
}

async function signToken(state: IssuerState, options: TestTokenOptions): Promise<string> {
  const payload = claimsFor(options, state.issuer);
  const alg = options.alg ?? "RS256";
  if (alg === "none") return `${b64url({ alg: "none", typ: "JWT" })}.${b64url(payload)}.`;
  if (alg === "HS256") {
    return new SignJWT(payload)
      .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: options.kid ?? currentKey(state).kid })
      .sign(HMAC_SECRET);
  }
  const signer = options.key === "unpublished" ? state.unpublished : currentKey(state);
  return new SignJWT(payload).setProtectedHeader({ alg: "RS256", typ: "JWT", kid: options.kid ?? signer.kid }).sign(signer.privateKey);
}

/**
 * Starts a loopback OpenID provider for tests: discovery at `${issuer}/.well-known/openid-configuration`, JWKS at
 * `${issuer}/protocol/openid-connect/certs`, tokens shaped like Keycloak's access tokens for realm `meridian`.
 */
export async function startTestIssuer(): Promise<TestIssuer> {
  // issuer and jwksUrl are set once the port is known; the server's handler only runs after that.
  const state: IssuerState = { keys: [await newKey()], unpublished: await newKey(), jwksFetches: 0, issuer: "", jwksUrl: "" };
  const server = serveIssuer(state);
  const url = `http://127.0.0.1:${server.port}`;
  state.issuer = `${url}/realms/${REALM}`;
  state.jwksUrl = `${state.issuer}/protocol/openid-connect/certs`;
  return {
    url,
    issuer: state.issuer,
    discoveryUrl: `${state.issuer}/.well-known/openid-configuration`,
    jwksUrl: state.jwksUrl,
    get kid() {
      return currentKey(state).kid;
    },
    get jwksFetches() {
      return state.jwksFetches;
    },
    token: (options: TestTokenOptions = {}) => signToken(state, options),
    async rotateKey(options = {}) {
      const key = await newKey();
      state.keys = options.dropOld ? [key] : [...state.keys, key];
      return key.kid;
    },
    async stop() {
      await server.stop(true);
    },
  };
}
