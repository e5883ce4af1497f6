/**
 * Ocelot's load balancers (docs: Load Balancer): NoLoadBalancer takes the first host, RoundRobin cycles,
 * LeastConnection takes the host with the fewest requests in flight (first one on ties), CookieStickySessions
 * keeps a client (cookie `Key`) on one host for `Expiry` ms, choosing new ones round robin.
 */
import type { RouteConfig } from "./config";

import { parseCookies } from "./headers";

export class LoadBalancer {
  private next = 0;
  private readonly inFlight: number[];
  private readonly sticky = new Map<string, { index: number; expiresAt: number }>();

  constructor(private readonly route: RouteConfig) {
    this.inFlight = route.hosts.map(() => 0);
  }

  /** The index (in DownstreamHostAndPorts) of the host for this request; give it back with `release`. */
  lease(headers: Headers): number {
    const index = this.pick(headers);
    this.inFlight[index] = (this.inFlight[index] ?? 0) + 1;
    return index;
  }

  release(index: number): void {
    this.inFlight[index] = Math.max(0, (this.inFlight[index] ?? 1) - 1);
  }

  private pick(headers: Headers): number {
    const hosts = this.route.hosts;
    switch (this.route.loadBalancer.type) {
      case "RoundRobin":
        return this.roundRobin();
      case "LeastConnection": {
        let best = 0;
        for (let i = 1; i < hosts.length; i++) if ((this.inFlight[i] ?? 0) < (this.inFlight[best] ?? 0)) best = i;
        return best;
      }
      case "CookieStickySessions":
        return this.stickyHost(parseCookies(headers.get("cookie"))[this.route.loadBalancer.key ?? ""]);
      default:
        return 0;
    }
  }

  private stickyHost(value: string | undefined): number {
    if (!value) return this.roundRobin();
    const now = Date.now();
    const s = this.sticky.get(value);
    if (s && s.expiresAt > now) {
      s.expiresAt = now + this.route.loadBalancer.expiryMs;
      return s.index;
    }
    const index = this.roundRobin();
    this.sticky.set(value, { index, expiresAt: now + this.route.loadBalancer.expiryMs });
    return index;
  }

  private roundRobin(): number {
    const index = this.next % this.route.hosts.length;
    this.next = (this.next + 1) % this.route.hosts.length;
    return index;
  }
}
