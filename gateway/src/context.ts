/** What the pipeline stages share about one request. */
import type { AuthContext } from "@meridian/kit/auth";
import type { SpanContext } from "@opentelemetry/api";
import type { RouteConfig } from "./config";
import type { CallDeadlines } from "./deadlines";
import type { LoadBalancer } from "./loadbalancer";
import type { CircuitBreaker } from "./qos";
import type { Placeholder } from "./template";

/** A route with its run-time state, built once at start. */
export interface RouteRuntime {
  route: RouteConfig;
  balancer: LoadBalancer;
  breaker: CircuitBreaker;
  /** Timeouts of the route's downstream calls in flight. */
  deadlines: CallDeadlines;
  /** `scheme://host[:port]` per DownstreamHostAndPorts entry. */
  baseUrls: string[];
  /** Idle timeout for the client connection while this route waits (seconds; Bun's default is 10). */
  idleTimeoutSec: number;
}

export interface GatewayRequest {
  request: Request;
  /** Upper-cased. */
  method: string;
  host: string;
  rawPath: string;
  /** With its `?`, or "". */
  rawQuery: string;
  clientIp?: string;
  /** The request's server span (propagated downstream). */
  span: SpanContext;
  rt: RouteRuntime;
  placeholders: Placeholder[];
  auth?: AuthContext;
  requestId?: string;
  /** Headers decided before the downstream answers (rate-limit counters, request id); they go on every answer. */
  responseHeaders: Record<string, string>;
}
