/**
 * The Istio configuration: the plain files in mesh/istio are what the umbrella chart renders (no drift),
 * and together they allow exactly the calls the architecture needs, with mTLS, timeouts, retries,
 * bulkheads and outlier detection for every service.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { DEPLOYABLES, type K8sObject } from "../../k8s/test/deploy-support";
import { renderIstioFiles, renderMeshChart } from "../render-istio";

// Tools run as child processes on a shared 2-core machine: allow them time (bunfig is not read from here).
setDefaultTimeout(60_000);

const ISTIO_DIR = join(import.meta.dir, "../istio");
const committed = Object.fromEntries(readdirSync(ISTIO_DIR).map((f) => [f, readFileSync(join(ISTIO_DIR, f), "utf8")]));
const objects: K8sObject[] = Object.values(committed).flatMap((text) =>
  parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject)
    .filter(Boolean),
);
const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
const named = (kind: string, name: string) => byKind(kind).find((o) => o.metadata.name === name);
const servers = DEPLOYABLES.filter((d) => d.component !== "job");

/** Service accounts (names) an AuthorizationPolicy lets in, and whether it admits the ingress gateway. */
function callers(policy: K8sObject): { apps: string[]; ingress: boolean } {
  const principals: string[] = policy.spec.rules.flatMap((r: any) => (r.from ?? []).flatMap((f: any) => f.source.principals ?? []));
  return {
    apps: principals
      .filter((p) => p.startsWith("cluster.local/ns/meridian/sa/"))
      .map((p) => p.split("/").pop()!)
      .sort(),
    ingress: principals.some((p) => p.includes("/ns/istio-system/")),
  };
}

let chart: K8sObject[] = [];
beforeAll(() => {
  chart = renderMeshChart();
}, 120_000);

describe("plain Istio files", () => {
  let rendered: Record<string, string>;
  beforeAll(() => {
    rendered = renderIstioFiles(chart);
  });

  test("when the umbrella chart renders the mesh, then mesh/istio holds exactly that (run `bun mesh/render-istio.ts` after chart changes)", () => {
    expect(Object.keys(committed).sort()).toEqual(Object.keys(rendered).sort());
    for (const [file, text] of Object.entries(rendered)) expect(committed[file], file).toBe(text);
  });
});

