/**
 * The flow matrix (k8s/flows.yaml) against the umbrella chart rendered with each overlay: every required
 * flow allowed and every forbidden flow refused by NetworkPolicy and Istio together (the matrix is printed),
 * and every in-cluster URL the charts hand to a process addresses a port its Service listens on.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { HELM, helmTemplate, podWorkloads, prepareCharts, type K8sObject } from "./deploy-support";
import { flowMatrix, formatMatrix, loadFlows, OVERLAYS, type FlowResult, type Overlay } from "./flow-matrix";

setDefaultTimeout(60_000);

const flows = loadFlows();
let charts: { dir: string; cleanup(): void };
const rendered = new Map<Overlay, K8sObject[]>();
const matrices = new Map<Overlay, FlowResult[]>();

export function overlayArgs(chartsDir: string, overlay: Overlay): string[] {
  return overlay === "base" ? [] : ["-f", join(chartsDir, "meridian", `values-${overlay}.yaml`)];
}

beforeAll(() => {
  if (!Bun.file(HELM).size) throw new Error(`helm is not installed at ${HELM}: run scripts/tools/helm.sh`);
  charts = prepareCharts();
  for (const overlay of OVERLAYS) {
    const objects = helmTemplate(join(charts.dir, "meridian"), overlayArgs(charts.dir, overlay));
    rendered.set(overlay, objects);
    matrices.set(overlay, flowMatrix(flows, overlay, objects));
  }
}, 120_000);

afterAll(() => charts?.cleanup());

const find = (overlay: Overlay, from: string, to: string, port?: string) =>
  matrices.get(overlay)!.filter((r) => r.from === from && r.to === to && (!port || r.port.includes(port)));

describe("flow matrix", () => {
  test.each(OVERLAYS)("when the %s overlay is rendered, then every required flow is allowed and every forbidden one refused", (overlay) => {
    const results = matrices.get(overlay)!;
    console.log(`\nflow matrix, ${overlay} overlay (${results.length} flows)\n${formatMatrix(results)}`);
    expect(results.length).toBeGreaterThan(40);
    expect(results.filter((r) => !r.ok).map((r) => `${r.expect} ${r.from} -> ${r.to}:${r.port}: ${r.networkPolicy} ${r.istio}`)).toEqual(
      [],
    );
  });

  test("when prod denies by default, then every token verifier reaches Keycloak's JWKS and the Gateway serves the issuer's host", () => {
    for (const from of ["orders", "inventory", "notifications", "audit", "gateway", "admin-bff"]) {
      const [jwks] = find("prod", from, "keycloak", "8080");
      expect(jwks?.allowed, `${from} -> keycloak: ${jwks?.networkPolicy} ${jwks?.istio}`).toBe(true);
    }
    const gateway = rendered.get("prod")!.find((o) => o.kind === "Gateway")!;
    const hosts = gateway.spec.servers.flatMap((s: any) => s.hosts);
    expect(hosts).toContain(new URL(issuerOf("prod")).host);
    const [edge] = find("prod", "istio-ingressgateway", "keycloak");
    expect(edge?.allowed).toBe(true);
  });

  test("when prod is rendered, then the admin BFF discovers the issuer in-cluster and may reach it", () => {
    const bff = podWorkloads(rendered.get("prod")!).find((w) => w.obj.metadata.name === "admin-bff")!;
    const env = Object.fromEntries(bff.podSpec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env.OIDC_DISCOVERY_URL).toBe("http://keycloak-service.meridian.svc:8080/realms/meridian/.well-known/openid-configuration");
    expect(find("prod", "admin-bff", "keycloak", "8080")[0]?.allowed).toBe(true);
  });

  test("when operators outside the mesh call their pods under STRICT mTLS, then the calls get through", () => {
    for (const [from, to] of [
      ["cnpg-operator", "postgresql"],
      ["rabbitmq-operator", "rabbitmq"],
      ["redis-operator", "redis"],
    ]) {
      const [r] = find("prod", from!, to!);
      expect(r?.allowed, `${from} -> ${to}: ${r?.networkPolicy} ${r?.istio}`).toBe(true);
    }
  });

  test("when Prometheus scrapes prod, then every sidecar's 15090 and every service's management port answer it", () => {
    const scrapes = matrices.get("prod")!.filter((r) => r.from === "prometheus" && r.expect === "allow");
    expect(scrapes.filter((r) => r.port.endsWith("15090")).length).toBeGreaterThanOrEqual(14);
    expect(scrapes.filter((r) => r.port.startsWith("management/")).length).toBe(7);
    expect(scrapes.filter((r) => !r.allowed)).toEqual([]);
  });

  test("when prod runs the mesh, then a PodMonitor scrapes every injected sidecar's Envoy port (15090) in the release namespace", () => {
    const objects = rendered.get("prod")!;
    const monitors = objects.filter((o) => o.kind === "PodMonitor");
    const sidecars = monitors.find((m) =>
      m.spec.podMetricsEndpoints.some((e: any) => e.port === "http-envoy-prom" && e.path === "/stats/prometheus"),
    );
    expect(sidecars, `PodMonitors: ${monitors.map((m) => m.metadata.name).join(", ") || "none"}`).toBeDefined();
    // Istio's injector labels every pod it gives a sidecar with security.istio.io/tlsMode.
    expect(sidecars!.spec.selector.matchExpressions).toContainEqual({ key: "security.istio.io/tlsMode", operator: "Exists" });
    expect(sidecars!.spec.namespaceSelector.matchNames).toEqual([flows.releaseNamespace]);
    const serviceMonitor = objects.find((o) => o.kind === "ServiceMonitor")!;
    // Prometheus selects monitors by the label the ServiceMonitors carry.
    expect(serviceMonitor.metadata.labels?.release).toBeTruthy();
    expect(sidecars!.metadata.labels?.release).toBe(serviceMonitor.metadata.labels?.release);
  });

  test("when the collector ships to Loki, then egress admits the gateway pod's port (8080), not the Service's 80", () => {
    const [loki] = find("prod", "otel-collector", "loki-gateway");
    expect(loki?.port).toBe("http-metrics/8080");
    expect(loki?.allowed, loki?.networkPolicy).toBe(true);
  });

  test("when a policy is broken, then the matrix names the flow and the layer that refuses it", () => {
    const objects = structuredClone(rendered.get("prod")!);
    const orders = objects.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "orders")!;
    orders.spec.ingress = orders.spec.ingress.slice(1); // drop the gateway's rule
    const ap = objects.find((o) => o.kind === "AuthorizationPolicy" && o.metadata.name === "inventory")!;
    ap.spec.rules = ap.spec.rules.slice(1);
    const bad = flowMatrix(flows, "prod", objects).filter((r) => !r.ok);
    const orders5101 = bad.find((r) => r.from === "gateway" && r.to === "orders")!;
    expect(orders5101.networkPolicy).toContain("ingress of orders");
    const inventory = bad.find((r) => r.from === "gateway" && r.to === "inventory")!;
    expect(inventory.istio).toContain("no ALLOW rule");
  });
});

function issuerOf(overlay: Overlay): string {
  const gw = podWorkloads(rendered.get(overlay)!).find((w) => w.obj.metadata.name === "gateway")!;
  return gw.podSpec.containers[0].env.find((e: any) => e.name === "OIDC_ISSUER").value;
}

/** host -> ports of the Services in flows.yaml and the chart's own Services, for one overlay. */
function servicePorts(overlay: Overlay): Map<string, number[]> {
  const ports = new Map<string, number[]>();
  const add = (name: string, ns: string, port: number) => {
    for (const host of [`${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`, ...(ns === flows.releaseNamespace ? [name] : [])]) {
      ports.set(host, [...(ports.get(host) ?? []), port]);
    }
  };
  for (const s of rendered.get(overlay)!.filter((o) => o.kind === "Service")) {
    for (const p of s.spec.ports) add(s.metadata.name, s.metadata.namespace ?? flows.releaseNamespace, p.port);
  }
  for (const placements of Object.values(flows.workloads)) {
    const p = placements[overlay];
    for (const s of p?.services ?? []) add(s.name, p!.namespace === "release" ? flows.releaseNamespace : p!.namespace!, s.port);
  }
  return ports;
}

