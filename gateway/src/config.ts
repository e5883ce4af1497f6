/**
 * Reads an Ocelot configuration file (Routes + GlobalConfiguration) into validated, resolved routes.
 * Property names are matched case-insensitively, as .NET configuration binding does.
 */
import { Type as t, type Static, type TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { createUpstreamPattern, placeholdersOf, type UpstreamPattern } from "./template";

const Str = t.String();
const StrList = t.Array(t.String());
const Num = t.Number();

const HostAndPort = t.Object({ Host: Str, Port: t.Optional(Num) });
const LoadBalancerOptions = t.Object({
  Type: t.Optional(Str),
  Key: t.Optional(Str),
  Expiry: t.Optional(Num),
  RouteKeys: t.Optional(StrList),
});
const AuthenticationOptions = t.Object({
  AuthenticationProviderKey: t.Optional(t.Union([Str, t.Null()])),
  AuthenticationProviderKeys: t.Optional(StrList),
  AllowedScopes: t.Optional(StrList),
  AllowAnonymous: t.Optional(t.Boolean()),
  RouteKeys: t.Optional(StrList),
  /** Meridian extension: the query parameter a GET on this route may carry its token in (EventSource clients). */
  MeridianQueryTokenParameter: t.Optional(Str),
});
const QoSOptions = t.Object({
  ExceptionsAllowedBeforeBreaking: t.Optional(Num),
  MinimumThroughput: t.Optional(Num),
  DurationOfBreak: t.Optional(Num),
  BreakDuration: t.Optional(Num),
  TimeoutValue: t.Optional(Num),
  Timeout: t.Optional(Num),
  RouteKeys: t.Optional(StrList),
});
const RouteRateLimitOptions = t.Object({
  ClientWhitelist: t.Optional(StrList),
  EnableRateLimiting: t.Optional(t.Boolean()),
  Period: t.Optional(Str),
  PeriodTimespan: t.Optional(Num),
  Limit: t.Optional(Num),
  ClientIdHeader: t.Optional(Str),
  QuotaExceededMessage: t.Optional(Str),
  HttpStatusCode: t.Optional(Num),
  DisableRateLimitHeaders: t.Optional(t.Boolean()),
  /** Meridian extension: what a counter belongs to (see PartitionKey). */
  MeridianPartitionKey: t.Optional(t.Union([t.Literal("ClientIdHeader"), t.Literal("Subject"), t.Literal("ClientAddress")])),
});
const GlobalRateLimitOptions = t.Object({
  ClientIdHeader: t.Optional(Str),
  QuotaExceededMessage: t.Optional(Str),
  HttpStatusCode: t.Optional(Num),
  DisableRateLimitHeaders: t.Optional(t.Boolean()),
  RateLimitCounterPrefix: t.Optional(Str),
});

const FileRoute = t.Object({
  UpstreamPathTemplate: Str,
  DownstreamPathTemplate: Str,
  UpstreamHttpMethod: t.Optional(StrList),
  DownstreamHttpMethod: t.Optional(Str),
  DownstreamScheme: t.Optional(Str),
  DownstreamHostAndPorts: t.Optional(t.Array(HostAndPort)),
  RouteIsCaseSensitive: t.Optional(t.Boolean()),
  Priority: t.Optional(Num),
  Key: t.Optional(Str),
  UpstreamHost: t.Optional(Str),
  LoadBalancerOptions: t.Optional(LoadBalancerOptions),
  AuthenticationOptions: t.Optional(AuthenticationOptions),
  RouteClaimsRequirement: t.Optional(t.Record(t.String(), t.String())),
  AddHeadersToRequest: t.Optional(t.Record(t.String(), t.String())),
  AddQueriesToRequest: t.Optional(t.Record(t.String(), t.String())),
  UpstreamHeaderTransform: t.Optional(t.Record(t.String(), t.String())),
  DownstreamHeaderTransform: t.Optional(t.Record(t.String(), t.String())),
  RequestIdKey: t.Optional(t.Union([Str, t.Null()])),
  QoSOptions: t.Optional(QoSOptions),
  RateLimitOptions: t.Optional(RouteRateLimitOptions),
  Timeout: t.Optional(Num),
});
const GlobalConfiguration = t.Object({
  BaseUrl: t.Optional(t.Union([Str, t.Null()])),
  RequestIdKey: t.Optional(t.Union([Str, t.Null()])),
  RateLimitOptions: t.Optional(GlobalRateLimitOptions),
  QoSOptions: t.Optional(QoSOptions),
  LoadBalancerOptions: t.Optional(LoadBalancerOptions),
  DownstreamScheme: t.Optional(Str),
  AuthenticationOptions: t.Optional(AuthenticationOptions),
  Timeout: t.Optional(Num),
  /** Meridian extension: reverse proxies in front of the gateway whose X-Forwarded-For entries are trusted. */
  MeridianTrustedProxies: t.Optional(t.Integer({ minimum: 0, maximum: 16 })),
});
const FileConfiguration = t.Object({
  Routes: t.Array(FileRoute),
  GlobalConfiguration: t.Optional(GlobalConfiguration),
});

export type FileConfiguration = Static<typeof FileConfiguration>;
export type FileRoute = Static<typeof FileRoute>;

export type LoadBalancerType = "NoLoadBalancer" | "RoundRobin" | "LeastConnection" | "CookieStickySessions";

/**
 * What a rate-limit counter belongs to. `ClientIdHeader` is Ocelot's: the client-chosen header, counted before
 * authentication. The Meridian extensions count after authentication and authorization (a refused request consumes
 * no quota): `Subject` per verified token subject (`sub`), `ClientAddress` per client address as seen through
 * `MeridianTrustedProxies` proxies.
 */
export type PartitionKey = "ClientIdHeader" | "Subject" | "ClientAddress";

export interface RateLimitRule {
  partitionKey: PartitionKey;
  clientWhitelist: string[];
  periodMs: number;
  period: string;
  waitMs: number;
  limit: number;
  clientIdHeader: string;
  quotaExceededMessage?: string;
  httpStatusCode: number;
  disableHeaders: boolean;
}

export interface QosRule {
  /** Consecutive failures that open the circuit; 0 = no circuit breaker. */
  failuresBeforeBreaking: number;
  breakMs: number;
  /** Downstream timeout (ms) for response headers. */
  timeoutMs: number;
}

/** Header transformation: add/replace the header, or find and replace inside its value. */
export interface HeaderTransform {
  header: string;
  find?: string;
  value: string;
}

/** One AddHeadersToRequest / AddQueriesToRequest entry: `Claims[claim] > value[index] > delimiter`. */
export interface ClaimToThing {
  header: string;
  claim: string;
  index?: number;
  delimiter?: string;
  /** Splits on any one character of the delimiter (Ocelot's ClaimsParser splits on each of them). */
  splitter?: RegExp;
}

export interface RouteConfig {
  /** Stable label for metrics and logs. */
  id: string;
  upstream: UpstreamPattern;
  /** Upper-cased; empty = any method. */
  methods: string[];
  upstreamHost?: string;
  downstreamPathTemplate: string;
  downstreamMethod?: string;
  scheme: string;
  hosts: Array<{ host: string; port?: number }>;
  loadBalancer: { type: LoadBalancerType; key?: string; expiryMs: number };
  authenticated: boolean;
  /** Meridian extension: a GET may carry its token in this query parameter (removed before forwarding). */
  queryTokenParameter?: string;
  allowedScopes: string[];
  claimsRequirement: Record<string, string>;
  /** The same, as entries (walked on every request). */
  claimsRequirementEntries: Array<[string, string]>;
  addHeaders: ClaimToThing[];
  /** AddQueriesToRequest: same syntax; `header` holds the query parameter name. */
  addQueries: ClaimToThing[];
  requestIdKey?: string;
  upstreamHeaderTransform: HeaderTransform[];
  downstreamHeaderTransform: HeaderTransform[];
  qos: QosRule;
  rateLimit?: RateLimitRule;
}

export interface GatewayRoutes {
  routes: RouteConfig[];
  /** GlobalConfiguration.BaseUrl, for the {BaseUrl} header placeholder. */
  baseUrl?: string;
  /** Prefix for rate-limit counter keys. */
  rateLimitCounterPrefix: string;
  /** Meridian extension: trusted reverse proxies in front of the gateway (X-Forwarded-For hops to skip). */
  trustedProxies: number;
}

export class GatewayConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GatewayConfigError";
  }
}

