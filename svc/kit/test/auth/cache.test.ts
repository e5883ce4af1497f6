/** The verified-token cache in front of the verifier (issue 15: the gateway verified every request's RS256 signature). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cachingVerifier, createTokenVerifier, TokenVerificationError, type AuthContext, type TokenVerifier } from "../../src/auth";
import { startTestIssuer, type TestIssuer } from "../../src/testing/issuer";

let idp: TestIssuer;
beforeAll(async () => {
  idp = await startTestIssuer();
});
afterAll(async () => {
  await idp.stop();
});

/** The real verifier, counting how often it is asked. */
function counted(): TokenVerifier & { calls: number } {
  const real = createTokenVerifier({ issuer: idp.issuer, jwksUrl: idp.jwksUrl });
  const out = {
    issuer: real.issuer,
    calls: 0,
    verify(token: string): Promise<AuthContext> {
      out.calls += 1;
      return real.verify(token);
    },
  };
  return out;
}

describe("cachingVerifier", () => {
  test("when the same valid token is verified repeatedly, then the signature is checked once", async () => {
    const inner = counted();
    const cached = cachingVerifier(inner);
    const token = await idp.token({ sub: "alice" });
    const results = await Promise.all(Array.from({ length: 20 }, () => cached.verify(token)));
    expect(results.every((r) => r.sub === "alice")).toBe(true);
    expect((await cached.verify(token)).sub).toBe("alice");
    expect(inner.calls).toBe(1);
  });

  test("when a token is refused, then the refusal is not cached (each attempt is verified again)", async () => {
    const inner = counted();
    const cached = cachingVerifier(inner);
    const expired = await idp.token({ expiresInSec: -600 });
    for (let i = 0; i < 3; i++) await expect(cached.verify(expired)).rejects.toBeInstanceOf(TokenVerificationError);
    expect(inner.calls).toBe(3);
  });

  test("when the TTL has passed, then the token is verified again", async () => {
    const inner = counted();
    const cached = cachingVerifier(inner, { ttlMs: 50 });
    const token = await idp.token();
    await cached.verify(token);
    await Bun.sleep(80);
    await cached.verify(token);
    expect(inner.calls).toBe(2);
  });

  test("when the token expires before the TTL, then it is not served after its exp", async () => {
    const inner = counted();
    const cached = cachingVerifier(inner, { ttlMs: 60_000 });
    // exp 1 s from now (the verifier's 30 s skew would still accept it afterwards; the cache must not outlive exp).
    const token = await idp.token({ expiresInSec: 1 });
    await cached.verify(token);
    await Bun.sleep(1100);
    await cached.verify(token).catch(() => undefined);
    expect(inner.calls).toBe(2);
  });

  test("when more tokens than maxEntries are verified, then the oldest is dropped", async () => {
    const inner = counted();
    const cached = cachingVerifier(inner, { maxEntries: 2 });
    const [t1, t2, t3] = await Promise.all([idp.token({ sub: "1" }), idp.token({ sub: "2" }), idp.token({ sub: "3" })]);
    for (const t of [t1, t2, t3]) await cached.verify(t as string);
    await cached.verify(t3 as string);
    expect(inner.calls).toBe(3);
    await cached.verify(t1 as string);
    expect(inner.calls).toBe(4);
  });
});
