/**
 * The resilience budget, computed from what would run: the rendered VirtualServices/DestinationRules
 * (mesh/istio, which mesh/test/istio.test.ts holds equal to the chart), the Envoy configs compose runs
 * (mesh/envoy) and the gateway's route table (gateway/ocelot.json). For every path a client request can
 * take, the worst-case attempts reaching the service and the worst-case time; one retrying tier, one
 * timeout per hop with per-try timeouts never shorter than it; outlier detection in front of a proxy that
 * ignores the proxy's own 5xx answers; event streams on a pool of their own; and a recovery budget
 * (circuit breaker + ejection) that lets intake back within 3 s. The per-path table is printed.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { DEPLOYABLES, helmTemplate, type K8sObject, prepareCharts, REPO_ROOT } from "../../k8s/test/deploy-support";
import {
  budget,
  type Budget,
  describeHop,
  envoyHop,
  envoyRoute,
  type EnvoyRoute,
  istioHop,
  MAX_ATTEMPTS,
  ocelotHop,
  type OcelotQos,
  type RequestPath,
  table,
  vsRoute,
  type VsRoute,
} from "./retry-budget";

setDefaultTimeout(60_000);

const readAll = (file: string): K8sObject[] =>
  parseAllDocuments(readFileSync(join(REPO_ROOT, "mesh/istio", file), "utf8"))
    .map((d) => d.toJS() as K8sObject)
    .filter(Boolean);
const virtualServices = readAll("virtual-services.yaml");
const destinationRules = readAll("destination-rules.yaml");
const envoy = (name: string) => parse(readFileSync(join(REPO_ROOT, "mesh/envoy", `${name}.yaml`), "utf8"));
const ocelot = JSON.parse(readFileSync(join(REPO_ROOT, "gateway/ocelot.json"), "utf8")) as {
  Routes: {
    Key: string;
    UpstreamPathTemplate: string;
    DownstreamPathTemplate: string;
    DownstreamHostAndPorts: { Port: number }[];
    QoSOptions?: OcelotQos;
  }[];
};

const HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
const PROXIES = ["gateway", "admin-bff", "web-customer", "web-admin"];
const SERVICES = DEPLOYABLES.filter((d) => d.component === "api");

// ------------------------------------------------------------------ reading the tiers

const vsIn = (list: K8sObject[], name: string) => list.find((v) => v.kind === "VirtualService" && v.metadata.name === name)!;
const vsOf = (name: string) => vsIn(virtualServices, name);
/** The ingress VirtualService (bound to the Istio Gateway) whose catch-all leads to the service. */
function edgeVsIn(list: K8sObject[], service: string): K8sObject {
  const host = `${service}.meridian.svc.cluster.local`;
  return list.find(
    (v) =>
      v.kind === "VirtualService" &&
      v.spec.gateways?.includes("meridian") &&
      vsRoute(v.spec.http, "/").route?.some((d: any) => d.destination.host === host),
  )!;
}
const istio = (label: string, vs: K8sObject, path: string) =>
  istioHop(`${label} (VirtualService ${vs.metadata.name})`, vsRoute(vs.spec.http as VsRoute[], path));

function envoyRoutes(config: string, listener: string | number): EnvoyRoute[] {
  const l = envoy(config).static_resources.listeners.find(
    (x: any) => x.name === listener || x.address.socket_address.port_value === listener,
  );
  const hcm = l.filter_chains[0].filters.find((f: any) => f.typed_config["@type"] === HCM).typed_config;
  return hcm.route_config.virtual_hosts.flatMap((v: any) => v.routes);
}
const envoyAt = (label: string, config: string, listener: string | number, path: string) =>
  envoyHop(`${label} (${config}.yaml)`, envoyRoute(envoyRoutes(config, listener), path));

const sample = (template: string) => template.replace(/\{[^}]+\}/g, "x");

// ------------------------------------------------------------------ the paths

