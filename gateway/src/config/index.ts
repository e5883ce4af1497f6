/**
 * Reads an Ocelot configuration file (Routes + GlobalConfiguration) into validated, resolved routes: the file's
 * schema (schema.ts), one resolver per option group (resolvers.ts), and the checks across routes.
 */
import { Value } from "@sinclair/typebox/value";
import { createUpstreamPattern, placeholdersOf } from "../template";
import {
  parseClaimToHeader,
  parseHeaderTransforms,
  rateLimitDefaults,
  resolveAuthentication,
  resolveLoadBalancer,
  resolveQos,
  resolveRateLimit,
} from "./resolvers";
import { FileConfiguration, normalizeKeys, type FileGlobalConfiguration, type FileRoute } from "./schema";
import { GatewayConfigError, type GatewayRoutes, type RouteConfig } from "./types";

export * from "./types";
export { breakerOf, parsePeriod, rateLimitDefaults, breakerDefaults } from "./resolvers";
export type { FileConfiguration, FileRoute } from "./schema";

function checkTemplates(r: FileRoute, where: string): void {
  if (!r.UpstreamPathTemplate.startsWith("/")) throw new GatewayConfigError(`${where}: UpstreamPathTemplate must start with /`);
  if (!r.DownstreamPathTemplate.startsWith("/")) throw new GatewayConfigError(`${where}: DownstreamPathTemplate must start with /`);
  const names = placeholdersOf(r.UpstreamPathTemplate).map((p) => p.toLowerCase());
  if (new Set(names).size !== names.length) throw new GatewayConfigError(`${where}: duplicate placeholder in ${r.UpstreamPathTemplate}`);
}

function resolveRoute(r: FileRoute, i: number, global: FileGlobalConfiguration): RouteConfig {
  const where = `Routes[${i}] (${r.UpstreamPathTemplate})`;
  checkTemplates(r, where);
  const hosts = (r.DownstreamHostAndPorts ?? []).map((h) => ({ host: h.Host, port: h.Port }));
  if (hosts.length === 0) throw new GatewayConfigError(`${where}: DownstreamHostAndPorts is empty`);
  const auth = resolveAuthentication(r, global);
  const methods = (r.UpstreamHttpMethod ?? []).map((m) => m.toUpperCase());
  return {
    id: r.Key ?? `${methods.length ? methods.join(",") : "*"} ${r.UpstreamPathTemplate}`,
    upstream: createUpstreamPattern(r.UpstreamPathTemplate, r.Priority ?? 1, r.RouteIsCaseSensitive ?? false),
    methods,
    upstreamHost: r.UpstreamHost,
    downstreamPathTemplate: r.DownstreamPathTemplate,
    downstreamMethod: r.DownstreamHttpMethod?.toUpperCase(),
    scheme: (r.DownstreamScheme ?? global.DownstreamScheme ?? "http").toLowerCase(),
    hosts,
    loadBalancer: resolveLoadBalancer(r, global, where),
    ...auth,
    claimsRequirement: r.RouteClaimsRequirement ?? {},
    claimsRequirementEntries: Object.entries(r.RouteClaimsRequirement ?? {}),
    addHeaders: Object.entries(r.AddHeadersToRequest ?? {}).map(([h, spec]) => parseClaimToHeader(h, spec)),
    addQueries: Object.entries(r.AddQueriesToRequest ?? {}).map(([q, spec]) => parseClaimToHeader(q, spec)),
    // The route's RequestIdKey overrides the global one (RequestIdKeyCreator).
    requestIdKey: r.RequestIdKey || global.RequestIdKey || undefined,
    upstreamHeaderTransform: parseHeaderTransforms(r.UpstreamHeaderTransform),
    downstreamHeaderTransform: parseHeaderTransforms(r.DownstreamHeaderTransform),
    qos: resolveQos(r, global),
    rateLimit: resolveRateLimit(r, global, auth.authenticated, where),
  };
}

/**
 * Ocelot's FileConfigurationFluentValidator.IsNotDuplicateIn: two routes with the same template (ordinal) and host
 * are refused when a method repeats, both allow any method, or an any-method route stands next to a specific one.
 */
function checkDuplicates(routes: RouteConfig[]): void {
  for (let i = 0; i < routes.length; i++) {
    for (let j = i + 1; j < routes.length; j++) {
      const a = routes[i] as RouteConfig;
      const b = routes[j] as RouteConfig;
      if (a.upstream.original !== b.upstream.original || (a.upstreamHost ?? "") !== (b.upstreamHost ?? "")) continue;
      const overlap = a.methods.length === 0 || b.methods.length === 0 || a.methods.some((m) => b.methods.includes(m));
      if (overlap)
        throw new GatewayConfigError(
          `Routes[${i}] and Routes[${j}] both route ${a.upstream.original} for the same method; give each its own UpstreamHttpMethod`,
        );
    }
  }
}

export function resolveConfiguration(raw: unknown): GatewayRoutes {
  const normalized = normalizeKeys(raw, FileConfiguration);
  if (!Value.Check(FileConfiguration, normalized)) {
    const first = Value.Errors(FileConfiguration, normalized).First();
    throw new GatewayConfigError(`invalid gateway configuration at ${first?.path || "/"}: ${first?.message}`);
  }
  const file = normalized as FileConfiguration;
  const global = file.GlobalConfiguration ?? {};
  const routes = file.Routes.map((r, i) => resolveRoute(r, i, global));
  checkDuplicates(routes);
  const globalRate = global.RateLimitOptions ?? {};
  return {
    routes,
    baseUrl: global.BaseUrl ?? undefined,
    rateLimitCounterPrefix: globalRate.RateLimitCounterPrefix || globalRate.KeyPrefix || rateLimitDefaults.keyPrefix,
    trustedProxies: global.MeridianTrustedProxies ?? 0,
  };
}

export async function loadRoutesFile(path: string): Promise<GatewayRoutes> {
  const file = Bun.file(path);
  if (!(await file.exists())) throw new GatewayConfigError(`GATEWAY_ROUTES file ${path} does not exist`);
  let raw: unknown;
  try {
    raw = JSON.parse(await file.text());
  } catch (err) {
    throw new GatewayConfigError(`GATEWAY_ROUTES file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return resolveConfiguration(raw);
}
