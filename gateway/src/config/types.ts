/** The resolved configuration the gateway runs on (what the resolvers make of the file). */
import type { UpstreamPattern } from "../template";

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
  /** Wait after exceeding (Wait, or PeriodTimespan seconds); 0 = until the Period window ends. */
  waitMs: number;
  limit: number;
  clientIdHeader: string;
  /** The refusal's message, with {0} = Limit and {1} = Period filled in. */
  quotaMessage: string;
  statusCode: number;
  enableHeaders: boolean;
}

/** Ocelot 25 / Polly v8 circuit breaker: opens when, within `samplingMs`, at least `minimumThroughput` calls were
 * made and at least `failureRatio` of them failed; stays open for `breakMs`, then lets one probe through. */
export interface BreakerRule {
  minimumThroughput: number;
  failureRatio: number;
  samplingMs: number;
  breakMs: number;
}

export interface QosRule {
  /** Absent: no circuit breaker. */
  breaker?: BreakerRule;
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