/** Every path of a client request, in Kubernetes (VirtualServices `vs`, named `env`) and in compose. */
function paths(vs: K8sObject[] = virtualServices, env = "k8s", compose = true): RequestPath[] {
  const vsOf = (name: string) => vsIn(vs, name);
  const edgeVs = (service: string) => edgeVsIn(vs, service);
  const out: RequestPath[] = [];
  for (const r of ocelot.Routes) {
    const port = r.DownstreamHostAndPorts[0]!.Port;
    const svc = DEPLOYABLES.find((d) => d.port === port)!.name;
    const up = sample(r.UpstreamPathTemplate);
    const down = sample(r.DownstreamPathTemplate);
    const stream = /\/stream$/.test(r.UpstreamPathTemplate);
    const qos = ocelotHop(`gateway QoS (ocelot.json ${r.Key})`, r.QoSOptions);
    const toService = istio(`gateway → ${svc}`, vsOf(svc), down);
    out.push({
      name: `${env} api → ${svc}${stream ? " stream" : ""}`,
      stream,
      hops: [istio("ingress → gateway", edgeVs("gateway"), up), qos, toService],
    });
    out.push({
      name: `${env} shop /api → ${svc}${stream ? " stream" : ""}`,
      stream,
      hops: [
        istio("ingress → web-customer", edgeVs("web-customer"), `/api${up}`),
        istio("web-customer → gateway", vsOf("gateway"), up),
        qos,
        toService,
      ],
    });
    if (!stream) {
      out.push({
        name: `${env} admin /api → ${svc}`,
        stream,
        hops: [
          istio("ingress → web-admin", edgeVs("web-admin"), `/api${up}`),
          istio("web-admin → admin-bff", vsOf("admin-bff"), `/api${up}`),
          istio("admin-bff → gateway", vsOf("gateway"), up),
          qos,
          toService,
        ],
      });
    }
    if (!compose) continue;
    const sidecar = envoyAt(`gateway → ${svc}`, "gateway-sidecar", port, down);
    out.push({
      name: `compose api → ${svc}${stream ? " stream" : ""}`,
      stream,
      hops: [envoyAt("edge → gateway", "edge", "edge", up), qos, sidecar],
    });
    if (!stream) {
      out.push({
        name: `compose admin /api → ${svc}`,
        stream,
        hops: [envoyAt("admin-bff → gateway", "admin-bff-sidecar", "gateway", up), qos, sidecar],
      });
    }
  }
  const keycloak = vs.find((v) => v.kind === "VirtualService" && v.metadata.name === "edge-keycloak");
  if (keycloak)
    out.push({
      name: `${env} id → Keycloak`,
      stream: false,
      hops: [istio("ingress → keycloak", keycloak, "/realms/meridian/protocol/openid-connect/token")],
    });
  if (compose)
    out.push({
      name: "compose admin-bff → Keycloak",
      stream: false,
      hops: [envoyAt("admin-bff → keycloak", "admin-bff-sidecar", "keycloak", "/realms/meridian/protocol/openid-connect/token")],
    });
  return out;
}

/** The production overlay's rendered objects: its budget must hold as the plain files' does. */
let prod: K8sObject[] = [];
beforeAll(() => {
  const charts = prepareCharts();
  try {
    prod = helmTemplate(join(charts.dir, "meridian"), ["-f", join(charts.dir, "meridian/values-prod.yaml")]);
  } finally {
    charts.cleanup();
  }
}, 120_000);

