export { startDevIdp, type DevIdpOptions, type RunningDevIdp } from "./server";
export {
  DEFAULT_REALM_FILE,
  effectiveClientScopes,
  effectiveScopeParameter,
  loadRealm,
  mapClaims,
  parseRealm,
  userId,
  type RealmClient,
  type RealmExport,
  type RealmUser,
} from "./realm";
