/**
 * Start-up rules for compose.yml that `docker compose config` does not check: a container must be able
 * to run its image's entrypoint under the restrictions compose gives it, a health-gated dependency must
 * have a health check, and the local stack publishes ports on loopback only.
 */
import { join } from "node:path";
import { Dockerfile } from "../../k8s/test/dockerfile";

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string; args?: Record<string, string> };
  user?: string;
  read_only?: boolean;
  tmpfs?: string[] | string;
  volumes?: (string | { target: string })[];
  cap_drop?: string[];
  cap_add?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition?: string }>;
  ports?: (string | { host_ip?: string; published?: string | number; target: number })[];
  network_mode?: string;
  profiles?: string[];
}

export interface Compose {
  services: Record<string, ComposeService>;
}

/** One thing an image's entrypoint does before the main process starts. */
export interface EntrypointStep {
  command: string;
  /** Files it rewrites in place. */
  writes: string[];
  /** Capabilities it needs (without the CAP_ prefix). */
  needs: string[];
}

/**
 * The official Envoy image's entrypoint (envoyproxy/envoy ci/docker-entrypoint.sh, v1.2x–v1.35): started
 * as root (the image sets no USER) and unless ENVOY_UID is "0", it changes the `envoy` user's uid with
 * `usermod -u $ENVOY_UID` when ENVOY_UID is set and its gid with `groupmod -g $ENVOY_GID` when ENVOY_GID
 * is set (both lock and rewrite files in /etc: groupmod exits 10 when it cannot lock /etc/group), then
 * `chown envoy:envoy /dev/stdout /dev/stderr` and `su-exec envoy` Envoy. Started as any other uid it
 * execs Envoy directly.
 */
export function envoyEntrypoint(service: ComposeService): EntrypointStep[] {
  const env = service.environment ?? {};
  const uid = service.user === undefined ? 0 : Number(String(service.user).split(":")[0]);
  if (env.ENVOY_UID === "0" || uid !== 0) return [];
  const steps: EntrypointStep[] = [];
  if (env.ENVOY_UID) steps.push({ command: `usermod -u ${env.ENVOY_UID} envoy`, writes: ["/etc/passwd", "/etc/shadow"], needs: [] });
  if (env.ENVOY_GID) steps.push({ command: `groupmod -g ${env.ENVOY_GID} envoy`, writes: ["/etc/group", "/etc/gshadow"], needs: [] });
  steps.push({ command: "chown envoy:envoy /dev/stdout /dev/stderr", writes: [], needs: ["CHOWN"] });
  steps.push({ command: "su-exec envoy envoy", writes: [], needs: ["SETUID", "SETGID"] });
  return steps;
}

/** Images whose entrypoint is known to do work before the main process, by image name. */
const ENTRYPOINTS: { image: RegExp; steps: (s: ComposeService) => EntrypointStep[] }[] = [
  { image: /^(docker\.io\/)?envoyproxy\/envoy(:|@|$)/, steps: envoyEntrypoint },
];

/** Paths the container may write under a read-only root: its tmpfs mounts and volumes. */
function writableMounts(service: ComposeService): string[] {
  const tmpfs = typeof service.tmpfs === "string" ? [service.tmpfs] : (service.tmpfs ?? []);
  const volumes = (service.volumes ?? []).map((v) => {
    if (typeof v !== "string") return v.target;
    const [, target, mode] = v.split(":");
    return mode === "ro" ? "" : (target ?? "");
  });
  return [...tmpfs.map((t) => t.split(":")[0]!), ...volumes].filter(Boolean);
}

function dropped(service: ComposeService, cap: string): boolean {
  const drop = (service.cap_drop ?? []).map((c) => c.replace(/^CAP_/, ""));
  const add = (service.cap_add ?? []).map((c) => c.replace(/^CAP_/, ""));
  return (drop.includes("ALL") || drop.includes(cap)) && !add.includes(cap) && !add.includes("ALL");
}

/** Entrypoint steps that cannot run under the service's restrictions: the container would exit at start. */
export function entrypointViolations(compose: Compose): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    const model = ENTRYPOINTS.find((e) => service.image && e.image.test(service.image));
    if (!model) continue;
    const writable = writableMounts(service);
    for (const step of model.steps(service)) {
      for (const file of step.writes) {
        if (service.read_only && !writable.some((m) => file === m || file.startsWith(`${m}/`))) {
          problems.push(`${name}: the image's entrypoint runs \`${step.command}\`, which rewrites ${file} on a read-only root`);
        }
      }
      for (const cap of step.needs.filter((c) => dropped(service, c))) {
        problems.push(`${name}: the image's entrypoint runs \`${step.command}\`, which needs CAP_${cap} (dropped)`);
      }
    }
  }
  return problems;
}

/** The image's own HEALTHCHECK, for images compose builds from a Dockerfile here. */
function imageHealthcheck(repoRoot: string, service: ComposeService): boolean {
  const build = service.build;
  if (!build) return false;
  return Boolean(new Dockerfile(join(repoRoot, build.context, build.dockerfile), build.args ?? {}).config(build.target).healthcheck);
}

/** Services others wait for with `condition: service_healthy` that have no health check: they never start. */
export function healthGateViolations(compose: Compose, repoRoot: string): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    for (const [dep, { condition }] of Object.entries(service.depends_on ?? {})) {
      if (condition !== "service_healthy") continue;
      const target = compose.services[dep];
      if (!target) problems.push(`${name} waits for ${dep}, which does not exist`);
      else if (target.healthcheck?.disable) problems.push(`${name} waits for ${dep} to be healthy, but its health check is disabled`);
      else if (!target.healthcheck?.test && !imageHealthcheck(repoRoot, target)) {
        problems.push(`${name} waits for ${dep} to be healthy, but ${dep} has no health check (compose or image)`);
      }
    }
  }
  return problems;
}

export interface PublishedPort {
  hostIp: string;
  published: string;
  target: string;
}
type PortSpec = NonNullable<ComposeService["ports"]>[number];

/** Compose's short port syntax `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`, or the long one. */
export function parsePort(port: PortSpec): PublishedPort {
  if (typeof port !== "string") return { hostIp: port.host_ip ?? "", published: String(port.published ?? ""), target: String(port.target) };
  let spec = port.replace(/\/(tcp|udp)$/, "");
  let hostIp = "";
  const ipv6 = /^\[([^\]]+)\]:(.*)$/.exec(spec);
  if (ipv6) [hostIp, spec] = [ipv6[1]!, ipv6[2]!];
  const parts = spec.split(":");
  if (parts.length === 3) hostIp = parts.shift()!;
  return { hostIp, published: parts.length === 2 ? parts[0]! : "", target: parts.at(-1)! };
}

/** Ports of the local stack reachable from other machines: every published port must bind 127.0.0.1. */
export function publishedPortViolations(compose: Compose): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    if (service.network_mode === "host") problems.push(`${name}: network_mode host publishes every port it listens on`);
    for (const port of service.ports ?? []) {
      const p = parsePort(port);
      if (p.hostIp !== "127.0.0.1") {
        problems.push(
          `${name}: port ${typeof port === "string" ? port : JSON.stringify(port)} is published on ${p.hostIp || "every interface"}, not 127.0.0.1`,
        );
      }
    }
  }
  return problems;
}