describe("retry budget per path", () => {
  const budgets: Budget[] = paths().map(budget);

  test("when every path is computed, then the table is printed and covers each service, both environments and the streams", () => {
    console.log(`\nResilience budget (attempts reaching the service, worst-case time):\n${table(budgets)}\n`);
    for (const svc of SERVICES) {
      for (const env of ["k8s api", "k8s shop /api", "k8s admin /api", "compose api", "compose admin /api"]) {
        expect(
          budgets.some((b) => b.path.name === `${env} → ${svc.name}`),
          `${env} → ${svc.name}`,
        ).toBe(true);
      }
    }
    expect(budgets.filter((b) => b.path.stream).length).toBeGreaterThanOrEqual(3);
  });

  test(`when a request's retries are multiplied along its path, then at most ${MAX_ATTEMPTS} attempts reach the service`, () => {
    const over = budgets.filter((b) => b.attempts > MAX_ATTEMPTS).map((b) => `${b.path.name}: ${b.attempts}`);
    expect(over).toEqual([]);
  });

  test("when each hop's timeouts are read, then no per-try timeout is shorter than the hop's own and no hop cuts the one behind it", () => {
    const problems = [...new Set(budgets.filter((b) => !b.path.stream).flatMap((b) => b.problems))];
    expect(problems).toEqual([]);
  });

  test("when a path is read, then exactly one hop retries after the request reached the next one: the mesh's hop into the service", () => {
    for (const b of budgets.filter((x) => !x.path.stream && x.path.name.includes(" → ") && !x.path.name.includes("Keycloak"))) {
      const retrying = b.path.hops.filter(
        (h) => h.retries > 0 && h.retryOn.some((c) => !["connect-failure", "refused-stream"].includes(c)),
      );
      expect(
        retrying.map((h) => h.name),
        b.path.name,
      ).toEqual([b.path.hops.at(-1)!.name]);
      expect(b.path.hops.find((h) => h.name.startsWith("gateway QoS"))!.retries, b.path.name).toBe(0);
    }
  });

  test("when an event stream is routed, then no hop retries it or cuts it with a request timeout", () => {
    const problems = budgets.filter((b) => b.path.stream).flatMap((b) => b.problems.map((p) => `${b.path.name}: ${p}`));
    expect(problems).toEqual([]);
  });

  test("when the production overlay is rendered, then every path keeps the budget, the issuer's host included", () => {
    const prodBudgets = paths(prod, "k8s prod", false).map(budget);
    console.log(`\nProduction overlay:\n${table(prodBudgets)}\n`);
    expect(prodBudgets.some((b) => b.path.name === "k8s prod id → Keycloak")).toBe(true);
    expect(prodBudgets.flatMap((b) => b.problems.map((p) => `${b.path.name}: ${p}`))).toEqual([]);
  });

  test("when the budget model reads today's defects, then it reports them", () => {
    // perTryTimeout 4 s under a 10 s route timeout, 503 retried at the edge and at the service.
    const edge = istioHop("edge", { timeout: "20s", retries: { attempts: 2, perTryTimeout: "8s", retryOn: "connect-failure,503" } });
    const svc = istioHop("svc", { timeout: "10s", retries: { attempts: 2, perTryTimeout: "4s", retryOn: "connect-failure,503" } });
    const b = budget({ name: "old", stream: false, hops: [edge, ocelotHop("qos", { TimeoutValue: 15000 }), svc] });
    expect(b.attempts).toBe(9);
    expect(b.problems).toEqual([
      "up to 9 attempts reach the service (at most 3)",
      "svc: per-try timeout 4s is shorter than the hop's own timeout 10s",
      "edge: per-try timeout 8s is shorter than the hop's own timeout 20s",
      "edge: a try is cut after 8s, before the hop behind it (10s) can answer",
    ]);
    // A route without retries in Istio still gets Istio's default policy (2 retries, 503 included).
    expect(describeHop(istioHop("ingress", {}))).toBe(
      "ingress: timeout none, per try none, 2 retries on connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes,503",
    );
  });
});

// ------------------------------------------------------------------ outlier detection, pools, recovery

const drOf = (name: string) => destinationRules.find((d) => d.metadata.name === name)!;
const clusters = (config: string) => envoy(config).static_resources.clusters as any[];

