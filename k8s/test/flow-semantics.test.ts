/**
 * The flow matrix's evaluators on hand-made policies: the NetworkPolicy and Istio rules the matrix relies
 * on, each the way the Kubernetes and Istio documentation state it.
 */
import { describe, expect, test } from "bun:test";
import type { K8sObject } from "./deploy-support";
import { istioVerdict } from "./flow-istio";
import { cidrContains, networkPolicyVerdict, type Connection, type Endpoint } from "./flow-network";

const NS = "app";
const pod = (name: string, over: Partial<Endpoint> = {}): Endpoint => ({
  name,
  namespace: NS,
  namespaceLabels: { "kubernetes.io/metadata.name": over.namespace ?? NS },
  labels: { "app.kubernetes.io/name": name },
  ports: [{ name: "http", containerPort: 8080 }],
  mesh: false,
  ...over,
});
const conn = (from: Endpoint, to: Endpoint, port = 8080, portName: string | undefined = "http"): Connection => ({
  from,
  to,
  port,
  portName,
  protocol: "TCP",
});
const np = (name: string, spec: any, namespace = NS): K8sObject => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name, namespace },
  spec,
});
const allowed = (objects: K8sObject[], c: Connection) => networkPolicyVerdict(objects, c, NS).allowed;

describe("NetworkPolicy semantics", () => {
  const api = pod("api");
  const web = pod("web");

  test("when no policy selects a pod, then it is not isolated; once one does with no rules, nothing gets in", () => {
    expect(allowed([], conn(web, api))).toBe(true);
    expect(allowed([np("deny", { podSelector: {}, policyTypes: ["Ingress"] })], conn(web, api))).toBe(false);
  });

  test("when policyTypes is absent, then a policy without egress rules isolates ingress only", () => {
    const policy = np("ingress-only", { podSelector: { matchLabels: { "app.kubernetes.io/name": "web" } } });
    expect(allowed([policy], conn(web, api))).toBe(true);
    expect(allowed([policy], conn(api, web))).toBe(false);
  });

  test("when a rule names a port, then a name resolves against the destination pod's container ports", () => {
    const policy = np("api", {
      podSelector: { matchLabels: { "app.kubernetes.io/name": "api" } },
      policyTypes: ["Ingress"],
      ingress: [{ ports: [{ port: "http" }] }],
    });
    expect(allowed([policy], conn(web, api))).toBe(true);
    const other = { ...api, ports: [{ name: "web", containerPort: 8080 }] };
    expect(allowed([policy], conn(web, other, 8080, "web"))).toBe(false);
    const range = np("range", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 8000, endPort: 8100 }] }] });
    expect(allowed([range], conn(web, api))).toBe(true);
    expect(allowed([range], conn(web, api, 9090, "management"))).toBe(false);
  });

  test("when a peer has a namespace and a pod selector, then both must match; in two peers, either does", () => {
    const monitoring = pod("prometheus", { namespace: "monitoring", namespaceLabels: { "kubernetes.io/metadata.name": "monitoring" } });
    const and = np("and", {
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
              podSelector: { matchLabels: { "app.kubernetes.io/name": "web" } },
            },
          ],
        },
      ],
    });
    expect(allowed([and], conn(monitoring, api))).toBe(false);
    const or = np("or", {
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
            { podSelector: { matchLabels: { "app.kubernetes.io/name": "web" } } },
          ],
        },
      ],
    });
    expect(allowed([or], conn(monitoring, api))).toBe(true);
    expect(allowed([or], conn(web, api))).toBe(true);
  });

  test("when a peer has only a pod selector, then it means pods of the policy's own namespace", () => {
    const policy = np("api", {
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            {
              podSelector: {
                matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["web"] }],
              },
            },
          ],
        },
      ],
    });
    expect(allowed([policy], conn(web, api))).toBe(true);
    const elsewhere = pod("web", { namespace: "other", namespaceLabels: { "kubernetes.io/metadata.name": "other" } });
    expect(allowed([policy], conn(elsewhere, api))).toBe(false);
  });

  test("when egress names an ipBlock, then addresses outside the cluster inside it pass, its exceptions and pods do not", () => {
    const policy = np("egress", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ to: [{ ipBlock: { cidr: "10.20.0.0/16", except: ["10.20.9.0/24"] } }], ports: [{ port: 1433 }] }],
    });
    const sql = (ip: string): Endpoint => ({ name: "sql", ip, labels: {}, ports: [{ containerPort: 1433 }], mesh: false });
    expect(allowed([policy], conn(api, sql("10.20.4.5"), 1433, undefined))).toBe(true);
    expect(allowed([policy], conn(api, sql("10.20.9.5"), 1433, undefined))).toBe(false);
    expect(allowed([policy], conn(api, pod("db", { ports: [{ containerPort: 1433 }] }), 1433, undefined))).toBe(false);
    expect(cidrContains("10.0.0.0/8", "11.0.0.1")).toBe(false);
  });
});

