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

/**
 * Starts a loopback OpenID provider for tests: discovery at `${issuer}/.well-known/openid-configuration`, JWKS at
 * `${issuer}/protocol/openid-connect/certs`, tokens shaped like Keycloak's access tokens for realm `meridian`.
 */
export async function startTestIssuer(): Promise<TestIssuer> {
  let keys: KeyPair[] = [await newKey()];
  const unpublished = await newKey();
  let jwksFetches = 0;
  const hmacSecret = new TextEncoder().encode("test-only-shared-secret-that-must-never-verify");

  // Assigned once the port is known; the handler only runs after that.
  let issuer = "";
  let jwksUrl = "";
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req: Request): Response {
      const path = new URL(req.url).pathname;
      if (path === `/realms/${REALM}/.well-known/openid-configuration`) {
        return Response.json({
          issuer,
          jwks_uri: jwksUrl,
          authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
          token_endpoint: `${issuer}/protocol/openid-connect/token`,
          id_token_signing_alg_values_supported: ["RS256"],
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
        });
      }
      if (path === `/realms/${REALM}/protocol/openid-connect/certs`) {
        jwksFetches += 1;
        return Response.json({ keys: keys.map((k) => k.publicJwk) });
      }
      return new Response("not found", { status: 404 });
    },
  });

  const url = `http://127.0.0.1:${server.port}`;
  issuer = `${url}/realms/${REALM}`;
  const discoveryUrl = `${issuer}/.well-known/openid-configuration`;
  jwksUrl = `${issuer}/protocol/openid-connect/certs`;

  async function token(options: TestTokenOptions = {}): Promise<string> {
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

    const alg = options.alg ?? "RS256";
    if (alg === "none") return `${b64url({ alg: "none", typ: "JWT" })}.${b64url(payload)}.`;
    if (alg === "HS256") {
      return new SignJWT(payload)
        .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: options.kid ?? current().kid })
        .sign(hmacSecret);
    }
    const signer = options.key === "unpublished" ? unpublished : current();
    return new SignJWT(payload)
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: options.kid ?? signer.kid })
      .sign(signer.privateKey);
  }

  function current(): KeyPair {
    const key = keys[keys.length - 1];
    if (!key) throw new Error("test issuer has no key");
    return key;
  }

  return {
    url,
    issuer,
    discoveryUrl,
    jwksUrl,
    get kid() {
      return current().kid;
    },
    get jwksFetches() {
      return jwksFetches;
    },
    token,
    async rotateKey(options = {}) {
      const key = await newKey();
      keys = options.dropOld ? [key] : [...keys, key];
      return key.kid;
    },
    async stop() {
      await server.stop(true);
    },
  };
}
