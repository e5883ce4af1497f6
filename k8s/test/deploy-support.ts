/**
 * Shared by the deployment tests (charts*.test.ts, deploy-*.test.ts): the deployment contract (which
 * processes exist, their ports and the environment each one needs), Helm rendering in a scratch copy of
 * k8s/charts, Kubernetes schema validation with kubernetes-models, and the workload policy checks.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { tools } from "@meridian/kit/testing";
import { validateAgainstCrd } from "./crd-schemas";

export const REPO_ROOT = resolve(import.meta.dir, "../..");
export const CHARTS_DIR = join(REPO_ROOT, "k8s/charts");
export const HELM = process.env.HELM ?? tools.helm;

export type Component = "api" | "worker" | "bff" | "edge" | "web" | "job";

export interface Deployable {
  /** compose service name = chart name = Kubernetes object name */
  name: string;
  component: Component;
  /** container port (undefined for the CLI) */
  port?: number;
  /** where the code lives: svc/<dir>, gateway, or web */
  source: string;
  /** variables the process needs from its environment in compose and Kubernetes */
  requiredEnv: string[];
}

const COMMON_ENV = ["RABBITMQ_URL", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME", "LOG_LEVEL"];
const SERVER_ENV = ["HOST", "PORT", ...COMMON_ENV];

/** The deployment contract: docs/design.md plus the deployment brief (docs/deployment.md restates it). */
export const DEPLOYABLES: Deployable[] = [
  {
    name: "orders",
    component: "api",
    port: 5101,
    source: "svc/orders",
    requiredEnv: [...SERVER_ENV, "ORDERS_STORE", "MSSQL_URL", "OIDC_ISSUER", "OIDC_AUDIENCE"],
  },
  { name: "inventory", component: "api", port: 5102, source: "svc/inventory", requiredEnv: [...SERVER_ENV, "DATABASE_URL", "OIDC_ISSUER"] },
  {
    name: "notifications",
    component: "api",
    port: 5103,
    source: "svc/notifications",
    requiredEnv: [...SERVER_ENV, "REDIS_URL", "OIDC_ISSUER"],
  },
  { name: "audit", component: "api", port: 5104, source: "svc/audit", requiredEnv: [...SERVER_ENV, "DATABASE_URL", "OIDC_ISSUER"] },
  {
    name: "inventory-worker",
    component: "worker",
    port: 5105,
    source: "svc/inventory-worker",
    requiredEnv: [...SERVER_ENV, "DATABASE_URL"],
  },
  {
    name: "admin-bff",
    component: "bff",
    port: 5106,
    source: "svc/admin-bff",
    requiredEnv: [...SERVER_ENV, "REDIS_URL", "OIDC_ISSUER", "ADMIN_CLIENT_SECRET", "GATEWAY_URL", "BFF_PUBLIC_URL", "ADMIN_APP_URL"],
  },
  { name: "gateway", component: "edge", port: 8080, source: "gateway", requiredEnv: [...SERVER_ENV, "GATEWAY_ROUTES", "OIDC_ISSUER"] },
  { name: "notifications-console", component: "job", source: "svc/notifications-console", requiredEnv: [...COMMON_ENV, "REDIS_URL"] },
  { name: "web-customer", component: "web", port: 8080, source: "web", requiredEnv: ["API_UPSTREAM", "OIDC_ISSUER"] },
  { name: "web-admin", component: "web", port: 8080, source: "web", requiredEnv: ["BFF_UPSTREAM"] },
];
const MERIDIAN_NAMES = new Set<string>(DEPLOYABLES.map((d) => d.name));

/** svc/* folders that are libraries or development-only tools, never deployed. */
export const NOT_DEPLOYED = new Set(["kit", "dev-idp"]);

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  [key: string]: unknown;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string[], cwd = REPO_ROOT): RunResult {
  const p = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe", env: { ...process.env, HELM } });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

/**
 * A scratch copy of k8s/charts (symlinks such as the realm file resolved) with every file:// dependency
 * packaged by build-deps.sh, so tests never write into the repository.
 */
export function prepareCharts(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "meridian-charts-"));
  cpSync(CHARTS_DIR, dir, { recursive: true, dereference: true, filter: (src) => !src.endsWith(".tgz") && !src.endsWith("Chart.lock") });
  const built = run(["bash", join(dir, "build-deps.sh"), dir]);
  if (built.code !== 0) throw new Error(`build-deps.sh failed:\n${built.stdout}\n${built.stderr}`);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null && typeof o === "object");
}

export function helmTemplate(chartDir: string, args: string[] = [], namespace = "meridian"): K8sObject[] {
  const r = run([HELM, "template", "meridian", chartDir, "--namespace", namespace, ...args]);
  if (r.code !== 0) throw new Error(`helm template ${chartDir} ${args.join(" ")} failed:\n${r.stderr}`);
  return parseManifests(r.stdout);
}

