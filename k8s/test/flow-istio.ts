/**
 * Istio semantics for one connection: PeerAuthentication (workload policy with port-level modes over the
 * namespace policy over the mesh default PERMISSIVE) decides whether a caller without a sidecar may speak
 * plain text; the caller has an identity (principal, namespace) only over mutual TLS; AuthorizationPolicy
 * (DENY first; then, once any ALLOW policy applies to the workload, some ALLOW rule must match — an empty
 * `spec: {}` applies and matches nothing). Ports the sidecar serves itself (15090 Envoy metrics, 15020
 * merged metrics, 15021 health) are not intercepted, so no policy applies to them.
 */
import type { K8sObject } from "./deploy-support";
import type { Connection, Verdict } from "./flow-network";
import { selectorMatches } from "./flow-network";

export const SIDECAR_PORTS = [
  { name: "http-envoy-prom", containerPort: 15090, protocol: "TCP" },
  { name: "istio-metrics", containerPort: 15020, protocol: "TCP" },
];
const NOT_INTERCEPTED = new Set([15090, 15020, 15021]);
const ROOT_NAMESPACE = "istio-system";

/** An HTTP request carried by the connection (for rules naming methods or paths). */
export interface HttpRequest {
  method: string;
  path: string;
}

function appliesTo(policy: K8sObject, c: Connection, releaseNs: string): boolean {
  const ns = policy.metadata.namespace ?? releaseNs;
  if (ns === ROOT_NAMESPACE && !policy.spec?.selector) return true;
  return ns === c.to.namespace && selectorMatches(policy.spec?.selector, c.to.labels);
}

/** The mTLS mode the destination's sidecar applies on the connection's port. */
export function mtlsMode(peerAuthentications: K8sObject[], c: Connection, releaseNs: string): string {
  const applying = peerAuthentications.filter((p) => appliesTo(p, c, releaseNs));
  const workload = applying.find((p) => p.spec?.selector);
  const namespaceWide = applying.find((p) => !p.spec?.selector && (p.metadata.namespace ?? releaseNs) !== ROOT_NAMESPACE);
  const mesh = applying.find((p) => !p.spec?.selector && (p.metadata.namespace ?? releaseNs) === ROOT_NAMESPACE);
  const portMode = workload?.spec.portLevelMtls?.[String(c.port)]?.mode;
  for (const mode of [portMode, workload?.spec.mtls?.mode, namespaceWide?.spec?.mtls?.mode, mesh?.spec?.mtls?.mode]) {
    if (mode && mode !== "UNSET") return mode;
  }
  return "PERMISSIVE";
}

function wildcard(patterns: string[] | undefined, value: string | undefined): boolean {
  if (!patterns) return true;
  if (value === undefined) return false;
  return patterns.some(
    (p) =>
      p === "*" ||
      p === value ||
      (p.endsWith("*") && value.startsWith(p.slice(0, -1))) ||
      (p.startsWith("*") && value.endsWith(p.slice(1))),
  );
}

function negated(patterns: string[] | undefined, value: string | undefined): boolean {
  return patterns !== undefined && value !== undefined && wildcard(patterns, value);
}

interface Peer {
  principal?: string;
  namespace?: string;
  ip?: string;
}

function sourceMatches(source: any, peer: Peer): boolean {
  if (source.requestPrincipals || source.notRequestPrincipals || source.remoteIpBlocks) return false; // JWT/XFF: not modelled
  if (source.ipBlocks) return false; // pod IPs are not known here
  return (
    wildcard(source.principals, peer.principal) &&
    !negated(source.notPrincipals, peer.principal) &&
    wildcard(source.namespaces, peer.namespace) &&
    !negated(source.notNamespaces, peer.namespace)
  );
}

function operationMatches(op: any, port: number, request: HttpRequest | undefined): boolean {
  const http = ["methods", "paths", "hosts", "notMethods", "notPaths", "notHosts"].some((k) => op[k]);
  if (http && !request) return false; // HTTP fields never match a plain TCP connection
  return (
    wildcard(op.ports, String(port)) &&
    !negated(op.notPorts, String(port)) &&
    wildcard(op.methods, request?.method) &&
    !negated(op.notMethods, request?.method) &&
    wildcard(op.paths, request?.path) &&
    !negated(op.notPaths, request?.path)
  );
}

function ruleMatches(rule: any, peer: Peer, port: number, request: HttpRequest | undefined): boolean {
  if (rule.when) throw new Error("AuthorizationPolicy `when` conditions are not modelled by the flow matrix");
  const fromOk = !rule.from || rule.from.some((f: any) => sourceMatches(f.source ?? {}, peer));
  const toOk = !rule.to || rule.to.some((t: any) => operationMatches(t.operation ?? {}, port, request));
  return fromOk && toOk;
}

/** PeerAuthentication, then AuthorizationPolicy, for a connection to a pod with a sidecar. */
export function istioVerdict(objects: K8sObject[], c: Connection, releaseNs: string, trustDomain: string, request?: HttpRequest): Verdict {
  if (!c.to.mesh || NOT_INTERCEPTED.has(c.port)) return { allowed: true, reason: "" };
  const mode = mtlsMode(
    objects.filter((o) => o.kind === "PeerAuthentication"),
    c,
    releaseNs,
  );
  const mtls = c.from.mesh && mode !== "DISABLE";
  if (!mtls && mode === "STRICT") return { allowed: false, reason: `STRICT mTLS on ${c.to.name}:${c.port}, ${c.from.name} has no sidecar` };
  const peer: Peer = mtls
    ? { principal: `${trustDomain}/ns/${c.from.namespace}/sa/${c.from.serviceAccount ?? "default"}`, namespace: c.from.namespace }
    : { ip: c.from.ip };
  const policies = objects.filter((o) => o.kind === "AuthorizationPolicy" && appliesTo(o, c, releaseNs));
  const action = (p: K8sObject) => p.spec?.action ?? "ALLOW";
  const matching = (p: K8sObject) => (p.spec?.rules ?? []).some((r: any) => ruleMatches(r, peer, c.port, request));
  const denied = policies.filter((p) => action(p) === "DENY").find(matching);
  if (denied) return { allowed: false, reason: `AuthorizationPolicy ${denied.metadata.name} denies` };
  const allows = policies.filter((p) => action(p) === "ALLOW");
  if (allows.length > 0 && !allows.some(matching)) {
    return {
      allowed: false,
      reason: `no ALLOW rule of ${allows.map((p) => p.metadata.name).join(", ")} matches${mtls ? "" : " (no mTLS identity)"}`,
    };
  }
  return { allowed: true, reason: "" };
}
