/**
 * The Ocelot configuration file's shape (Routes + GlobalConfiguration), as TypeBox schemas. Property names are
 * matched case-insensitively, as .NET configuration binding does; unknown options are ignored, as Ocelot does.
 */
import { Type as t, type Static, type TSchema } from "@sinclair/typebox";

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
});
const QoSOptions = t.Object({
  ExceptionsAllowedBeforeBreaking: t.Optional(Num),
  MinimumThroughput: t.Optional(Num),
  DurationOfBreak: t.Optional(Num),
  BreakDuration: t.Optional(Num),
  FailureRatio: t.Optional(Num),
  SamplingDuration: t.Optional(Num),
  TimeoutValue: t.Optional(Num),
  Timeout: t.Optional(Num),
  RouteKeys: t.Optional(StrList),
});
/** What a route's and the global RateLimitOptions both set: the refusal and its headers, the counter's key. */
const rateLimitResponseFields = {
  ClientIdHeader: t.Optional(Str),
  QuotaExceededMessage: t.Optional(Str),
  QuotaMessage: t.Optional(Str),
  HttpStatusCode: t.Optional(Num),
  StatusCode: t.Optional(Num),
  DisableRateLimitHeaders: t.Optional(t.Boolean()),
  EnableHeaders: t.Optional(t.Boolean()),
  RateLimitCounterPrefix: t.Optional(Str),
  KeyPrefix: t.Optional(Str),
};

const RouteRateLimitOptions = t.Object({
  ClientWhitelist: t.Optional(StrList),
  EnableRateLimiting: t.Optional(t.Boolean()),
  Period: t.Optional(Str),
  PeriodTimespan: t.Optional(Num),
  Wait: t.Optional(Str),
  Limit: t.Optional(Num),
  ...rateLimitResponseFields,
  /** Meridian extension: what a counter belongs to (see PartitionKey). */
  MeridianPartitionKey: t.Optional(t.Union([t.Literal("ClientIdHeader"), t.Literal("Subject"), t.Literal("ClientAddress")])),
});
const GlobalRateLimitOptions = t.Object(rateLimitResponseFields);

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
export const FileConfiguration = t.Object({
  Routes: t.Array(FileRoute),
  GlobalConfiguration: t.Optional(GlobalConfiguration),
});

export type FileConfiguration = Static<typeof FileConfiguration>;
export type FileRoute = Static<typeof FileRoute>;

export type FileGlobalConfiguration = Static<typeof GlobalConfiguration>;
export type FileQoSOptions = Static<typeof QoSOptions>;
export type FileRateLimitOptions = Static<typeof RouteRateLimitOptions>;
export type FileGlobalRateLimitOptions = Static<typeof GlobalRateLimitOptions>;
export type FileAuthenticationOptions = Static<typeof AuthenticationOptions>;
export type FileLoadBalancerOptions = Static<typeof LoadBalancerOptions>;

export /** Renames object keys to the schema's spelling, ignoring case (recursively for nested object schemas). */
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