/** Custom resources checked against the operators' own CRDs (crd-schemas.ts), strictly. */
const CRD_KINDS: Record<string, string[]> = {
  "k8s.keycloak.org/v2alpha1": ["Keycloak", "KeycloakRealmImport"],
  "kiali.io/v1alpha1": ["Kiali"],
  "rabbitmq.com/v1beta1": ["RabbitmqCluster"],
  "postgresql.cnpg.io/v1": ["Cluster", "Database"],
  "redis.redis.opstreelabs.in/v1beta2": ["Redis"],
};
/** Operator kinds whose CRD is not in the schema set (checked for shape only). */
const SHAPE_ONLY_KINDS: Record<string, string[]> = {
  "postgresql.cnpg.io/v1": ["ScheduledBackup"],
};

function modelModule(apiVersion: string): string {
  const [group, version] = apiVersion.includes("/") ? (apiVersion.split("/") as [string, string]) : ["", apiVersion];
  if (group === "") return `kubernetes-models/${version}`;
  if (group.endsWith(".istio.io")) return `@kubernetes-models/istio/${group}/${version}`;
  if (group === "monitoring.coreos.com") return `@kubernetes-models/prometheus-operator/${group}/${version}`;
  if (group === "external-secrets.io") return `@kubernetes-models/external-secrets/${group}/${version}`;
  return `kubernetes-models/${group}/${version}`;
}

/**
 * Validates one object against its schema — Kubernetes, Istio, Prometheus Operator and External Secrets
 * models, or the operator's CRD for the other custom resources — and returns the error.
 */
export async function validateObject(obj: K8sObject): Promise<string | undefined> {
  const where = `${obj.kind}/${obj.metadata?.name}`;
  if (!obj.metadata?.name) return `${where}: metadata.name is missing`;
  if (CRD_KINDS[obj.apiVersion]?.includes(obj.kind)) return validateAgainstCrd(obj);
  if (SHAPE_ONLY_KINDS[obj.apiVersion]?.includes(obj.kind)) {
    return obj.spec && typeof obj.spec === "object" ? undefined : `${where}: spec must be an object`;
  }
  let mod: Record<string, unknown>;
  try {
    mod = await import(modelModule(obj.apiVersion));
  } catch {
    return `${where}: no schema for apiVersion ${obj.apiVersion}`;
  }
  const Model = mod[obj.kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (!Model) return `${where}: ${obj.apiVersion} has no kind ${obj.kind}`;
  try {
    new Model(obj).validate();
    return undefined;
  } catch (e) {
    return `${where}: ${(e as Error).message}`;
  }
}

export interface PodWorkload {
  obj: K8sObject;
  podSpec: any;
  podLabels: Record<string, string>;
  long: boolean;
}

/** Deployments/StatefulSets (long-running) and Jobs/CronJobs, with their pod template. */
export function podWorkloads(objects: K8sObject[]): PodWorkload[] {
  const out: PodWorkload[] = [];
  for (const obj of objects) {
    if (obj.kind === "Deployment" || obj.kind === "StatefulSet" || obj.kind === "DaemonSet") {
      out.push({ obj, podSpec: obj.spec.template.spec, podLabels: obj.spec.template.metadata?.labels ?? {}, long: true });
    } else if (obj.kind === "Job") {
      out.push({ obj, podSpec: obj.spec.template.spec, podLabels: obj.spec.template.metadata?.labels ?? {}, long: false });
    } else if (obj.kind === "CronJob") {
      const t = obj.spec.jobTemplate.spec.template;
      out.push({ obj, podSpec: t.spec, podLabels: t.metadata?.labels ?? {}, long: false });
    }
  }
  return out;
}

function selects(matchLabels: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!matchLabels || Object.keys(matchLabels).length === 0) return false; // empty selector: not a targeted policy
  return Object.entries(matchLabels).every(([k, v]) => labels[k] === v);
}

/**
 * Workloads that run as uid 0, and why: they must still drop every capability, keep a read-only root and
 * mount host paths read-only (checked below).
 */
const ROOT_ALLOWED = new Map([
  ["DaemonSet/otel-agent", "reads the node's /var/log/pods, whose files are root-owned and not world-readable"],
]);

/**
 * Policy: every container has probes (long-running workloads), requests and limits for cpu and memory,
 * runs as non-root with a read-only root filesystem, no privilege escalation, all capabilities dropped;
 * every pod is selected by a NetworkPolicy and every long-running one by a PodDisruptionBudget.
 */