/** Renames object keys to the schema's spelling, ignoring case (recursively for nested object schemas). */
function normalizeKeys(value: unknown, schema: TSchema): unknown {
  if (Array.isArray(value) && schema.type === "array" && schema.items) {
    return value.map((v) => normalizeKeys(v, schema.items as TSchema));
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  if (schema.anyOf) {
    const objectSchema = (schema.anyOf as TSchema[]).find((s) => s.type === "object");
    return objectSchema ? normalizeKeys(value, objectSchema) : value;
  }
  if (schema.type !== "object" || !schema.properties) return value;
  const props = schema.properties as Record<string, TSchema>;
  const byLower = new Map(Object.keys(props).map((k) => [k.toLowerCase(), k]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const name = byLower.get(k.toLowerCase());
    if (!name) continue; // Ocelot ignores options it does not know; so do we.
    if (v === null && !(props[name]?.anyOf as TSchema[] | undefined)?.some((s) => s.type === "null")) continue;
    out[name] = normalizeKeys(v, props[name] as TSchema);
  }
  return out;
}

const PERIOD = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/** "1s", "5m", "1h", "1d", "500ms" → milliseconds (Ocelot's RateLimitRule.ParseTimespan units). */
export function parsePeriod(period: string): number {
  const m = PERIOD.exec(period.trim());
  if (!m) throw new GatewayConfigError(`RateLimitOptions.Period "${period}" is not like 1s, 5m, 1h, 1d or 100ms`);
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "ms" | "s" | "m" | "h" | "d"];
  return n * unit;
}

/** `"find, replace"` finds and replaces; a value without a comma adds the header (Ocelot's HeaderFindAndReplaceCreator). */
function parseHeaderTransforms(spec: Record<string, string> | undefined): HeaderTransform[] {
  return Object.entries(spec ?? {}).map(([header, value]) => {
    const comma = value.indexOf(",");
    return comma < 0
      ? { header, value }
      : { header, find: value.slice(0, comma), value: value.slice(comma + 1).trimStart() };
  });
}

/** `Claims[sub] > value[0] > |` (Ocelot's claims-to-things syntax). */
function parseClaimToHeader(header: string, spec: string): ClaimToThing {
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
    splitter: delimiter ? new RegExp([...delimiter].map((c) => c.replace(/[\\^$.*+?()[\]{}|-]/g, "\\$&")).join("|")) : undefined,
  };
}

