/**
 * Kubernetes NetworkPolicy semantics (networking.k8s.io/v1) for one connection between two endpoints:
 * a pod is isolated for a direction once any policy of that type selects it, and then only a rule whose
 * peers and ports match admits the connection. Peers: podSelector (the policy's namespace),
 * namespaceSelector (with or without a podSelector), ipBlock (endpoints outside the cluster only, as pod
 * IPs are not known here). Ports: numbers, or names resolved against the destination pod's container ports
 * (both for ingress and egress), endPort ranges, TCP by default.
 */
import type { K8sObject } from "./deploy-support";

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

/** A pod (or an address outside the cluster) as the policies see it. */
export interface Endpoint {
  name: string;
  namespace?: string;
  namespaceLabels?: Record<string, string>;
  labels: Record<string, string>;
  ports: ContainerPort[];
  /** an address outside the cluster: matched by ipBlock only */
  ip?: string;
  serviceAccount?: string;
  /** has an Istio sidecar */
  mesh: boolean;
}

export interface Connection {
  from: Endpoint;
  to: Endpoint;
  port: number;
  portName?: string;
  protocol: string;
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  const plain = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    plain &&
    (selector.matchExpressions ?? []).every((e) => {
      const has = Object.hasOwn(labels, e.key);
      switch (e.operator) {
        case "In":
          return has && (e.values ?? []).includes(labels[e.key]!);
        case "NotIn":
          return !has || !(e.values ?? []).includes(labels[e.key]!);
        case "Exists":
          return has;
        case "DoesNotExist":
          return !has;
        default:
          throw new Error(`unknown label selector operator ${e.operator}`);
      }
    })
  );
}

function ipv4(ip: string): number {
  return ip.split(".").reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bits] = cidr.split("/") as [string, string];
  if (base.includes(":") || ip.includes(":")) return false;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (ipv4(base) & mask) === (ipv4(ip) & mask);
}

function peerMatches(peer: any, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock) {
    if (!other.ip) return false;
    return cidrContains(peer.ipBlock.cidr, other.ip) && !(peer.ipBlock.except ?? []).some((c: string) => cidrContains(c, other.ip!));
  }
  if (other.ip || !other.namespace) return false; // outside the cluster: only ipBlock peers match
  const nsOk = peer.namespaceSelector
    ? selectorMatches(peer.namespaceSelector, other.namespaceLabels ?? {})
    : other.namespace === policyNamespace;
  const podOk = peer.podSelector ? selectorMatches(peer.podSelector, other.labels) : true;
  return nsOk && podOk;
}

function portMatches(rulePorts: any[] | undefined, c: Connection): boolean {
  if (!rulePorts || rulePorts.length === 0) return true;
  return rulePorts.some((p) => {
    if ((p.protocol ?? "TCP") !== c.protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === "string" && !/^\d+$/.test(p.port)) return p.port === c.portName;
    const start = Number(p.port);
    return p.endPort ? c.port >= start && c.port <= p.endPort : c.port === start;
  });
}

function policyTypes(np: K8sObject): string[] {
  return np.spec.policyTypes ?? (np.spec.egress ? ["Ingress", "Egress"] : ["Ingress"]);
}

function selecting(policies: K8sObject[], pod: Endpoint, type: "Ingress" | "Egress", releaseNs: string): K8sObject[] {
  if (pod.ip || !pod.namespace) return [];
  return policies.filter(
    (np) =>
      (np.metadata.namespace ?? releaseNs) === pod.namespace &&
      policyTypes(np).includes(type) &&
      selectorMatches(np.spec.podSelector ?? {}, pod.labels),
  );
}

export interface Verdict {
  allowed: boolean;
  reason: string;
}

/** Egress of the source, then ingress of the destination (`objects`: the NetworkPolicies among them count). */
export function networkPolicyVerdict(objects: K8sObject[], c: Connection, releaseNs: string): Verdict {
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  const egress = selecting(policies, c.from, "Egress", releaseNs);
  if (egress.length > 0) {
    const ok = egress.some((np) =>
      (np.spec.egress ?? []).some(
        (rule: any) =>
          (!rule.to || rule.to.length === 0 || rule.to.some((peer: any) => peerMatches(peer, np.metadata.namespace ?? releaseNs, c.to))) &&
          portMatches(rule.ports, c),
      ),
    );
    if (!ok) return { allowed: false, reason: `egress of ${c.from.name} (${egress.map((n) => n.metadata.name).join(", ")})` };
  }
  const ingress = selecting(policies, c.to, "Ingress", releaseNs);
  if (ingress.length > 0) {
    const ok = ingress.some((np) =>
      (np.spec.ingress ?? []).some(
        (rule: any) =>
          (!rule.from ||
            rule.from.length === 0 ||
            rule.from.some((peer: any) => peerMatches(peer, np.metadata.namespace ?? releaseNs, c.from))) &&
          portMatches(rule.ports, c),
      ),
    );
    if (!ok) return { allowed: false, reason: `ingress of ${c.to.name} (${ingress.map((n) => n.metadata.name).join(", ")})` };
  }
  return { allowed: true, reason: "" };
}
