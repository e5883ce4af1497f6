/**
 * One resolver per Ocelot option group: each turns a file route (with the global defaults) into what the gateway
 * runs on, with Ocelot 25.0's defaults, floors and substitutions (sources cited per function).
 */
import type { FileAuthenticationOptions, FileGlobalConfiguration, FileLoadBalancerOptions, FileQoSOptions, FileRoute } from "./schema";
import {
  GatewayConfigError,
  type BreakerRule,
  type ClaimToThing,
  type HeaderTransform,
  type LoadBalancerType,
  type PartitionKey,
  type QosRule,
  type RateLimitRule,
} from "./types";

/** Global options apply to every route, or only to the routes named in RouteKeys (Ocelot 24.1). */
export function appliesTo(routeKeys: string[] | undefined, key: string | undefined): boolean {
  return !routeKeys?.length || (key !== undefined && routeKeys.includes(key));
}

const PERIOD = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "1s", "5m", "1h", "1d", "500ms" → milliseconds (Ocelot's RateLimitRule.ParseTimespan units). */
export function parsePeriod(period: string, option = "RateLimitOptions.Period"): number {
  const m = PERIOD.exec(period.trim());
  if (!m) throw new GatewayConfigError(`${option} "${period}" is not like 1s, 5m, 1h, 1d or 100ms`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** `"find, replace"` finds and replaces; a value without a comma adds the header (Ocelot's HeaderFindAndReplaceCreator). */
export function parseHeaderTransforms(spec: Record<string, string> | undefined): HeaderTransform[] {
  return Object.entries(spec ?? {}).map(([header, value]) => {
    const comma = value.indexOf(",");
    return comma < 0 ? { header, value } : { header, find: value.slice(0, comma), value: value.slice(comma + 1).trimStart() };
  });
}

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|-]/g;

/** `Claims[sub] > value[0] > |` (Ocelot's claims-to-things syntax). */
export function parseClaimToHeader(header: string, spec: string): ClaimToThing {
  const parts = spec.split(">").map((p) => p.trim());
  const claim = /^Claims\[(.+)\]$/i.exec(parts[0] ?? "");
  const value = /^value(?:\[(\d+)\])?$/i.exec(parts[1] ?? "");
  if (!claim?.[1] || !value)
    throw new GatewayConfigError(`AddHeadersToRequest.${header}: "${spec}" is not like "Claims[sub] > value[0] > |"`);
  const delimiter = parts[2] || undefined;
  return {
    header,
    claim: claim[1],
    index: value[1] !== undefined ? Number(value[1]) : undefined,
    delimiter,
    splitter: delimiter ? new RegExp([...delimiter].map((c) => c.replace(REGEX_SPECIAL, "\\$&")).join("|")) : undefined,
  };
}

const LOAD_BALANCERS: LoadBalancerType[] = ["NoLoadBalancer", "RoundRobin", "LeastConnection", "CookieStickySessions"];

export function resolveLoadBalancer(r: FileRoute, global: FileGlobalConfiguration, where: string) {
  const globalLb: FileLoadBalancerOptions =
    global.LoadBalancerOptions && appliesTo(global.LoadBalancerOptions.RouteKeys, r.Key) ? global.LoadBalancerOptions : {};
  const lb = r.LoadBalancerOptions?.Type ? r.LoadBalancerOptions : { ...globalLb, ...(r.LoadBalancerOptions ?? {}) };
  const type = LOAD_BALANCERS.find((l) => l.toLowerCase() === (lb.Type ?? "NoLoadBalancer").toLowerCase());
  if (!type) throw new GatewayConfigError(`${where}: unknown LoadBalancerOptions.Type ${lb.Type}`);
  if (type === "CookieStickySessions" && !lb.Key)
    throw new GatewayConfigError(`${where}: CookieStickySessions needs LoadBalancerOptions.Key`);
  return { type, key: lb.Key, expiryMs: lb.Expiry ?? 1_200_000 };
}

export function resolveAuthentication(r: FileRoute, global: FileGlobalConfiguration) {
  const auth: FileAuthenticationOptions = r.AuthenticationOptions ?? {};
  const globalAuth: FileAuthenticationOptions =
    global.AuthenticationOptions && appliesTo(global.AuthenticationOptions.RouteKeys, r.Key) ? global.AuthenticationOptions : {};
  const keysOf = (o: FileAuthenticationOptions) =>
    [o.AuthenticationProviderKey ?? "", ...(o.AuthenticationProviderKeys ?? [])].filter((k) => k.length > 0);
  const providerKeys = keysOf(auth).length > 0 ? keysOf(auth) : keysOf(globalAuth);
  const allowAnonymous = auth.AllowAnonymous ?? globalAuth.AllowAnonymous ?? false;
  return {
    authenticated: providerKeys.length > 0 && !allowAnonymous,
    allowedScopes: auth.AllowedScopes?.length ? auth.AllowedScopes : (globalAuth.AllowedScopes ?? []),
  };
}

// Ocelot.Provider.Polly CircuitBreakerStrategy (25.0): out-of-range values are replaced by the defaults, not used.
const LOW_DURATION_MS = 500;
const HIGH_DURATION_MS = 86_400_000;
export const breakerDefaults = { breakMs: 5_000, minimumThroughput: 100, failureRatio: 0.8, samplingMs: 10_000 } as const;
const inDurationRange = (ms: number) => ms > LOW_DURATION_MS && ms < HIGH_DURATION_MS;

/** CircuitBreakerStrategy.BreakDuration / MinimumThroughput / FailureRatio / SamplingDuration. */
export function breakerOf(qos: FileQoSOptions): BreakerRule | undefined {
  // The deprecated names take precedence (Ocelot 24.1 docs); 0 or absent = no circuit breaker.
  const failures = qos.ExceptionsAllowedBeforeBreaking ?? qos.MinimumThroughput ?? 0;
  if (failures <= 0) return undefined;
  const breakMs = qos.DurationOfBreak ?? qos.BreakDuration ?? 0;
  const ratio = qos.FailureRatio ?? 0;
  const samplingMs = qos.SamplingDuration ?? 0;
  return {
    minimumThroughput: failures >= 2 ? Math.floor(failures) : breakerDefaults.minimumThroughput,
    breakMs: inDurationRange(breakMs) ? breakMs : breakerDefaults.breakMs,
    failureRatio: ratio > 0 && ratio < 1 ? ratio : breakerDefaults.failureRatio,
    samplingMs: inDurationRange(samplingMs) ? samplingMs : breakerDefaults.samplingMs,
  };
}

const DEFAULT_TIMEOUT_MS = 90_000; // Ocelot's default downstream timeout

export function resolveQos(r: FileRoute, global: FileGlobalConfiguration): QosRule {
  const globalQos = global.QoSOptions && appliesTo(global.QoSOptions.RouteKeys, r.Key) ? global.QoSOptions : {};
  const qos: FileQoSOptions = { ...globalQos, ...(r.QoSOptions ?? {}) };
  const timeout = qos.TimeoutValue ?? qos.Timeout ?? 0;
  // QoS Timeout (ms) wins over the route's, then the global, Timeout (seconds; Ocelot 24.1).
  const seconds = (r.Timeout ?? 0) > 0 ? (r.Timeout as number) : (global.Timeout ?? 0);
  return {
    breaker: breakerOf(qos),
    timeoutMs: timeout > 0 ? timeout : seconds > 0 ? seconds * 1000 : DEFAULT_TIMEOUT_MS,
  };
}

// Ocelot.Configuration.RateLimitOptions (25.0).
export const rateLimitDefaults = {
  clientIdHeader: "Oc-Client",
  statusCode: 429,
  quotaMessage: "API calls quota exceeded! Maximum admitted {0} per {1}.",
  keyPrefix: "Ocelot.RateLimiting",
} as const;

/**
 * RateLimitOptions(FileRateLimitByHeaderRule) in 25.0: on whenever RateLimitOptions are present unless
 * EnableRateLimiting is false; the obsolete names (HttpStatusCode, QuotaExceededMessage, DisableRateLimitHeaders)
 * win over the new ones (StatusCode, QuotaMessage, EnableHeaders); the route's values over the global ones.
 */
export function resolveRateLimit(
  r: FileRoute,
  global: FileGlobalConfiguration,
  authenticated: boolean,
  where: string,
): RateLimitRule | undefined {
  const rl = r.RateLimitOptions;
  if (!rl || rl.EnableRateLimiting === false || (rl.Limit ?? 0) <= 0) return undefined;
  const g = global.RateLimitOptions ?? {};
  if (!rl.Period) throw new GatewayConfigError(`${where}: RateLimitOptions.Period is required`);
  const partitionKey: PartitionKey = rl.MeridianPartitionKey ?? "ClientIdHeader";
  if (partitionKey === "Subject" && !authenticated)
    throw new GatewayConfigError(`${where}: RateLimitOptions.MeridianPartitionKey Subject needs an authenticated route`);
  const headersOf = (o: { DisableRateLimitHeaders?: boolean; EnableHeaders?: boolean }) =>
    o.DisableRateLimitHeaders !== undefined ? !o.DisableRateLimitHeaders : o.EnableHeaders;
  const waitMs =
    rl.PeriodTimespan !== undefined ? Math.max(0, rl.PeriodTimespan * 1000) : rl.Wait ? parsePeriod(rl.Wait, "RateLimitOptions.Wait") : 0;
  return {
    partitionKey,
    clientWhitelist: rl.ClientWhitelist ?? [],
    period: rl.Period,
    periodMs: parsePeriod(rl.Period),
    waitMs,
    limit: rl.Limit ?? 0,
    clientIdHeader: rl.ClientIdHeader || g.ClientIdHeader || rateLimitDefaults.clientIdHeader,
    quotaMessage: rl.QuotaExceededMessage || rl.QuotaMessage || g.QuotaExceededMessage || g.QuotaMessage || rateLimitDefaults.quotaMessage,
    statusCode: rl.HttpStatusCode ?? rl.StatusCode ?? g.HttpStatusCode ?? g.StatusCode ?? rateLimitDefaults.statusCode,
    enableHeaders: headersOf(rl) ?? headersOf(g) ?? true,
  };
}
