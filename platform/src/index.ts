/** @meridian/platform: the platform harness driven by the service manifest (services.ts). */
export * from "./platform";
export * from "./tcp-proxy";
export { services, service, databaseNames, type ServiceManifestEntry, type ManifestDatabase } from "../../services";
