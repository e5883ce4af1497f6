export {
  ALLOWED_ALGORITHMS,
  createTokenVerifier,
  rolesOf,
  scopesOf,
  TokenVerificationError,
  type AllowedAlgorithm,
  type AuthContext,
  type TokenFailureReason,
  type TokenVerifier,
  type TokenVerifierOptions,
  verifierFromConfig,
  type OidcVerifierConfig,
} from "./verifier";
export { cachingVerifier, type TokenCacheOptions } from "./cache";
export {
  authPlugin,
  bearerChallenge,
  bearerToken,
  hasRole,
  requireRole,
  requireScopes,
  unauthorizedProblem,
  type AuthPluginOptions,
} from "./plugin";