/** http(s) URLs in the rendered env values and connections Secret that name an in-cluster Service. */
function inClusterUrls(objects: K8sObject[]): { where: string; url: URL }[] {
  const values: { where: string; value: string }[] = [];
  for (const w of podWorkloads(objects)) {
    for (const c of w.podSpec.containers) {
      for (const e of c.env ?? [])
        if (typeof e.value === "string") values.push({ where: `${w.obj.metadata.name} ${e.name}`, value: e.value });
    }
  }
  for (const s of objects.filter((o) => o.kind === "Secret")) {
    for (const [k, v] of Object.entries((s.stringData ?? {}) as Record<string, string>)) values.push({ where: `Secret ${k}`, value: v });
  }
  return values.flatMap(({ where, value }) => {
    if (!/^[a-z]+:\/\//.test(value)) return [];
    const url = new URL(value);
    return url.hostname.includes(".svc") || !url.hostname.includes(".") ? [{ where, url }] : [];
  });
}

const DEFAULT_PORT: Record<string, number> = {
  "http:": 80,
  "https:": 443,
  "amqp:": 5672,
  "redis:": 6379,
  "postgres:": 5432,
  "mssql:": 1433,
};

describe("addresses", () => {
  test.each(OVERLAYS)(
    "when the %s overlay hands a process an in-cluster URL, then the Service it names listens on that port",
    (overlay) => {
      const ports = servicePorts(overlay);
      const problems: string[] = [];
      for (const { where, url } of inClusterUrls(rendered.get(overlay)!)) {
        const port = Number(url.port || DEFAULT_PORT[url.protocol]);
        const known = ports.get(url.hostname);
        if (!known) problems.push(`${where}: ${url.hostname} is no Service of the chart or of flows.yaml`);
        else if (!known.includes(port)) problems.push(`${where}: ${url.hostname} listens on ${known.join(", ")}, not ${port}`);
      }
      expect(problems).toEqual([]);
    },
  );

  test.each(OVERLAYS)(
    "when the %s overlay's gateway routes are read, then each downstream is a Service port the gateway may reach",
    (overlay) => {
      const objects = rendered.get(overlay)!;
      const routes = JSON.parse(
        (objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "gateway-routes") as any).data["ocelot.json"],
      );
      const ports = servicePorts(overlay);
      const reachable = new Set(
        matrices
          .get(overlay)!
          .filter((r) => r.from === "gateway" && r.allowed)
          .map((r) => r.to),
      );
      const problems: string[] = [];
      for (const route of routes.Routes) {
        for (const { Host, Port } of route.DownstreamHostAndPorts) {
          if (!(ports.get(Host) ?? []).includes(Port)) problems.push(`${route.UpstreamPathTemplate}: ${Host}:${Port} is no Service port`);
          if (!reachable.has(Host)) problems.push(`${route.UpstreamPathTemplate}: gateway -> ${Host} is not an allowed flow`);
        }
      }
      expect(routes.Routes.length).toBeGreaterThan(5);
      expect(problems).toEqual([]);
    },
  );
});
