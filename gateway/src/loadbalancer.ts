/**
 * Ocelot's load balancers (docs: Load Balancer): NoLoadBalancer takes the first host, RoundRobin cycles,
 * LeastConnection takes the host with the fewest requests in flight (first one on ties), CookieStickySessions
 * keeps a client (cookie `Key`) on one host for `Expiry` ms, choosing new ones round robin.
 */
import type { RouteConfig } from "./config";

export interface HostAndPort {
  host: string;
  port?: number;
}

export interface Lease {
  target: HostAndPort;
  release(): void;
}

export class LoadBalancer {
  private next = 0;
  private readonly inFlight: number[];
  private readonly sticky = new Map<string, { index: number; expiresAt: number }>();

  constructor(private readonly route: RouteConfig) {
    this.inFlight = route.hosts.map(() => 0);
  }

  lease(cookies: Record<string, string>): Lease {
    const index = this.pick(cookies);
    this.inFlight[index] = (this.inFlight[index] ?? 0) + 1;
    let released = false;
    return {
      target: this.route.hosts[index] as HostAndPort,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight[index] = Math.max(0, (this.inFlight[index] ?? 1) - 1);
      },
    };
  }

  private pick(cookies: Record<string, string>): number {
    const hosts = this.route.hosts;
    switch (this.route.loadBalancer.type) {
      case "RoundRobin":
        return this.roundRobin();
      case "LeastConnection": {
        let best = 0;
        for (let i = 1; i < hosts.length; i++) if ((this.inFlight[i] ?? 0) < (this.inFlight[best] ?? 0)) best = i;
        return best;
      }
      case "CookieStickySessions": {
        const key = this.route.loadBalancer.key ?? "";
        const value = cookies[key];
        const now = Date.now();
        if (value) {
          const s = this.sticky.get(value);
          if (s && s.expiresAt > now) {
            s.expiresAt = now + this.route.loadBalancer.expiryMs;
            return s.index;
          }
          const index = this.roundRobin();
          this.sticky.set(value, { index, expiresAt: now + this.route.loadBalancer.expiryMs });
          return index;
        }
        return this.roundRobin();
      }
      default:
        return 0;
    }
  }

  private roundRobin(): number {
    const index = this.next % this.route.hosts.length;
    this.next = (this.next + 1) % this.route.hosts.length;
    return index;
  }
}
