/**
 * Ocelot's route finding (DownstreamRouteFinder): routes ordered by Priority (descending, file order on ties), the
 * first whose method, host and template match; a route with a matching UpstreamHost is preferred over routes without
 * one. Precompiled once: per method the ordered candidates, host-specific ones apart, so a request walks one list.
 */
import type { RouteConfig } from "./config";
import { matches } from "./template";

export interface RouteTable<R extends { route: RouteConfig }> {
  find(method: string, host: string, path: string, query: string): R | undefined;
}

interface Candidates<R> {
  withHost: R[];
  withoutHost: R[];
}

function candidatesFor<R extends { route: RouteConfig }>(ordered: R[], method: string | undefined): Candidates<R> {
  const allowed = ordered.filter((rt) => rt.route.methods.length === 0 || (method !== undefined && rt.route.methods.includes(method)));
  return {
    withHost: allowed.filter((rt) => rt.route.upstreamHost),
    withoutHost: allowed.filter((rt) => !rt.route.upstreamHost),
  };
}

const PORT_SUFFIX = /:\d+$/;

/** UpstreamHost matches the Host header with or without its port. */
function hostMatches(want: string, host: string): boolean {
  const lower = host.toLowerCase();
  return want === lower || want === lower.replace(PORT_SUFFIX, "");
}

export function createRouteTable<R extends { route: RouteConfig }>(runtimes: R[]): RouteTable<R> {
  // Stable sort: equal priorities keep file order (Ocelot: OrderByDescending(Priority), first match).
  const ordered = [...runtimes].sort((a, b) => b.route.upstream.priority - a.route.upstream.priority);
  const byMethod = new Map<string, Candidates<R>>();
  for (const rt of ordered) for (const m of rt.route.methods) if (!byMethod.has(m)) byMethod.set(m, candidatesFor(ordered, m));
  const anyMethod = candidatesFor(ordered, undefined);
  return {
    find(method, host, path, query) {
      const list = byMethod.get(method) ?? anyMethod;
      for (const rt of list.withHost)
        if (hostMatches((rt.route.upstreamHost as string).toLowerCase(), host) && matches(rt.route.upstream, path, query)) return rt;
      for (const rt of list.withoutHost) if (matches(rt.route.upstream, path, query)) return rt;
      return undefined;
    },
  };
}