export function policyViolations(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const netpols = objects.filter((o) => o.kind === "NetworkPolicy");
  const pdbs = objects.filter((o) => o.kind === "PodDisruptionBudget");
  for (const { obj, podSpec, podLabels, long } of podWorkloads(objects)) {
    const where = `${obj.kind}/${obj.metadata.name}`;
    const pod = podSpec.securityContext ?? {};
    if (ROOT_ALLOWED.has(where)) {
      const mounts = podSpec.containers.flatMap((c: any) => c.volumeMounts ?? []);
      const hostPaths = new Set((podSpec.volumes ?? []).filter((v: any) => v.hostPath).map((v: any) => v.name));
      if (mounts.some((m: any) => hostPaths.has(m.name) && m.readOnly !== true)) problems.push(`${where}: a hostPath is mounted writable`);
    } else {
      if (pod.runAsNonRoot !== true) problems.push(`${where}: pod securityContext.runAsNonRoot is not true`);
      if (!(typeof pod.runAsUser === "number" && pod.runAsUser > 0)) problems.push(`${where}: pod runAsUser is not a non-zero uid`);
    }
    if (pod.seccompProfile?.type !== "RuntimeDefault") problems.push(`${where}: pod seccompProfile is not RuntimeDefault`);
    for (const c of [...(podSpec.initContainers ?? []), ...podSpec.containers]) {
      const cw = `${where} container ${c.name}`;
      const sc = c.securityContext ?? {};
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${cw}: readOnlyRootFilesystem is not true`);
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${cw}: allowPrivilegeEscalation is not false`);
      if (sc.privileged === true) problems.push(`${cw}: privileged`);
      if (!(sc.capabilities?.drop ?? []).includes("ALL")) problems.push(`${cw}: capabilities are not all dropped`);
      if (sc.runAsUser === 0 && !ROOT_ALLOWED.has(where)) problems.push(`${cw}: runs as uid 0`);
      for (const kind of ["requests", "limits"] as const) {
        for (const res of ["cpu", "memory"]) {
          if (!c.resources?.[kind]?.[res]) problems.push(`${cw}: resources.${kind}.${res} missing`);
        }
      }
      if (long) {
        // Meridian's own processes answer /health/live and /health/ready; third-party ones (the OTel
        // Collector, ...) need probes of their own kind.
        if (MERIDIAN_NAMES.has(obj.metadata.name)) {
          if (c.livenessProbe?.httpGet?.path !== "/health/live") problems.push(`${cw}: livenessProbe is not GET /health/live`);
          if (c.readinessProbe?.httpGet?.path !== "/health/ready") problems.push(`${cw}: readinessProbe is not GET /health/ready`);
        } else {
          if (!c.livenessProbe) problems.push(`${cw}: no livenessProbe`);
          if (!c.readinessProbe) problems.push(`${cw}: no readinessProbe`);
        }
      }
    }
    if (!netpols.some((np) => selects(np.spec?.podSelector?.matchLabels, podLabels))) {
      problems.push(`${where}: no NetworkPolicy selects its pods`);
    }
    // A DaemonSet is not evicted by drains (one pod per node): no PodDisruptionBudget applies.
    if (long && obj.kind !== "DaemonSet" && !pdbs.some((pdb) => selects(pdb.spec?.selector?.matchLabels, podLabels))) {
      problems.push(`${where}: no PodDisruptionBudget selects its pods`);
    }
  }
  return problems;
}

/** Names of the variables a container gets (value or valueFrom). */
export function containerEnvNames(podSpec: any): Set<string> {
  return new Set<string>((podSpec.containers[0]?.env ?? []).map((e: { name: string }) => e.name));
}

/**
 * Config keys a service declares, split into those without a default and those whose default is a
 * loopback address (right on a laptop, wrong in a container). Read from the TypeBox schemas that
 * src/config.ts exports (so the kit's spread-in groups count); services without one are scanned as text.
 */
export async function declaredConfig(source: string): Promise<{ required: string[]; loopbackDefaults: string[] }> {
  const required: string[] = [];
  const loopbackDefaults: string[] = [];
  const classify = (key: string, schema: Record<PropertyKey, unknown>) => {
    if (schema[Symbol.for("TypeBox.Optional")] === "Optional") return;
    if (!("default" in schema)) required.push(key);
    else if (typeof schema.default === "string" && /127\.0\.0\.1|localhost/.test(schema.default)) loopbackDefaults.push(key);
  };
  const configModule = join(REPO_ROOT, source, "src/config.ts");
  if (existsSync(configModule)) {
    const mod = (await import(configModule)) as Record<string, unknown>;
    const schemas = Object.values(mod).filter(
      (v): v is { type: string; properties: Record<string, Record<PropertyKey, unknown>> } =>
        typeof v === "object" && v !== null && (v as { type?: string }).type === "object" && "properties" in v,
    );
    for (const schema of schemas) for (const [key, prop] of Object.entries(schema.properties)) classify(key, prop);
    if (schemas.length > 0) return { required: [...new Set(required)], loopbackDefaults: [...new Set(loopbackDefaults)] };
  }
  const srcDir = join(REPO_ROOT, source, "src");
  for (const file of new Bun.Glob("**/*.ts").scanSync(srcDir)) {
    for (const line of readFileSync(join(srcDir, file), "utf8").split("\n")) {
      const m = line.match(/^\s*([A-Z][A-Z0-9_]+):\s*(t|Type)\.(\w+)\((.*)$/);
      if (!m || m[3] === "Optional") continue;
      if (!m[4]!.includes("default:")) required.push(m[1]!);
      else if (/default:\s*["'`][^"'`]*(127\.0\.0\.1|localhost)/.test(m[4]!)) loopbackDefaults.push(m[1]!);
    }
  }
  return { required, loopbackDefaults };
}
