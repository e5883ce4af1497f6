/**
 * The Envoy configurations compose runs (mesh/envoy): every route has a timeout and bounded retries with a
 * per-try timeout (streams excepted), every cluster has circuit-breaker limits and outlier detection, and
 * the listeners line up with what the other side expects: gateway/ocelot.json's loopback downstreams,
 * the admin BFF's GATEWAY_URL and issuer port, the ports compose publishes.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { DEPLOYABLES, REPO_ROOT } from "../../k8s/test/deploy-support";

// Tools run as child processes on a shared 2-core machine: allow them time (bunfig is not read from here).
setDefaultTimeout(60_000);

const ENVOY_DIR = join(REPO_ROOT, "mesh/envoy");
const configs = Object.fromEntries(
  readdirSync(ENVOY_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => [f.replace(".yaml", ""), parse(readFileSync(join(ENVOY_DIR, f), "utf8"))]),
) as Record<string, any>;
const compose = parse(readFileSync(join(REPO_ROOT, "compose.yml"), "utf8"), { merge: true }) as any;

const HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
const seconds = (d: string) => Number(d.replace(/s$/, ""));

function listeners(config: any): { name: string; address: string; port: number; routes: any[] }[] {
  return config.static_resources.listeners.map((l: any) => {
    const hcm = l.filter_chains[0].filters.find((f: any) => f.typed_config["@type"] === HCM).typed_config;
    return {
      name: l.name,
      address: l.address.socket_address.address,
      port: l.address.socket_address.port_value,
      routes: hcm.route_config.virtual_hosts.flatMap((v: any) => v.routes),
    };
  });
}

function clusterTarget(config: any, name: string): string {
  const c = config.static_resources.clusters.find((x: any) => x.name === name);
  const a = c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
  return `${a.address}:${a.port_value}`;
}

describe("Envoy resilience settings", () => {
  test("when the configs are listed, then the edge proxy and both sidecars are there", () => {
    expect(Object.keys(configs).sort()).toEqual(["admin-bff-sidecar", "edge", "gateway-sidecar"]);
  });

  test.each(["edge", "gateway-sidecar", "admin-bff-sidecar"])(
    "when %s's routes are read, then each has a timeout and bounded retries within it",
    (name) => {
      for (const l of listeners(configs[name])) {
        for (const r of l.routes) {
          const where = `${name}/${l.name} ${r.match.prefix}`;
          expect(r.route.timeout, where).toMatch(/^\d+s$/);
          if (r.route.timeout === "0s") {
            // Event streams: unbounded by design, never retried, closed when idle.
            expect(r.match.prefix, where).toEndWith("/stream");
            expect(r.route.retry_policy, where).toBeUndefined();
            expect(r.route.idle_timeout, where).toMatch(/^\d+s$/);
            continue;
          }
          const retry = r.route.retry_policy;
          expect(retry.num_retries, where).toBeGreaterThanOrEqual(1);
          // A try may take the whole hop budget: a slow try is never cut only to be repeated.
          expect(seconds(retry.per_try_timeout), where).toBe(seconds(r.route.timeout));
          // Writes must not be repeated after they reached the app: no reset/5xx/gateway-error, 503 at most.
          for (const c of retry.retry_on.split(","))
            expect(["connect-failure", "refused-stream", "retriable-status-codes"], where).toContain(c);
          for (const code of retry.retriable_status_codes ?? []) expect(code, where).toBe(503);
        }
      }
    },
  );

  test.each(["edge", "gateway-sidecar", "admin-bff-sidecar"])(
    "when %s's clusters are read, then each has circuit-breaker limits and outlier detection",
    (name) => {
      for (const c of configs[name].static_resources.clusters) {
        const limits = c.circuit_breakers.thresholds[0];
        for (const k of ["max_connections", "max_pending_requests", "max_requests", "max_retries"])
          expect(limits[k], `${c.name} ${k}`).toBeGreaterThan(0);
        expect(c.outlier_detection.interval, c.name).toMatch(/^\d+s$/);
        expect(c.connect_timeout).toMatch(/^\d+s$/);
      }
    },
  );
});

describe("Envoy wiring", () => {
  test("when gateway/ocelot.json sends a route to 127.0.0.1:<port>, then the gateway's sidecar listens there and leads to the service owning the port", () => {
    const ocelot = JSON.parse(readFileSync(join(REPO_ROOT, "gateway/ocelot.json"), "utf8"));
    const ports = new Set<number>(ocelot.Routes.flatMap((r: any) => r.DownstreamHostAndPorts.map((h: any) => h.Port)));
    const sidecar = listeners(configs["gateway-sidecar"]);
    expect(sidecar.map((l) => l.port).sort()).toEqual([...ports].sort());
    for (const l of sidecar) {
      expect(l.address).toBe("127.0.0.1");
      const owner = DEPLOYABLES.find((d) => d.port === l.port)!;
      const cluster = l.routes.at(-1).route.cluster;
      expect(clusterTarget(configs["gateway-sidecar"], cluster)).toBe(`${owner.name}:${owner.port}`);
    }
    for (const h of ocelot.Routes.flatMap((r: any) => r.DownstreamHostAndPorts)) expect(h.Host).toBe("127.0.0.1");
  });

  test("when the admin BFF calls the issuer or the gateway, then its sidecar's loopback listeners lead there", () => {
    const env = compose.services["admin-bff"].environment;
    const issuer = new URL(env.OIDC_ISSUER);
    const gateway = new URL(env.GATEWAY_URL);
    const side = listeners(configs["admin-bff-sidecar"]);
    const toIssuer = side.find((l) => l.port === Number(issuer.port))!;
    expect(issuer.hostname).toBe("localhost");
    expect(clusterTarget(configs["admin-bff-sidecar"], toIssuer.routes[0].route.cluster)).toBe(
      `keycloak:${compose.services.keycloak.environment.KC_HTTP_PORT}`,
    );
    const toGateway = side.find((l) => l.port === Number(gateway.port))!;
    expect(gateway.hostname).toBe("127.0.0.1");
    expect(clusterTarget(configs["admin-bff-sidecar"], toGateway.routes[0].route.cluster)).toBe("gateway:8080");
    for (const l of side) expect(l.address).toBe("127.0.0.1");
  });

  test("when compose publishes the edge, then the edge listens on that port and leads to the gateway", () => {
    const [edge] = listeners(configs.edge);
    expect(compose.services.edge.ports).toContain(`127.0.0.1:${edge!.port}:${edge!.port}`);
    expect(clusterTarget(configs.edge, edge!.routes.at(-1).route.cluster)).toBe("gateway:8080");
    expect(compose.services["web-customer"].environment.API_UPSTREAM).toBe(`http://edge:${edge!.port}`);
  });

  test("when Envoy's admin endpoint is read, then it is bound to loopback only", () => {
    for (const [name, config] of Object.entries(configs)) expect(config.admin.address.socket_address.address, name).toBe("127.0.0.1");
  });
});
