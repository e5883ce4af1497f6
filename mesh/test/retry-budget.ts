/**
 * The resilience budget of a client request: each hop it crosses (Istio VirtualService route, Envoy route,
 * the gateway's Ocelot QoS) with its timeout, per-try timeout and retries, read from the rendered
 * objects with each tier's own defaults; from those, the worst-case number of times the request reaches
 * the service and the worst-case time the client waits.
 *
 * Retries on connect-failure and refused-stream happen before the next hop received the request, so
 * they never multiply the work behind it; any other retry condition (a status code, a gRPC status, a
 * reset) may repeat work the next hop already did, so its tries multiply the attempts downstream.
 */

export interface Hop {
  /** Who applies it, e.g. "ingress → gateway (VirtualService edge-api-meridian-example)". */
  name: string;
  /** Route timeout in seconds, covering every try; null when there is none. */
  timeoutS: number | null;
  /** Per-try timeout in seconds; null when each try may take the whole route timeout. */
  perTryS: number | null;
  retries: number;
  retryOn: string[];
  /** The timeout bounds the wait for the response's headers only, not the body (the gateway's QoS). */
  headersOnly?: boolean;
}

export interface RequestPath {
  name: string;
  stream: boolean;
  /** Outermost (closest to the client) first. */
  hops: Hop[];
}

export interface Budget {
  path: RequestPath;
  /** Times the request may reach the service at the end of the path. */
  attempts: number;
  /** Worst-case seconds the client waits (Infinity when nothing bounds it). */
  worstS: number;
  problems: string[];
}

export const MAX_ATTEMPTS = 3;
/** Retry conditions under which the next hop never saw the request. */
const BEFORE_REQUEST = new Set(["connect-failure", "refused-stream"]);

export const multiplies = (hop: Hop) => hop.retries > 0 && hop.retryOn.some((c) => !BEFORE_REQUEST.has(c));

export function seconds(duration: string | undefined): number | null {
  if (duration === undefined) return null;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(duration);
  if (!m) throw new Error(`not a duration: ${duration}`);
  const value = Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as "ms" | "s" | "m" | "h"];
  return value === 0 ? null : value;
}

// ------------------------------------------------------------------ Istio

/** Istio's route retry policy when a VirtualService route sets none (pilot's retry.DefaultPolicy). */
const ISTIO_DEFAULT_RETRY = {
  attempts: 2,
  retryOn: ["connect-failure", "refused-stream", "unavailable", "cancelled", "retriable-status-codes", "503"],
};

export interface VsRoute {
  name?: string;
  match?: { uri?: { prefix?: string; exact?: string } }[];
  timeout?: string;
  retries?: { attempts?: number; perTryTimeout?: string; retryOn?: string };
  /** Where the route sends the request (Istio's HTTPRouteDestination). */
  route?: { destination: { host: string; port?: { number?: number } } }[];
}

/** The first HTTP route of a VirtualService that matches the path (prefix or exact), as Istio picks it. */
export function vsRoute(routes: VsRoute[], path: string): VsRoute {
  const hit = routes.find(
    (r) =>
      !r.match ||
      r.match.some(
        (m) => (m.uri?.prefix !== undefined && path.startsWith(m.uri.prefix)) || (m.uri?.exact !== undefined && path === m.uri.exact),
      ),
  );
  if (!hit) throw new Error(`no route matches ${path}`);
  return hit;
}

export function istioHop(name: string, route: VsRoute): Hop {
  const retries =
    route.retries === undefined
      ? ISTIO_DEFAULT_RETRY
      : {
          attempts: route.retries.attempts ?? ISTIO_DEFAULT_RETRY.attempts,
          retryOn: (route.retries.retryOn ?? ISTIO_DEFAULT_RETRY.retryOn.join(",")).split(","),
        };
  return {
    name,
    timeoutS: seconds(route.timeout),
    perTryS: seconds(route.retries?.perTryTimeout),
    retries: retries.attempts,
    retryOn: retries.retryOn,
  };
}

// ------------------------------------------------------------------ Envoy

/** Envoy's route timeout when a route sets none (RouteAction.timeout). */
const ENVOY_DEFAULT_TIMEOUT = "15s";

export interface EnvoyRoute {
  match: { prefix?: string; path?: string };
  route: {
    cluster: string;
    timeout?: string;
    retry_policy?: { retry_on?: string; num_retries?: number; per_try_timeout?: string; retriable_status_codes?: number[] };
  };
}

export function envoyRoute(routes: EnvoyRoute[], path: string): EnvoyRoute {
  const hit = routes.find((r) => (r.match.prefix !== undefined && path.startsWith(r.match.prefix)) || r.match.path === path);
  if (!hit) throw new Error(`no route matches ${path}`);
  return hit;
}

