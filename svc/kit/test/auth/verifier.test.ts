import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { createTokenVerifier, TokenVerificationError, verifierFromConfig, type TokenFailureReason } from "../../src/auth";
import { startTestIssuer, tamperToken, type TestIssuer } from "../../src/testing/issuer";

// Real loopback servers: allow more than bun's 5 s default (bunfig.toml has no test timeout setting).
setDefaultTimeout(30_000);

let idp: TestIssuer;

beforeAll(async () => {
  idp = await startTestIssuer();
});
afterAll(async () => {
  await idp.stop();
});

async function failureOf(promise: Promise<unknown>): Promise<TokenFailureReason> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TokenVerificationError) return err.reason;
    throw err;
  }
  throw new Error("expected the token to be rejected");
}

describe("createTokenVerifier", () => {
  test("when a valid Keycloak-shaped token is verified via discovery, then sub, scopes and roles are read", async () => {
    const verifier = createTokenVerifier({ issuer: idp.issuer, audience: "meridian-api" });
    const token = await idp.token({ sub: "alice", scopes: ["orders.read", "orders.write"], roles: ["customer"] });
    const auth = await verifier.verify(token);
    expect(auth.sub).toBe("alice");
    expect(auth.scopes).toEqual(["orders.read", "orders.write"]);
    expect(auth.roles).toEqual(["customer"]);
    expect(auth.claims.preferred_username).toBe("test-user");
    expect(auth.token).toBe(token);
  });

  test("when roles appear only in realm_access and scopes as an array, then both are read", async () => {
    const verifier = createTokenVerifier({ issuer: idp.issuer, jwksUrl: idp.jwksUrl });
    const token = await idp.token({
      omitClaims: ["roles"],
      claims: { realm_access: { roles: ["admin"] }, scope: ["audit.read"] },
    });
    const auth = await verifier.verify(token);
    expect(auth.roles).toEqual(["admin"]);
    expect(auth.scopes).toEqual(["audit.read"]);
  });

  const negative: Array<{ name: string; make: () => Promise<string>; reason: TokenFailureReason }> = [
    { name: "expired beyond the clock skew", make: () => idp.token({ expiresInSec: -120 }), reason: "expired" },
    { name: "not yet valid", make: () => idp.token({ notBeforeSec: 600 }), reason: "not_yet_valid" },
    { name: "from another issuer", make: () => idp.token({ issuer: "http://evil.example/realms/meridian" }), reason: "bad_issuer" },
    { name: "for another audience", make: () => idp.token({ audience: "someone-else" }), reason: "bad_audience" },
    { name: "signed by an unpublished key with its own kid", make: () => idp.token({ key: "unpublished" }), reason: "unknown_key" },
    {
      name: "signed by an unpublished key claiming a published kid",
      make: () => idp.token({ key: "unpublished", kid: idp.kid }),
      reason: "bad_signature",
    },
    { name: "unsecured (alg none)", make: () => idp.token({ alg: "none" }), reason: "bad_algorithm" },
    { name: "HMAC-signed (HS256)", make: () => idp.token({ alg: "HS256" }), reason: "bad_algorithm" },
    {
      name: "tampered after signing",
      make: async () => tamperToken(await idp.token({ roles: ["customer"] }), { roles: ["admin"] }),
      reason: "bad_signature",
    },
    { name: "without sub", make: () => idp.token({ omitClaims: ["sub"] }), reason: "missing_claim" },
    {
      name: "issued in the future beyond the clock skew",
      make: () => idp.token({ claims: { iat: Math.floor(Date.now() / 1000) + 600 } }),
      reason: "not_yet_valid",
    },
    { name: "without exp", make: () => idp.token({ omitClaims: ["exp"] }), reason: "missing_claim" },
    { name: "not a JWT at all", make: async () => "not-a-token", reason: "malformed" },
  ];
  for (const c of negative) {
    test(`when the token is ${c.name}, then it is rejected as ${c.reason}`, async () => {
      const verifier = createTokenVerifier({ issuer: idp.issuer, audience: "meridian-api" });
      expect(await failureOf(verifier.verify(await c.make()))).toBe(c.reason);
    });
  }

  test("when the token expired within the clock skew, then it is still accepted", async () => {
    const verifier = createTokenVerifier({ issuer: idp.issuer, clockToleranceSec: 30 });
    const auth = await verifier.verify(await idp.token({ expiresInSec: -5 }));
    expect(auth.sub).toBeString();
  });

  test("when the token was issued in the future within the clock skew, then it is still accepted", async () => {
    const verifier = createTokenVerifier({ issuer: idp.issuer, jwksUrl: idp.jwksUrl });
    const auth = await verifier.verify(await idp.token({ sub: "early", claims: { iat: Math.floor(Date.now() / 1000) + 10 } }));
    expect(auth.sub).toBe("early");
  });

  test("when the issuer differs only by a trailing slash, then the token is rejected (exact match)", async () => {
    const verifier = createTokenVerifier({ issuer: idp.issuer, jwksUrl: idp.jwksUrl });
    expect(await failureOf(verifier.verify(await idp.token({ issuer: `${idp.issuer}/` })))).toBe("bad_issuer");
  });

  test("when the issuer rotates its key, then the JWKS is refetched once for the unknown kid and cached after", async () => {
    const verifier = createTokenVerifier({ issuer: idp.issuer, jwksCooldownMs: 0 });
    await verifier.verify(await idp.token());
    const before = idp.jwksFetches;
    await verifier.verify(await idp.token());
    expect(idp.jwksFetches).toBe(before); // cached
    await idp.rotateKey();
    await verifier.verify(await idp.token());
    expect(idp.jwksFetches).toBe(before + 1); // one refetch for the new kid
    await verifier.verify(await idp.token());
    expect(idp.jwksFetches).toBe(before + 1);
  });

  test("when unknown kids arrive repeatedly within the cooldown, then the JWKS is not refetched each time", async () => {
    const verifier = createTokenVerifier({ issuer: idp.issuer, jwksCooldownMs: 60_000 });
    await verifier.verify(await idp.token());
    const before = idp.jwksFetches;
    for (let i = 0; i < 5; i++) {
      expect(await failureOf(verifier.verify(await idp.token({ kid: crypto.randomUUID() })))).toBe("unknown_key");
    }
    expect(idp.jwksFetches - before).toBeLessThanOrEqual(1);
  });

  test("when discovery is unreachable, then verification fails as keys_unavailable without throwing anything else", async () => {
    const down = await startTestIssuer();
    const token = await down.token();
    const issuer = down.issuer;
    await down.stop();
    const verifier = createTokenVerifier({ issuer, fetchTimeoutMs: 1000 });
    expect(await failureOf(verifier.verify(token))).toBe("keys_unavailable");
  });
});

describe("verifierFromConfig", () => {
  test("when OIDC_AUDIENCE is set, then tokens for another audience are refused", async () => {
    const verifier = verifierFromConfig({ OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: "meridian-api" });
    expect((await verifier.verify(await idp.token({ sub: "bob" }))).sub).toBe("bob");
    expect(await failureOf(verifier.verify(await idp.token({ audience: "someone-else" })))).toBe("bad_audience");
  });

  test("when OIDC_AUDIENCE is absent, then the audience is not checked", async () => {
    const verifier = verifierFromConfig({ OIDC_ISSUER: idp.issuer });
    expect((await verifier.verify(await idp.token({ sub: "carol", audience: "someone-else" }))).sub).toBe("carol");
  });

  test("when OIDC_JWKS_URL is set, then keys come from it and the issuer's discovery is never needed", async () => {
    // Nothing listens at this issuer URL: only the JWKS URL can supply the keys.
    const issuer = "http://127.0.0.1:1/realms/meridian";
    const verifier = verifierFromConfig({ OIDC_ISSUER: issuer, OIDC_JWKS_URL: idp.jwksUrl });
    expect((await verifier.verify(await idp.token({ sub: "dan", issuer }))).sub).toBe("dan");
  });
});