const LOAD_BALANCERS: LoadBalancerType[] = ["NoLoadBalancer", "RoundRobin", "LeastConnection", "CookieStickySessions"];
const DEFAULT_TIMEOUT_MS = 90_000; // Ocelot's default downstream timeout

export function resolveConfiguration(raw: unknown): GatewayRoutes {
  const normalized = normalizeKeys(raw, FileConfiguration);
  if (!Value.Check(FileConfiguration, normalized)) {
    const first = Value.Errors(FileConfiguration, normalized).First();
    throw new GatewayConfigError(`invalid gateway configuration at ${first?.path || "/"}: ${first?.message}`);
  }
  const file = normalized as FileConfiguration;
  const global = file.GlobalConfiguration ?? {};
  const globalRate = global.RateLimitOptions ?? {};
  // Global options apply to every route, or only to the routes named in RouteKeys (Ocelot 24.1).
  const appliesTo = (routeKeys: string[] | undefined, key: string | undefined) =>
    !routeKeys?.length || (key !== undefined && routeKeys.includes(key));

  const routes = file.Routes.map((r, i): RouteConfig => {
    const where = `Routes[${i}] (${r.UpstreamPathTemplate})`;
    if (!r.UpstreamPathTemplate.startsWith("/"))
      throw new GatewayConfigError(`${where}: UpstreamPathTemplate must start with /`);
    if (!r.DownstreamPathTemplate.startsWith("/"))
      throw new GatewayConfigError(`${where}: DownstreamPathTemplate must start with /`);
    for (const template of [r.UpstreamPathTemplate, r.DownstreamPathTemplate]) {
      const names = placeholdersOf(template).map((p) => p.toLowerCase());
      if (new Set(names).size !== names.length && template === r.UpstreamPathTemplate)
        throw new GatewayConfigError(`${where}: duplicate placeholder in ${template}`);
    }
    const hosts = (r.DownstreamHostAndPorts ?? []).map((h) => ({ host: h.Host, port: h.Port }));
    if (hosts.length === 0) throw new GatewayConfigError(`${where}: DownstreamHostAndPorts is empty`);

    const globalLb =
      global.LoadBalancerOptions && appliesTo(global.LoadBalancerOptions.RouteKeys, r.Key) ? global.LoadBalancerOptions : {};
    const lb = r.LoadBalancerOptions?.Type ? r.LoadBalancerOptions : { ...globalLb, ...(r.LoadBalancerOptions ?? {}) };
    const lbType = (LOAD_BALANCERS.find((l) => l.toLowerCase() === (lb.Type ?? "NoLoadBalancer").toLowerCase()) ??
      undefined) as LoadBalancerType | undefined;
    if (!lbType) throw new GatewayConfigError(`${where}: unknown LoadBalancerOptions.Type ${lb.Type}`);
    if (lbType === "CookieStickySessions" && !lb.Key)
      throw new GatewayConfigError(`${where}: CookieStickySessions needs LoadBalancerOptions.Key`);

    const auth = r.AuthenticationOptions ?? {};
    const globalAuth = global.AuthenticationOptions && appliesTo(global.AuthenticationOptions.RouteKeys, r.Key)
      ? global.AuthenticationOptions
      : {};
    const keysOf = (o: typeof auth) =>
      [o.AuthenticationProviderKey ?? "", ...(o.AuthenticationProviderKeys ?? [])].filter((k) => k.length > 0);
    const providerKeys = keysOf(auth).length > 0 ? keysOf(auth) : keysOf(globalAuth);
    const allowAnonymous = auth.AllowAnonymous ?? globalAuth.AllowAnonymous ?? false;
    const allowedScopes = auth.AllowedScopes?.length ? auth.AllowedScopes : (globalAuth.AllowedScopes ?? []);

    const globalQos = global.QoSOptions && appliesTo(global.QoSOptions.RouteKeys, r.Key) ? global.QoSOptions : {};
    const qos = { ...globalQos, ...(r.QoSOptions ?? {}) };
    // Deprecated names take precedence (Ocelot 24.1 docs).
    const failures = qos.ExceptionsAllowedBeforeBreaking ?? qos.MinimumThroughput ?? 0;
    const breakMs = qos.DurationOfBreak ?? qos.BreakDuration ?? 0;
    const timeout = qos.TimeoutValue ?? qos.Timeout ?? 0;

    let rateLimit: RateLimitRule | undefined;
    const rl = r.RateLimitOptions;
    // FileRateLimitRule.EnableRateLimiting defaults to false: without `true` the route is not limited (Ocelot 23–24).
    if (rl && rl.EnableRateLimiting === true && (rl.Limit ?? 0) > 0) {
      if (!rl.Period) throw new GatewayConfigError(`${where}: RateLimitOptions.Period is required`);
      const partitionKey = rl.MeridianPartitionKey ?? "ClientIdHeader";
      if (partitionKey === "Subject" && !(providerKeys.length > 0 && !allowAnonymous))
        throw new GatewayConfigError(`${where}: RateLimitOptions.MeridianPartitionKey Subject needs an authenticated route`);
      rateLimit = {
        partitionKey,
        clientWhitelist: rl.ClientWhitelist ?? [],
        period: rl.Period,
        periodMs: parsePeriod(rl.Period),
        waitMs: Math.max(0, (rl.PeriodTimespan ?? 0) * 1000),
        limit: rl.Limit ?? 0,
        clientIdHeader: rl.ClientIdHeader ?? globalRate.ClientIdHeader ?? "ClientId",
        quotaExceededMessage: rl.QuotaExceededMessage ?? globalRate.QuotaExceededMessage,
        httpStatusCode: rl.HttpStatusCode ?? globalRate.HttpStatusCode ?? 429,
        disableHeaders: rl.DisableRateLimitHeaders ?? globalRate.DisableRateLimitHeaders ?? false,
      };
    }

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
      loadBalancer: { type: lbType, key: lb.Key, expiryMs: lb.Expiry ?? 1_200_000 },
      authenticated: providerKeys.length > 0 && !allowAnonymous,
      queryTokenParameter: auth.MeridianQueryTokenParameter,
      allowedScopes,
      claimsRequirement: r.RouteClaimsRequirement ?? {},
      claimsRequirementEntries: Object.entries(r.RouteClaimsRequirement ?? {}),
      addHeaders: Object.entries(r.AddHeadersToRequest ?? {}).map(([h, spec]) => parseClaimToHeader(h, spec)),
      addQueries: Object.entries(r.AddQueriesToRequest ?? {}).map(([q, spec]) => parseClaimToHeader(q, spec)),
      // A global RequestIdKey wins over the route's (Ocelot's RequestIdKeyCreator).
      requestIdKey: r.RequestIdKey || global.RequestIdKey || undefined, // route overrides global (RequestIdKeyCreator)
      upstreamHeaderTransform: parseHeaderTransforms(r.UpstreamHeaderTransform),
      downstreamHeaderTransform: parseHeaderTransforms(r.DownstreamHeaderTransform),
      qos: {
        failuresBeforeBreaking: failures > 0 ? Math.floor(failures) : 0,
        breakMs: breakMs > 0 ? breakMs : 5000,
        // QoS Timeout (ms) wins over the route's, then the global, Timeout (seconds; Ocelot 24.1).
        timeoutMs:
          timeout > 0
            ? timeout
            : (r.Timeout ?? 0) > 0
              ? (r.Timeout as number) * 1000
              : (global.Timeout ?? 0) > 0
                ? (global.Timeout as number) * 1000
                : DEFAULT_TIMEOUT_MS,
      },
      rateLimit,
    };
  });

  // Ocelot rejects two routes with the same upstream template, host and an overlapping method.
  for (let i = 0; i < routes.length; i++) {
    for (let j = i + 1; j < routes.length; j++) {
      const a = routes[i] as RouteConfig;
      const b = routes[j] as RouteConfig;
      // Ocelot's FileConfigurationFluentValidator.IsNotDuplicateIn: same template (ordinal) and host; any method
      // repeated, two any-method routes, or an any-method route next to a specific one.
      if (a.upstream.original !== b.upstream.original) continue;
      if ((a.upstreamHost ?? "") !== (b.upstreamHost ?? "")) continue;
      const overlap = a.methods.length === 0 || b.methods.length === 0 || a.methods.some((m) => b.methods.includes(m));
      if (overlap)
        throw new GatewayConfigError(
          `Routes[${i}] and Routes[${j}] both route ${a.upstream.original} for the same method; give each its own UpstreamHttpMethod`,
        );
    }
  }
  return {
    routes,
    baseUrl: global.BaseUrl ?? undefined,
    rateLimitCounterPrefix: globalRate.RateLimitCounterPrefix ?? "ocelot",
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