export function envoyHop(name: string, r: EnvoyRoute): Hop {
  const policy = r.route.retry_policy;
  const retryOn = (policy?.retry_on ?? "")
    .split(",")
    .filter(Boolean)
    .flatMap((c) => (c === "retriable-status-codes" ? (policy?.retriable_status_codes ?? []).map(String) : [c]));
  return {
    name,
    timeoutS: seconds(r.route.timeout ?? ENVOY_DEFAULT_TIMEOUT),
    perTryS: seconds(policy?.per_try_timeout),
    retries: policy ? (policy.num_retries ?? 1) : 0,
    retryOn,
  };
}

// ------------------------------------------------------------------ Ocelot

export interface OcelotQos {
  TimeoutValue?: number;
  ExceptionsAllowedBeforeBreaking?: number;
  DurationOfBreak?: number;
}

/** Ocelot's downstream timeout when neither QoSOptions.TimeoutValue nor a route Timeout is set (90 s). */
const OCELOT_DEFAULT_TIMEOUT_MS = 90_000;

/** The gateway's QoS: one try, timed out after TimeoutValue ms (Ocelot's 90 s when unset); it never retries. */
export function ocelotHop(name: string, qos: OcelotQos | undefined): Hop {
  const ms = qos?.TimeoutValue && qos.TimeoutValue > 0 ? qos.TimeoutValue : OCELOT_DEFAULT_TIMEOUT_MS;
  return { name, timeoutS: ms / 1000, perTryS: null, retries: 0, retryOn: [], headersOnly: true };
}

// ------------------------------------------------------------------ the budget

/** Worst-case seconds a hop holds the request, given the worst case of everything behind it. */
function hopWorst(hop: Hop, inner: number): number {
  const perTry = Math.min(hop.perTryS ?? Infinity, hop.timeoutS ?? Infinity, inner);
  return Math.min(hop.timeoutS ?? Infinity, (hop.retries + 1) * perTry);
}

export function budget(path: RequestPath): Budget {
  const problems: string[] = [];
  const attempts = path.hops.reduce((n, h) => n * (multiplies(h) ? h.retries + 1 : 1), 1);
  if (path.stream) {
    for (const h of path.hops.filter((x) => x.retries > 0 && multiplies(x)))
      problems.push(`${h.name}: retries a stream after it reached the next hop`);
    for (const h of path.hops.filter((x) => x.timeoutS !== null && !x.headersOnly))
      problems.push(`${h.name}: cuts the stream after ${h.timeoutS}s`);
    return { path, attempts, worstS: Infinity, problems };
  }
  if (attempts > MAX_ATTEMPTS) problems.push(`up to ${attempts} attempts reach the service (at most ${MAX_ATTEMPTS})`);
  // Inside out: each hop's worst case, and whether a hop cuts the budget of the hop behind it.
  let inner = Infinity;
  for (let i = path.hops.length - 1; i >= 0; i--) {
    const h = path.hops[i]!;
    if (h.perTryS !== null && h.timeoutS !== null && h.perTryS < h.timeoutS) {
      problems.push(`${h.name}: per-try timeout ${h.perTryS}s is shorter than the hop's own timeout ${h.timeoutS}s`);
    }
    const perTry = Math.min(h.perTryS ?? Infinity, h.timeoutS ?? Infinity);
    if (perTry < inner && inner !== Infinity) {
      problems.push(`${h.name}: a try is cut after ${perTry}s, before the hop behind it (${inner}s) can answer`);
    }
    inner = hopWorst(h, inner);
  }
  if (inner === Infinity) problems.push("nothing bounds the time a client waits");
  return { path, attempts, worstS: inner, problems };
}

const fmt = (s: number | null) => (s === null || s === Infinity ? "none" : `${s}s`);

export function describeHop(h: Hop): string {
  const retry = h.retries === 0 ? "no retry" : `${h.retries} ${multiplies(h) ? "retries" : "connect retries"} on ${h.retryOn.join(",")}`;
  return `${h.name}: timeout ${fmt(h.timeoutS)}, per try ${fmt(h.perTryS ?? h.timeoutS)}, ${retry}`;
}

/** The per-path table printed by the test (one line per distinct path). */
export function table(budgets: Budget[]): string {
  const rows = new Map<string, string>();
  for (const b of budgets) {
    const hops = b.path.hops
      .map((h) => `${h.name.split(" (")[0]} ${fmt(h.timeoutS)}${h.retries ? `×${h.retries + 1}${multiplies(h) ? "" : "c"}` : ""}`)
      .join(" → ");
    const row = `| ${b.path.name} | ${hops} | ${b.attempts} | ${b.path.stream ? "stream" : fmt(b.worstS)} | ${b.problems.length ? b.problems.join("; ") : "ok"} |`;
    rows.set(row, row);
  }
  return [
    "| path | hops (timeout ×tries; c = connect-level retries only) | attempts | worst time | verdict |",
    "|---|---|---|---|---|",
    ...rows.keys(),
  ].join("\n");
}