describe("mesh policy", () => {
  test("when the namespace is read, then sidecar injection is on by label and mTLS is STRICT, plain text only on named ports", () => {
    expect(named("Namespace", "meridian")!.metadata.labels!["istio-injection"]).toBe("enabled");
    expect(named("PeerAuthentication", "default")!.spec).toEqual({ mtls: { mode: "STRICT" } });
    for (const p of byKind("PeerAuthentication").filter((x) => x.metadata.name !== "default")) {
      expect(Object.keys(p.spec.selector.matchLabels).length, p.metadata.name).toBeGreaterThan(0);
      expect(p.spec.mtls, p.metadata.name).toEqual({ mode: "STRICT" });
      for (const port of Object.values(p.spec.portLevelMtls) as { mode: string }[]) expect(port.mode, p.metadata.name).toBe("PERMISSIVE");
    }
    // A Meridian server takes plain text on its management port (Prometheus has no sidecar) and nowhere else.
    for (const d of servers.filter((x) => x.component !== "web")) {
      expect(Object.keys(named("PeerAuthentication", d.name)!.spec.portLevelMtls), d.name).toEqual(["9090"]);
    }
  });

  test("when authorization is read, then everything is denied unless a policy allows it", () => {
    expect(named("AuthorizationPolicy", "deny-all")!.spec).toEqual({});
    for (const p of byKind("AuthorizationPolicy").filter((p) => p.metadata.name !== "deny-all")) {
      expect(p.spec.action, p.metadata.name).toBe("ALLOW");
      expect(Object.keys(p.spec.selector.matchLabels).length).toBeGreaterThan(0);
    }
  });

  test("when each service's policy is read, then only the callers of the architecture get in", () => {
    const expected: Record<string, { apps: string[]; ingress: boolean }> = {
      orders: { apps: ["gateway"], ingress: false },
      inventory: { apps: ["gateway"], ingress: false },
      notifications: { apps: ["gateway"], ingress: false },
      audit: { apps: ["gateway"], ingress: false },
      "inventory-worker": { apps: [], ingress: false },
      gateway: { apps: ["admin-bff", "web-customer"], ingress: true },
      "admin-bff": { apps: ["web-admin"], ingress: false },
      "web-customer": { apps: [], ingress: true },
      "web-admin": { apps: [], ingress: true },
      // Infrastructure in the namespace: the consumers and publishers of the broker, the stores' users.
      "meridian-rabbitmq": {
        apps: [
          "admin-bff",
          "audit",
          "gateway",
          "inventory",
          "inventory-worker",
          "meridian-rabbitmq-server",
          "notifications",
          "notifications-console",
          "orders",
        ],
        ingress: false,
      },
      "meridian-postgres": { apps: ["audit", "inventory", "inventory-worker", "meridian-postgres"], ingress: false },
      "meridian-redis": { apps: ["meridian-redis", "notifications", "notifications-console"], ingress: false },
      // The admin BFF's session store: nothing else reaches it.
      "meridian-sessions": { apps: ["admin-bff", "meridian-sessions"], ingress: false },
    };
    for (const [name, want] of Object.entries(expected)) {
      expect(callers(named("AuthorizationPolicy", name)!), name).toEqual(want);
    }
    expect(byKind("AuthorizationPolicy").length).toBe(Object.keys(expected).length + 1);
  });

  test("when each service's traffic policy is read, then it has a timeout, bounded retries, bulkheads and outlier detection", () => {
    for (const d of servers) {
      const host = `${d.name}.meridian.svc.cluster.local`;
      const vs = named("VirtualService", d.name)!;
      expect(vs.spec.hosts).toEqual([host]);
      const main = vs.spec.http.at(-1);
      expect(main.timeout, d.name).toMatch(/^\d+s$/);
      expect(main.retries.attempts).toBeGreaterThanOrEqual(1);
      // A try may take the hop's whole budget: a slow try is never cut only to be repeated.
      expect(main.retries.perTryTimeout, d.name).toBe(main.timeout);
      expect(main.retries.retryOn).not.toContain("reset"); // a reset after sending could repeat a write
      const dr = named("DestinationRule", d.name)!;
      expect(dr.spec.host).toBe(host);
      expect(dr.spec.trafficPolicy.tls.mode).toBe("ISTIO_MUTUAL");
      expect(dr.spec.trafficPolicy.connectionPool.tcp.maxConnections).toBeGreaterThan(0);
      expect(dr.spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests).toBeGreaterThan(0);
      expect(dr.spec.trafficPolicy.outlierDetection.maxEjectionPercent).toBeLessThan(100);
    }
  });

  test("when the event stream is routed, then it has no timeout and no retries", () => {
    for (const [svc, prefix] of [
      ["notifications", "/api/notifications/stream"],
      ["gateway", "/notifications/stream"],
      ["web-customer", "/api/notifications/stream"],
    ]) {
      const stream = named("VirtualService", svc!)!.spec.http[0];
      expect(stream.match[0].uri.prefix).toBe(prefix);
      expect(stream.timeout).toBe("0s");
      expect(stream.retries.attempts).toBe(0);
    }
  });

  test("when a route names a subset, then the destination's DestinationRule defines it", () => {
    const routes = byKind("VirtualService").flatMap((vs) => vs.spec.http.flatMap((h: any) => h.route.map((r: any) => r.destination)));
    const withSubset = routes.filter((d: any) => d.subset);
    expect(withSubset.length).toBeGreaterThanOrEqual(5);
    for (const d of withSubset) {
      const dr = byKind("DestinationRule").find((x) => x.spec.host === d.host);
      expect(
        dr?.spec.subsets?.map((s: any) => s.name),
        `${d.host} subset ${d.subset}`,
      ).toContain(d.subset);
    }
  });

  test("when the edge and Kiali are read, then the ingress gateway serves the public hosts and Kiali watches the namespace", () => {
    const gw = named("Gateway", "meridian")!;
    expect(gw.spec.servers[0].hosts).toEqual(["shop.meridian.example", "admin.meridian.example", "api.meridian.example"]);
    const kiali = named("Kiali", "kiali")!;
    expect(kiali.metadata.namespace).toBe("istio-system");
    expect(kiali.spec.deployment.discovery_selectors.default[0].matchLabels["kubernetes.io/metadata.name"]).toBe("meridian");
  });

  test("when Kiali looks traces up, then it asks for the name that both the services and their sidecars give their spans", () => {
    // Kiali (business/tracing BuildTracingServiceName) queries Tempo for `.service.name = <app>.<namespace>`
    // when namespace_selector is true (its default), `<app>` when false.
    const tracing = named("Kiali", "kiali")!.spec.external_services.tracing;
    expect(tracing.namespace_selector).toBe(false);
    for (const d of servers) {
      const pod = chart.find((o) => ["Deployment", "StatefulSet"].includes(o.kind) && o.metadata.name === d.name)!.spec.template;
      // The services name their spans OTEL_SERVICE_NAME ...
      const env = pod.spec.containers[0].env.find((e: any) => e.name === "OTEL_SERVICE_NAME");
      expect(env.value, d.name).toBe(d.name);
      // ... and the sidecar uses the canonical service name (app.kubernetes.io/name) alone, not <app>.<namespace>.
      expect(JSON.parse(pod.metadata.annotations["proxy.istio.io/config"]).tracingServiceName, d.name).toBe("CANONICAL_NAME_ONLY");
      expect(pod.metadata.labels["app.kubernetes.io/name"], d.name).toBe(d.name);
    }
  });

  test("when the namespace's telemetry is read, then sidecars send spans to the collector's provider and write access logs", () => {
    const telemetry = byKind("Telemetry");
    expect(telemetry.length).toBe(1);
    expect(telemetry[0]!.spec.selector).toBeUndefined(); // the whole namespace
    expect(telemetry[0]!.spec.tracing[0].providers).toEqual([{ name: "otel-tracing" }]);
    expect(telemetry[0]!.spec.tracing[0].randomSamplingPercentage).toBeGreaterThan(0);
    expect(telemetry[0]!.spec.accessLogging[0].providers).toEqual([{ name: "envoy" }]);
  });
});
