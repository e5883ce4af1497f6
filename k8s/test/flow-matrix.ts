/**
 * The flow matrix: k8s/flows.yaml lists the connections the platform needs and the ones it must refuse;
 * this module places every endpoint of an overlay (pods the chart renders, plus the pods flows.yaml
 * describes — operators' pods, Prometheus, the ingress, stores) and asks both layers about each flow:
 * NetworkPolicy (flow-network.ts) and, for pods with a sidecar, Istio (flow-istio.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO_ROOT, podWorkloads, type K8sObject } from "./deploy-support";
import { istioVerdict, SIDECAR_PORTS, type HttpRequest } from "./flow-istio";
import { networkPolicyVerdict, type ContainerPort, type Endpoint } from "./flow-network";

export const FLOWS_FILE = join(REPO_ROOT, "k8s/flows.yaml");
export type Overlay = "base" | "dev" | "prod";
export const OVERLAYS: Overlay[] = ["base", "dev", "prod"];

interface Placement {
  namespace?: string;
  labels?: Record<string, string>;
  ports?: ContainerPort[];
  serviceAccount?: string;
  mesh?: boolean;
  ip?: string;
  /** Services in front of the pods (name, port, targetPort): URLs in the charts must use these ports. */
  services?: { name: string; port: number; targetPort: number | string }[];
}

interface FlowSpec {
  from: string | string[];
  to: string | string[];
  port: number | string;
  protocol?: string;
  request?: string;
  why: string;
  overlays?: Overlay[];
}

export interface FlowsFile {
  releaseNamespace: string;
  trustDomain: string;
  namespaces: Partial<Record<Overlay, Record<string, Record<string, string>>>>;
  workloads: Record<string, Partial<Record<Overlay, Placement>>>;
  required: FlowSpec[];
  forbidden: FlowSpec[];
}

export interface FlowResult {
  overlay: Overlay;
  expect: "allow" | "refuse";
  from: string;
  to: string;
  port: string;
  /** the HTTP request, when the flow names one */
  request?: string;
  why: string;
  networkPolicy: string;
  istio: string;
  allowed: boolean;
  ok: boolean;
}

const FLOW_KEYS = new Set(["from", "to", "port", "protocol", "request", "why", "overlays"]);

/** Reads flows.yaml; a flow with an unknown key (a comma inside a flow mapping splits it) is an error. */
export function loadFlows(path = FLOWS_FILE): FlowsFile {
  const flows = parse(readFileSync(path, "utf8")) as FlowsFile;
  for (const f of [...flows.required, ...flows.forbidden]) {
    const unknown = Object.keys(f).filter((k) => !FLOW_KEYS.has(k));
    if (unknown.length > 0 || typeof f.why !== "string" || !f.why) {
      throw new Error(`${path}: flow ${JSON.stringify(f)} has unknown keys ${unknown.join(", ")} or no why (quote text with commas)`);
    }
  }
  return flows;
}

export class OverlayEndpoints {
  private readonly endpoints = new Map<string, Endpoint>();

  constructor(
    readonly flows: FlowsFile,
    readonly overlay: Overlay,
    objects: K8sObject[],
  ) {
    for (const w of podWorkloads(objects)) {
      const name = w.obj.kind === "Job" ? (w.podLabels["app.kubernetes.io/name"] ?? w.obj.metadata.name) : w.obj.metadata.name;
      const namespace = w.obj.metadata.namespace ?? flows.releaseNamespace;
      const ports: ContainerPort[] = w.podSpec.containers.flatMap((c: any) => c.ports ?? []);
      const injected =
        this.namespaceLabels(namespace)["istio-injection"] === "enabled" &&
        w.obj.spec?.template?.metadata?.annotations?.["sidecar.istio.io/inject"] !== "false";
      this.add({ name, namespace, labels: w.podLabels, ports, serviceAccount: w.podSpec.serviceAccountName ?? "default", mesh: injected });
    }
    for (const [name, placements] of Object.entries(flows.workloads)) {
      const p = placements[overlay];
      if (!p || this.endpoints.has(name)) continue;
      const namespace = p.ip ? undefined : p.namespace === "release" || !p.namespace ? flows.releaseNamespace : p.namespace;
      const mesh = p.mesh ?? (namespace !== undefined && this.namespaceLabels(namespace)["istio-injection"] === "enabled");
      this.add({ name, namespace, labels: p.labels ?? {}, ports: p.ports ?? [], serviceAccount: p.serviceAccount, mesh, ip: p.ip });
    }
  }