describe("Istio semantics", () => {
  const meshed = (name: string, sa = name) => pod(name, { mesh: true, serviceAccount: sa });
  const peer = (name: string, spec: any): K8sObject => ({
    apiVersion: "security.istio.io/v1",
    kind: "PeerAuthentication",
    metadata: { name, namespace: NS },
    spec,
  });
  const authz = (name: string, spec: any): K8sObject => ({
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: { name, namespace: NS },
    spec,
  });
  const verdict = (objects: K8sObject[], c: Connection, request?: { method: string; path: string }) =>
    istioVerdict(objects, c, NS, "cluster.local", request);
  const api = meshed("api");
  const outside = pod("operator", { namespace: "ops", namespaceLabels: { "kubernetes.io/metadata.name": "ops" } });

  test("when mTLS is STRICT, then a caller without a sidecar is refused except on a port the workload leaves PERMISSIVE", () => {
    const strict = peer("default", { mtls: { mode: "STRICT" } });
    expect(verdict([strict], conn(outside, api)).allowed).toBe(false);
    const workload = peer("api", {
      selector: { matchLabels: { "app.kubernetes.io/name": "api" } },
      mtls: { mode: "STRICT" },
      portLevelMtls: { 9090: { mode: "PERMISSIVE" } },
    });
    expect(verdict([strict, workload], conn(outside, api, 9090, "management")).allowed).toBe(true);
    expect(verdict([strict, workload], conn(outside, api)).allowed).toBe(false);
  });

  test("when deny-all applies, then only a matching ALLOW rule lets a call in, by principal or by namespace", () => {
    const denyAll = authz("deny-all", {});
    const web = meshed("web");
    expect(verdict([denyAll], conn(web, api)).allowed).toBe(false);
    const allowWeb = authz("api", {
      selector: { matchLabels: { "app.kubernetes.io/name": "api" } },
      rules: [{ from: [{ source: { principals: ["cluster.local/ns/app/sa/web"] } }], to: [{ operation: { ports: ["8080"] } }] }],
    });
    expect(verdict([denyAll, allowWeb], conn(web, api)).allowed).toBe(true);
    expect(verdict([denyAll, allowWeb], conn(meshed("other"), api)).allowed).toBe(false);
    const byNs = authz("ns", { rules: [{ from: [{ source: { namespaces: ["app"] } }] }] });
    expect(verdict([denyAll, byNs], conn(web, api)).allowed).toBe(true);
    expect(verdict([denyAll, byNs], conn(outside, api)).allowed).toBe(false); // no mTLS, no namespace identity
  });

  test("when a rule says notPrincipals *, then it admits plain text only, never a caller with a mesh identity", () => {
    const plain = authz("plain", { rules: [{ from: [{ source: { notPrincipals: ["*"] } }], to: [{ operation: { ports: ["9090"] } }] }] });
    expect(verdict([plain], conn(outside, api, 9090, "management")).allowed).toBe(true);
    expect(verdict([plain], conn(meshed("web"), api, 9090, "management")).allowed).toBe(false);
  });

  test("when a rule names methods or paths, then it matches an HTTP request that fits and never a bare connection", () => {
    const metrics = authz("m", { rules: [{ to: [{ operation: { methods: ["GET"], paths: ["/metrics", "/health/*"] } }] }] });
    const c = conn(meshed("web"), api);
    expect(verdict([metrics], c, { method: "GET", path: "/health/ready" }).allowed).toBe(true);
    expect(verdict([metrics], c, { method: "POST", path: "/metrics" }).allowed).toBe(false);
    expect(verdict([metrics], c).allowed).toBe(false);
  });

  test("when a DENY policy matches, then it wins over an ALLOW; the sidecar's own ports are never intercepted", () => {
    const allowAll = authz("all", { rules: [{}] });
    const deny = authz("deny", { action: "DENY", rules: [{ to: [{ operation: { ports: ["8080"] } }] }] });
    expect(verdict([allowAll, deny], conn(meshed("web"), api)).allowed).toBe(false);
    expect(
      verdict([authz("deny-all", {}), peer("default", { mtls: { mode: "STRICT" } })], conn(outside, api, 15090, "http-envoy-prom")).allowed,
    ).toBe(true);
  });
});
