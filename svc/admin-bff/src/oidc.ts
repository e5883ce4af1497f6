/**
 * The BFF's side of OpenID Connect, on openid-client: discovery (lazy, retried on the next request after a
 * failure), the authorization code flow with PKCE as the confidential client, refresh, and end-session.
 * Access tokens are checked with the kit's verifier, the same one the gateway uses.
 */
import * as client from "openid-client";
import { createTokenVerifier, type AuthContext, type TokenVerifier } from "@meridian/kit/auth";

export interface OidcSettings {
  /** The one issuer URL of the environment (the `iss` of every token). */
  issuer: string;
  /**
   * Where this process reads the discovery document when it cannot reach the issuer URL itself (compose:
   * containers reach Keycloak as http://keycloak:8080 while the issuer is http://localhost:8180/...). The
   * document must still name `issuer`.
   */
  discoveryUrl?: string;
  /** JWKS URL for the access token verifier, for the same reason. */
  jwksUrl?: string;
  clientId: string;
  clientSecret: string;
  audience: string;
  scopes: string;
  redirectUri: string;
}

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Epoch ms. */
  accessTokenExpiresAt: number;
}

export interface LoginRequest {
  url: string;
  state: string;
  codeVerifier: string;
  nonce: string;
}

export class OidcClient {
  private configuration?: Promise<client.Configuration>;
  private readonly verifier: TokenVerifier;

  constructor(private readonly settings: OidcSettings) {
    this.verifier = createTokenVerifier({ issuer: settings.issuer, jwksUrl: settings.jwksUrl, audience: settings.audience });
  }

  config(): Promise<client.Configuration> {
    this.configuration ??= this.discover().catch((err: unknown) => {
      this.configuration = undefined;
      throw err;
    });
    return this.configuration;
  }

  private async discover(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret, discoveryUrl } = this.settings;
    const auth = client.ClientSecretBasic(clientSecret);
    // Plain http only for loopback/dev issuers; production issuers are https.
    const insecure = issuer.startsWith("http:") || discoveryUrl?.startsWith("http:") === true;
    let config: client.Configuration;
    if (discoveryUrl) {
      const res = await fetch(discoveryUrl, { signal: AbortSignal.timeout(5000), headers: { accept: "application/json" } });
      if (!res.ok) throw new Error(`GET ${discoveryUrl} answered ${res.status}`);
      const metadata = (await res.json()) as client.ServerMetadata;
      if (metadata.issuer !== issuer) {
        throw new Error(`discovery document at ${discoveryUrl} names issuer ${metadata.issuer}, expected ${issuer}`);
      }
      config = new client.Configuration(metadata, clientId, undefined, auth);
      if (insecure) client.allowInsecureRequests(config);
    } else {
      config = await client.discovery(
        new URL(issuer),
        clientId,
        undefined,
        auth,
        insecure ? { execute: [client.allowInsecureRequests] } : undefined,
      );
    }
    return config;
  }

  async loginRequest(): Promise<LoginRequest> {
    const config = await this.config();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    return { url: url.href, state, codeVerifier, nonce };
  }

  async exchangeCode(callbackUrl: URL, expected: { state: string; nonce: string; codeVerifier: string }): Promise<TokenSet> {
    const config = await this.config();
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: expected.codeVerifier,
      expectedState: expected.state,
      expectedNonce: expected.nonce,
      idTokenExpected: true,
    });
    return toTokenSet(tokens);
  }

  async refresh(refreshToken: string): Promise<TokenSet> {
    const tokens = await client.refreshTokenGrant(await this.config(), refreshToken);
    return toTokenSet(tokens, refreshToken);
  }

  verifyAccessToken(token: string): Promise<AuthContext> {
    return this.verifier.verify(token);
  }

  async endSessionUrl(idToken: string | undefined, postLogoutRedirectUri: string): Promise<string> {
    const config = await this.config();
    if (!config.serverMetadata().end_session_endpoint) return postLogoutRedirectUri;
    return client.buildEndSessionUrl(config, {
      ...(idToken ? { id_token_hint: idToken } : {}),
      post_logout_redirect_uri: postLogoutRedirectUri,
    }).href;
  }

  /** Best effort: a refresh token the IdP revokes cannot outlive the session. */
  async revoke(refreshToken: string): Promise<void> {
    const config = await this.config();
    if (!config.serverMetadata().revocation_endpoint) return;
    await client.tokenRevocation(config, refreshToken, { token_type_hint: "refresh_token" });
  }
}

function toTokenSet(tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers, previousRefresh?: string): TokenSet {
  const expiresIn = tokens.expiresIn() ?? 300;
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? previousRefresh,
    idToken: tokens.id_token,
    accessTokenExpiresAt: Date.now() + expiresIn * 1000,
  };
}