  private add(e: Endpoint): void {
    const ports = e.mesh ? [...e.ports, ...SIDECAR_PORTS] : e.ports;
    this.endpoints.set(e.name, { ...e, ports, namespaceLabels: e.namespace ? this.namespaceLabels(e.namespace) : undefined });
  }

  namespaceLabels(namespace: string): Record<string, string> {
    const extra = this.flows.namespaces[this.overlay]?.[namespace === this.flows.releaseNamespace ? "release" : namespace] ?? {};
    return { "kubernetes.io/metadata.name": namespace, ...extra };
  }

  get(name: string): Endpoint | undefined {
    return this.endpoints.get(name);
  }
}

function list(x: string | string[]): string[] {
  return Array.isArray(x) ? x : [x];
}

function parseRequest(text: string | undefined): HttpRequest | undefined {
  if (!text) return undefined;
  const [method, path] = text.split(" ") as [string, string];
  return { method, path };
}

function evaluate(
  objects: K8sObject[],
  where: OverlayEndpoints,
  spec: FlowSpec,
  from: string,
  to: string,
  expect: FlowResult["expect"],
): FlowResult {
  const base = { overlay: where.overlay, expect, from, to, port: String(spec.port), request: spec.request, why: spec.why };
  const src = where.get(from);
  const dst = where.get(to);
  const port = dst?.ports.find((p) => p.name === spec.port || p.containerPort === Number(spec.port));
  const missing = !src
    ? `no workload ${from}`
    : !dst
      ? `no workload ${to}`
      : !port && typeof spec.port === "string"
        ? `${to} has no container port named ${spec.port}`
        : undefined;
  if (missing) return { ...base, networkPolicy: missing, istio: "", allowed: false, ok: expect === "refuse" };
  const c = {
    from: src!,
    to: dst!,
    port: port?.containerPort ?? Number(spec.port),
    portName: port?.name,
    protocol: spec.protocol ?? "TCP",
  };
  const np = networkPolicyVerdict(objects, c, where.flows.releaseNamespace);
  const mesh = istioVerdict(objects, c, where.flows.releaseNamespace, where.flows.trustDomain, parseRequest(spec.request));
  const allowed = np.allowed && mesh.allowed;
  return {
    ...base,
    port: port?.name ? `${port.name}/${c.port}` : String(c.port),
    networkPolicy: np.allowed ? "allow" : `refused: ${np.reason}`,
    istio: !dst!.mesh ? "-" : mesh.allowed ? "allow" : `refused: ${mesh.reason}`,
    allowed,
    ok: allowed === (expect === "allow"),
  };
}

/** Every flow of flows.yaml that applies to the overlay, evaluated against its rendered objects. */
export function flowMatrix(flows: FlowsFile, overlay: Overlay, objects: K8sObject[]): FlowResult[] {
  const where = new OverlayEndpoints(flows, overlay, objects);
  const results: FlowResult[] = [];
  for (const [expect, specs] of [
    ["allow", flows.required],
    ["refuse", flows.forbidden],
  ] as const) {
    for (const spec of specs) {
      if (spec.overlays && !spec.overlays.includes(overlay)) continue;
      for (const from of list(spec.from)) {
        for (const to of list(spec.to)) results.push(evaluate(objects, where, spec, from, to, expect));
      }
    }
  }
  return results;
}

export function formatMatrix(results: FlowResult[]): string {
  const rows = results.map((r) => [
    r.ok ? "ok " : "BAD",
    r.overlay,
    r.expect,
    `${r.from} -> ${r.to}:${r.port}${r.request ? ` ${r.request}` : ""}`,
    r.networkPolicy,
    r.istio,
    r.why,
  ]);
  const widths = [3, 4, 6, 0, 0, 0].map((w, i) => Math.max(w, ...rows.map((r) => r[i]!.length)));
  const head = ["", "overlay", "expect", "flow", "NetworkPolicy", "Istio", "why"];
  return [head, ...rows].map((r) => r.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]!) : cell)).join("  ")).join("\n");
}