describe("outlier detection and pools", () => {
  test("when a DestinationRule sits in front of a proxy, then only its own connection failures eject it, never the 5xx it relays", () => {
    for (const name of PROXIES) {
      const od = drOf(name).spec.trafficPolicy.outlierDetection;
      expect(od.consecutive5xxErrors, name).toBe(0);
      expect(od.consecutiveGatewayErrors, name).toBe(0);
      expect(od.splitExternalLocalOriginErrors, name).toBe(true);
      expect(od.consecutiveLocalOriginFailures, name).toBeGreaterThan(0);
    }
  });

  test("when an Envoy cluster leads to the gateway, then its outlier detection counts connection failures only", () => {
    for (const config of ["edge", "admin-bff-sidecar"]) {
      for (const c of clusters(config).filter((x) => x.name.startsWith("gateway"))) {
        const od = c.outlier_detection;
        expect(od.split_external_local_origin_errors, `${config}/${c.name}`).toBe(true);
        expect(od.consecutive_local_origin_failure, `${config}/${c.name}`).toBeGreaterThan(0);
        expect(od.enforcing_consecutive_5xx, `${config}/${c.name}`).toBe(0);
        expect(od.enforcing_consecutive_gateway_failure ?? 0, `${config}/${c.name}`).toBe(0);
      }
    }
  });

  test("when an event stream is routed, then it uses a connection pool of its own, apart from the requests' pool", () => {
    for (const name of ["gateway", "notifications"]) {
      const stream = vsOf(name).spec.http.find((r: any) => r.timeout === "0s");
      const main = vsOf(name).spec.http.at(-1);
      expect(stream.route[0].destination.subset, name).toBe("stream");
      expect(main.route[0].destination.subset, name).toBeUndefined();
      const subset = drOf(name).spec.subsets.find((s: any) => s.name === "stream");
      expect(subset.trafficPolicy.connectionPool.tcp.maxConnections, name).toBeGreaterThan(0);
    }
    for (const b of paths().filter((p) => p.stream)) expect(b.hops.length).toBeGreaterThan(0);
    const edgeStream = envoyRoute(envoyRoutes("edge", "edge"), "/notifications/stream").route.cluster;
    const edgeMain = envoyRoute(envoyRoutes("edge", "edge"), "/orders").route.cluster;
    const sidecarStream = envoyRoute(envoyRoutes("gateway-sidecar", 5103), "/api/notifications/stream").route.cluster;
    const sidecarMain = envoyRoute(envoyRoutes("gateway-sidecar", 5103), "/api/notifications").route.cluster;
    expect(edgeStream).not.toBe(edgeMain);
    expect(sidecarStream).not.toBe(sidecarMain);
    for (const [config, name] of [
      ["edge", edgeStream],
      ["gateway-sidecar", sidecarStream],
    ] as const) {
      expect(clusters(config).find((c) => c.name === name).circuit_breakers.thresholds[0].max_connections, name).toBeGreaterThan(0);
    }
  });

  test("when a service comes back, then the breaker and ejection let intake back within 3 s", () => {
    // The gateway's breaker opens for DurationOfBreak, then lets one probe through.
    for (const r of ocelot.Routes) expect(r.QoSOptions?.DurationOfBreak ?? 0, r.Key).toBeLessThanOrEqual(3000);
    // Ejection never takes every endpoint: the rest serve as soon as the service answers again.
    for (const dr of destinationRules)
      expect(dr.spec.trafficPolicy.outlierDetection.maxEjectionPercent, dr.metadata.name).toBeLessThan(100);
    for (const config of ["edge", "gateway-sidecar", "admin-bff-sidecar"]) {
      for (const c of clusters(config)) {
        expect(c.outlier_detection.max_ejection_percent, `${config}/${c.name}`).toBeLessThan(100);
        expect(c.common_lb_config?.healthy_panic_threshold?.value ?? 50, `${config}/${c.name}`).toBeGreaterThan(0);
      }
    }
  });
});
