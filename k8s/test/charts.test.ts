/**
 * The Helm charts as an operator uses them: helm lint and helm template (Helm 4) for every chart and both
 * overlays, every rendered object validated against the Kubernetes / Istio / Prometheus Operator schemas,
 * and the workload policy (probes, resources, non-root, read-only root, NetworkPolicy, PDB).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  CHARTS_DIR,
  DEPLOYABLES,
  HELM,
  type K8sObject,
  containerEnvNames,
  declaredConfig,
  helmTemplate,
  parseManifests,
  podWorkloads,
  policyViolations,
  prepareCharts,
  run,
  validateObject,
} from "./deploy-support";

// Tools run as child processes on a shared 2-core machine: allow them time (bunfig is not read from here).
setDefaultTimeout(60_000);

const SERVICE_CHARTS = [...DEPLOYABLES.map((d) => d.name), "keycloak-realm"];
const OVERLAYS = { base: [], dev: ["-f", "VALUES/values-dev.yaml"], prod: ["-f", "VALUES/values-prod.yaml"] } as const;
type Overlay = keyof typeof OVERLAYS;

let charts: { dir: string; cleanup(): void };
const rendered = new Map<Overlay, K8sObject[]>();

function overlayArgs(overlay: Overlay): string[] {
  return OVERLAYS[overlay].map((a) => a.replace("VALUES", join(charts.dir, "meridian")));
}

beforeAll(() => {
  if (!existsSync(HELM)) throw new Error(`helm is not installed at ${HELM}: run scripts/tools/helm.sh`);
  charts = prepareCharts();
  for (const overlay of Object.keys(OVERLAYS) as Overlay[]) {
    rendered.set(overlay, helmTemplate(join(charts.dir, "meridian"), overlayArgs(overlay)));
  }
}, 120_000);

afterAll(() => charts?.cleanup());

describe("helm lint", () => {
  test("when the repository's chart folders are listed, then every service has a chart on the shared library", () => {
    const dirs = readdirSync(CHARTS_DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    for (const name of [...SERVICE_CHARTS, "meridian-lib", "meridian"]) expect(dirs).toContain(name);
    for (const name of SERVICE_CHARTS) {
      const chart = Bun.file(join(CHARTS_DIR, name, "Chart.yaml"));
      expect(chart.size).toBeGreaterThan(0);
    }
  });

  test.each([...SERVICE_CHARTS, "meridian-lib"])("when %s is linted, then helm lint passes", (name) => {
    const r = run([HELM, "lint", join(charts.dir, name), "--strict"]);
    expect(r.stderr + r.stdout).toContain("0 chart(s) failed");
    expect(r.code).toBe(0);
  });

  test.each(Object.keys(OVERLAYS) as Overlay[])(
    "when the umbrella chart is linted with the %s values, then helm lint passes",
    (overlay) => {
      const r = run([HELM, "lint", join(charts.dir, "meridian"), "--strict", "--namespace", "meridian", ...overlayArgs(overlay)]);
      expect(r.stderr + r.stdout).toContain("0 chart(s) failed");
      expect(r.code).toBe(0);
    },
  );
});

describe("values schemas", () => {
  test.each([
    ["an umbrella key", ["--set", "ingres.enabled=true"], "'ingres'"],
    ["a global key", ["--set", "global.oidc.isuer=https://id.example"], "'isuer'"],
    ["a service chart key", ["--set", "orders.replicaCont=3"], "'replicaCont'"],
    ["a nested service key", ["--set", "gateway.hpa.maxReplica=3"], "'maxReplica'"],
  ])("when %s is misspelt, then helm lint --strict fails naming it", (_what, args, key) => {
    const r = run([HELM, "lint", join(charts.dir, "meridian"), "--strict", "--namespace", "meridian", ...overlayArgs("prod"), ...args]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(`additional properties ${key} not allowed`);
  });

  test("when the realm import's values carry a typo, then its schema names the key", () => {
    const r = run([
      HELM,
      "lint",
      join(charts.dir, "meridian"),
      "--strict",
      "--namespace",
      "meridian",
      ...overlayArgs("dev"),
      "--set",
      "keycloak-realm.adminSecret.pasword=x",
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("'pasword'");
  });

  test("when a service chart is linted on its own with a typo, then its schema names the key", () => {
    const r = run([HELM, "lint", join(charts.dir, "inventory"), "--strict", "--set", "probes.readyness.path=/x"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("'readyness'");
  });
});

describe("rendered objects", () => {
  test.each(SERVICE_CHARTS)("when %s is rendered on its own, then every object is schema-valid and policy-clean", async (name) => {
    const objects = helmTemplate(join(charts.dir, name));
    expect(objects.length).toBeGreaterThan(0);
    const errors = (await Promise.all(objects.map(validateObject))).filter(Boolean);
    expect(errors).toEqual([]);
    expect(policyViolations(objects)).toEqual([]);
  });

  test.each(Object.keys(OVERLAYS) as Overlay[])(
    "when the umbrella renders the %s values, then every object validates against its schema",
    async (overlay) => {
      const objects = rendered.get(overlay)!;
      expect(objects.length).toBeGreaterThan(40);
      const errors = (await Promise.all(objects.map(validateObject))).filter(Boolean);
      expect(errors).toEqual([]);
    },
  );

  test.each(Object.keys(OVERLAYS) as Overlay[])(
    "when the umbrella renders the %s values, then every workload passes the policy",
    (overlay) => {
      const objects = rendered.get(overlay)!;
      expect(podWorkloads(objects).length).toBeGreaterThanOrEqual(DEPLOYABLES.length);
      expect(policyViolations(objects)).toEqual([]);
    },
  );

  test.each(Object.keys(OVERLAYS) as Overlay[])(
    "when the umbrella renders the %s values, then every deployable has its workload, service and required env",
    (overlay) => {
      const objects = rendered.get(overlay)!;
      for (const d of DEPLOYABLES) {
        const kind = d.component === "job" ? "CronJob" : "Deployment";
        const workload = podWorkloads(objects).find((w) => w.obj.kind === kind && w.obj.metadata.name === d.name);
        expect(workload, `${kind}/${d.name}`).toBeDefined();
        const env = containerEnvNames(workload!.podSpec);
        const missing = d.requiredEnv.filter((name) => !env.has(name));
        expect(missing, `${d.name} env`).toEqual([]);
        if (d.port) {
          const svc = objects.find((o) => o.kind === "Service" && o.metadata.name === d.name);
          expect(svc?.spec.ports[0].port, `Service/${d.name}`).toBe(d.port);
          expect(workload!.podSpec.containers[0].ports[0].containerPort).toBe(d.port);
        }
      }
    },
  );

  test.each(Object.keys(OVERLAYS) as Overlay[])(
    "when the umbrella renders the %s values, then every variable a service's config schema requires is set",
    async (overlay) => {
      const problems: string[] = [];
      for (const d of DEPLOYABLES.filter((x) => x.component !== "web")) {
        const workload = podWorkloads(rendered.get(overlay)!).find((w) => w.obj.metadata.name === d.name)!;
        const env = containerEnvNames(workload.podSpec);
        for (const key of (await declaredConfig(d.source)).required) if (!env.has(key)) problems.push(`${d.name}: ${key}`);
      }
      expect(problems).toEqual([]);
    },
  );

  test("when a policy is broken, then the policy check names the workload and the rule", () => {
    const objects = structuredClone(rendered.get("base")!);
    const orders = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "orders")!;
    const c = orders.spec.template.spec.containers[0];
    delete c.readinessProbe;
    c.securityContext.readOnlyRootFilesystem = false;
    delete c.resources.limits;
    const pdbIndex = objects.findIndex((o) => o.kind === "PodDisruptionBudget" && o.metadata.name === "orders");
    objects.splice(pdbIndex, 1);
    const violations = policyViolations(objects);
    expect(violations).toContain("Deployment/orders container orders: readinessProbe is not GET /health/ready");
    expect(violations).toContain("Deployment/orders container orders: readOnlyRootFilesystem is not true");
    expect(violations).toContain("Deployment/orders container orders: resources.limits.cpu missing");
    expect(violations).toContain("Deployment/orders: no PodDisruptionBudget selects its pods");
  });

  test("when an object breaks its schema, then validation names the field", async () => {
    const svc = structuredClone(rendered.get("base")!.find((o) => o.kind === "Service")!);
    svc.spec.ports[0].port = "eighty";
    expect(await validateObject(svc)).toContain("port");
  });
});

describe("environment values", () => {
  const issuerOf = (objects: K8sObject[], name: string) =>
    podWorkloads(objects)
      .find((w) => w.obj.metadata.name === name)!
      .podSpec.containers[0].env.find((e: { name: string }) => e.name === "OIDC_ISSUER")?.value;

  test("when any overlay is rendered, then every service gets the same OIDC issuer, the one global.oidc.issuer sets", () => {
    for (const [overlay, expected] of [
      ["dev", "http://keycloak.localtest.me:8180/realms/meridian"],
      ["prod", "https://id.meridian.example/realms/meridian"],
    ] as const) {
      const objects = rendered.get(overlay)!;
      for (const name of ["orders", "inventory", "notifications", "audit", "gateway", "admin-bff"]) {
        expect(issuerOf(objects, name), `${overlay} ${name}`).toBe(expected);
      }
    }
  });

  test("when the dev overlay is rendered, then local images, one replica and a generated connections Secret are used", () => {
    const objects = rendered.get("dev")!;
    const orders = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "orders")!;
    expect(orders.spec.template.spec.containers[0].image).toBe("meridian/orders:dev");
    expect(orders.spec.replicas).toBe(1);
    expect(objects.some((o) => o.kind === "HorizontalPodAutoscaler")).toBe(false);
    const secret = objects.find((o) => o.kind === "Secret" && o.metadata.name === "meridian-connections")!;
    expect(Object.keys(secret.stringData as object).sort()).toEqual([
      "admin-client-secret",
      "audit-database-url",
      "inventory-database-url",
      "orders-mssql-url",
      "rabbitmq-url",
      "redis-url",
      "sessions-redis-url",
    ]);
  });

  test("when the prod overlay is rendered, then images are pinned to the release, HPAs scale and no Secret is rendered", () => {
    const objects = rendered.get("prod")!;
    const names = new Set(DEPLOYABLES.map((d) => d.name));
    const ours = podWorkloads(objects).filter((w) => names.has(w.obj.metadata.name));
    expect(ours.length).toBe(DEPLOYABLES.length);
    for (const w of ours) {
      expect(w.podSpec.containers[0].image).toBe(`ghcr.io/meridian-platform/meridian/${w.obj.metadata.name}:0.1.0`);
    }
    expect(objects.filter((o) => o.kind === "HorizontalPodAutoscaler").length).toBe(8);
    expect(objects.some((o) => o.kind === "Secret")).toBe(false);
    expect(objects.some((o) => o.kind === "Ingress")).toBe(false); // the Istio Gateway is the edge
  });

  test("when infrastructure is switched off, then no operator resource is rendered; when on, each one is", () => {
    const operatorKinds = ["RabbitmqCluster", "Cluster", "Redis", "Keycloak"];
    const base = rendered.get("base")!.map((o) => o.kind);
    for (const k of operatorKinds) expect(base).not.toContain(k);
    const prod = rendered.get("prod")!.map((o) => o.kind);
    for (const k of operatorKinds) expect(prod).toContain(k);
  });

  test("when the Keycloak hostname would give another issuer than global.oidc.issuer, then rendering fails and says why", () => {
    const r = run([
      HELM,
      "template",
      "m",
      join(charts.dir, "meridian"),
      ...overlayArgs("prod"),
      "--set",
      "infrastructure.keycloak.hostname=https://other.example",
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("one issuer per environment");
  });

  test("when the connections Secret is rendered without a value, then rendering fails naming the key", () => {
    const r = run([
      HELM,
      "template",
      "m",
      join(charts.dir, "meridian"),
      ...overlayArgs("dev"),
      "--set",
      "global.connections.values.redis-url=",
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("global.connections.values.redis-url");
  });

  test("when a service is disabled, then none of its objects are rendered", () => {
    const objects = helmTemplate(join(charts.dir, "meridian"), [...overlayArgs("dev"), "--set", "audit.enabled=false"]);
    expect(objects.filter((o) => o.metadata.name === "audit")).toEqual([]);
    expect(objects.some((o) => o.kind === "Deployment" && o.metadata.name === "orders")).toBe(true);
  });
});

describe("network layers agree", () => {
  test("when the mesh is on, then each service's NetworkPolicy and AuthorizationPolicy admit the same in-namespace callers", () => {
    const objects = rendered.get("prod")!;
    for (const d of DEPLOYABLES.filter((x) => x.component !== "job")) {
      const np = objects.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === d.name)!;
      const npCallers = np.spec.ingress
        .flatMap((r: any) => r.from.map((f: any) => f.podSelector?.matchLabels?.["app.kubernetes.io/name"]))
        .filter(Boolean)
        .sort();
      const ap = objects.find((o) => o.kind === "AuthorizationPolicy" && o.metadata.name === d.name)!;
      const apCallers = ap.spec.rules
        .flatMap((r: any) => (r.from ?? []).flatMap((f: any) => f.source.principals ?? []))
        .filter((p: string) => p.includes("/ns/meridian/"))
        .map((p: string) => p.split("/").pop())
        .sort();
      expect(npCallers, d.name).toEqual(apCallers);
      // Edge-facing services let the ingress in at both layers, the others at neither.
      const npIngress = np.spec.ingress.some((r: any) =>
        r.from.some((f: any) => f.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "istio-system"),
      );
      const apIngress = ap.spec.rules.some((r: any) =>
        (r.from ?? []).some((f: any) => (f.source.principals ?? []).some((p: string) => p.includes("/ns/istio-system/"))),
      );
      expect(npIngress, `${d.name} ingress`).toBe(apIngress);
    }
  });
});

describe("Keycloak wiring", () => {
  const realmOf = (objects: K8sObject[]): any => {
    const imp = objects.find((o) => o.kind === "KeycloakRealmImport");
    if (imp) return imp.spec.realm;
    const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "meridian-realm")!;
    return JSON.parse((cm as any).data["realm-meridian.json"]);
  };

  test("when prod imports the realm through the operator, then demo users are left out and the client secret comes from the Secret", () => {
    const objects = rendered.get("prod")!;
    const imp = objects.find((o) => o.kind === "KeycloakRealmImport")!;
    expect(imp.spec.placeholders.ADMIN_CLIENT_SECRET.secret).toEqual({ name: "meridian-connections", key: "admin-client-secret" });
    const realm = realmOf(objects);
    expect(realm.realm).toBe("meridian");
    expect(realm.users).toBeUndefined();
    const admin = realm.clients.find((c: any) => c.clientId === "admin-console");
    expect(admin.secret).toBe("${ADMIN_CLIENT_SECRET}");
    expect(admin.redirectUris).toEqual(["https://admin.meridian.example/auth/callback"]);
  });

  test("when dev imports the realm with a config-cli Job, then the demo users and local redirect URLs are in it", () => {
    const objects = rendered.get("dev")!;
    const realm = realmOf(objects);
    expect(realm.users.map((u: any) => u.username).sort()).toEqual(["ada", "alice", "bob"]);
    const spa = realm.clients.find((c: any) => c.clientId === "customer-spa");
    expect(spa.redirectUris).toEqual(["http://shop.localtest.me:8088/*"]);
    expect(realm.clients.find((c: any) => c.clientId === "admin-console").secret).toBe("$(env:ADMIN_CLIENT_SECRET)");
    const job = objects.find((o) => o.kind === "Job")!;
    expect(job.metadata.name).toMatch(/^meridian-realm-import-[0-9a-f]{8}$/);
  });
});

describe("production path", () => {
  const CORE_GROUPS = new Set(["v1", "apps/v1", "batch/v1", "networking.k8s.io/v1", "policy/v1", "autoscaling/v2"]);

  test("when the dev overlay goes to a bare cluster, then it needs no CRD, no other namespace and no Secret it does not render", () => {
    const objects = rendered.get("dev")!;
    expect(objects.filter((o) => !CORE_GROUPS.has(o.apiVersion)).map((o) => `${o.apiVersion} ${o.kind}/${o.metadata.name}`)).toEqual([]);
    expect(
      objects.filter((o) => o.metadata.namespace && o.metadata.namespace !== "meridian").map((o) => `${o.kind}/${o.metadata.name}`),
    ).toEqual([]);
    const secrets = new Set(objects.filter((o) => o.kind === "Secret").map((o) => o.metadata.name));
    const referenced = podWorkloads(objects).flatMap((w) =>
      [
        ...[...(w.podSpec.initContainers ?? []), ...w.podSpec.containers].flatMap((c: any) =>
          (c.env ?? []).map((e: any) => e.valueFrom?.secretKeyRef?.name),
        ),
        ...(w.podSpec.volumes ?? []).map((v: any) => v.secret?.secretName),
      ]
        .filter(Boolean)
        .map((name: string) => `${w.obj.metadata.name} -> ${name}`),
    );
    expect(referenced.filter((r) => !secrets.has(r.split(" -> ")[1]!))).toEqual([]);
  });

  test("when dev's Keycloak is installed with k8s/dev/keycloak.values.yaml, then its Service port and admin login are the ones the release uses", async () => {
    const values = parseManifests(await Bun.file(join(import.meta.dir, "../dev/keycloak.values.yaml")).text())[0] as any;
    const port = values.service.ports.http;
    const objects = rendered.get("dev")!;
    const urls = podWorkloads(objects).flatMap((w) =>
      w.podSpec.containers.flatMap((c: any) =>
        (c.env ?? [])
          .filter((e: any) => typeof e.value === "string" && /^https?:\/\/keycloak[.:]/.test(e.value))
          .map((e: any) => ({ where: `${w.obj.metadata.name} ${e.name}`, url: new URL(e.value) })),
      ),
    );
    // issuer (browser and pods), JWKS of every verifier, the BFF's discovery, the realm Job
    expect(urls.map((u) => u.where)).toEqual(expect.arrayContaining(["gateway OIDC_JWKS_URL", "admin-bff OIDC_DISCOVERY_URL"]));
    expect(urls.some((u) => u.where.endsWith("KEYCLOAK_URL"))).toBe(true);
    expect(urls.filter((u) => Number(u.url.port || 80) !== port).map((u) => `${u.where}: ${u.url.host}`)).toEqual([]);
    expect(values.extraEnvVars.find((e: any) => e.name === "KC_HOSTNAME").value).toBe(
      new URL(urls.find((u) => u.where === "gateway OIDC_ISSUER")!.url).origin,
    );
    const admin = objects.find((o) => o.kind === "Secret" && o.metadata.name === "keycloak-admin") as any;
    expect(Object.values(admin.stringData).sort()).toEqual([values.auth.adminUser, values.auth.adminPassword].sort());
  });

  test.each(Object.keys(OVERLAYS) as Overlay[])(
    "when the %s realm is imported, then every client URL (post-logout ones included) is one of the overlay's public URLs",
    (overlay) => {
      const objects = rendered.get(overlay)!;
      const imp = objects.find((o) => o.kind === "KeycloakRealmImport");
      const realm = imp
        ? imp.spec.realm
        : JSON.parse((objects.find((o) => o.metadata.name === "meridian-realm") as any).data["realm-meridian.json"]);
      const gateway = podWorkloads(objects).find((w) => w.obj.metadata.name === "admin-bff")!;
      const env = Object.fromEntries(gateway.podSpec.containers[0].env.map((e: any) => [e.name, e.value]));
      const origins = new Set(
        [
          env.BFF_PUBLIC_URL,
          env.ADMIN_APP_URL,
          ...podWorkloads(objects)
            .filter((w) => w.obj.metadata.name === "web-customer")
            .map(() => realmShopOrigin(overlay)),
        ].map((u) => new URL(u).origin),
      );
      const urls: string[] = [];
      for (const c of realm.clients.filter((c: any) => ["customer-spa", "admin-console"].includes(c.clientId))) {
        urls.push(
          c.rootUrl,
          ...c.redirectUris,
          ...c.webOrigins,
          ...String(c.attributes?.["post.logout.redirect.uris"] ?? "")
            .split("##")
            .filter(Boolean),
        );
      }
      expect(urls.length).toBe(8);
      expect(urls.filter((u) => !origins.has(new URL(u).origin))).toEqual([]);
    },
  );

  test("when prod runs Keycloak on CloudNativePG, then its database and role exist and use the Secret Keycloak reads", () => {
    const objects = rendered.get("prod")!;
    const keycloak = objects.find((o) => o.kind === "Keycloak")!;
    const cluster = objects.find((o) => o.kind === "Cluster")!;
    const db = objects.find((o) => o.kind === "Database" && o.spec.name === keycloak.spec.db.database)!;
    expect(db.spec.owner).toBe("keycloak");
    const role = cluster.spec.managed.roles.find((r: any) => r.name === db.spec.owner);
    expect(role.login).toBe(true);
    expect(role.passwordSecret.name).toBe(keycloak.spec.db.usernameSecret.name);
    expect(keycloak.spec.db.host).toBe(`${cluster.metadata.name}-rw`);
  });

  test("when the mesh is on, then the operators' Jobs (CloudNativePG bootstrap, Keycloak realm import) get native sidecars that let them end", () => {
    const objects = rendered.get("prod")!;
    expect(objects.find((o) => o.kind === "Cluster")!.spec.inheritedMetadata.annotations["sidecar.istio.io/nativeSidecar"]).toBe("true");
    expect(
      objects.find((o) => o.kind === "Keycloak")!.spec.unsupported.podTemplate.metadata.annotations["sidecar.istio.io/nativeSidecar"],
    ).toBe("true");
  });

  test("when prod runs PostgreSQL, then WAL and base backups go to an object store on a schedule", () => {
    const objects = rendered.get("prod")!;
    const cluster = objects.find((o) => o.kind === "Cluster")!;
    expect(cluster.spec.backup.barmanObjectStore.destinationPath).toMatch(/^s3:\/\//);
    expect(cluster.spec.backup.retentionPolicy).toMatch(/^\d+[dwm]$/);
    const scheduled = objects.find((o) => o.kind === "ScheduledBackup")!;
    expect(scheduled.spec.cluster.name).toBe(cluster.metadata.name);
  });

  test("when an operator resource carries a field its CRD does not define, then validation refuses it naming the field", async () => {
    const redis = structuredClone(rendered.get("prod")!.find((o) => o.kind === "Redis")!);
    redis.spec.securityContext = { fsGroup: 1000 };
    expect(await validateObject(redis)).toContain("/spec/securityContext: unknown field fsGroup");
    const cluster = structuredClone(rendered.get("prod")!.find((o) => o.kind === "Cluster")!);
    cluster.spec.instances = "three";
    expect(await validateObject(cluster)).toContain("/spec/instances");
  });

  test("when a service pod stops, then endpoints drain before SIGTERM and probes use the management port", () => {
    for (const w of podWorkloads(rendered.get("prod")!).filter(
      (x) => x.obj.kind === "Deployment" && DEPLOYABLES.some((d) => d.name === x.obj.metadata.name),
    )) {
      const c = w.podSpec.containers[0];
      expect(c.lifecycle?.preStop?.sleep?.seconds, w.obj.metadata.name).toBeGreaterThanOrEqual(5);
      expect(w.podSpec.terminationGracePeriodSeconds).toBeGreaterThan(c.lifecycle.preStop.sleep.seconds);
      const web = w.obj.metadata.labels?.["app.kubernetes.io/component"] === "web";
      expect(c.readinessProbe.httpGet.port, w.obj.metadata.name).toBe(web ? "http" : "management");
      if (!web) {
        expect(c.env.find((e: any) => e.name === "MANAGEMENT_PORT")?.value).toBe("9090");
        expect(c.ports.find((p: any) => p.name === "management")?.containerPort).toBe(9090);
      }
    }
  });
});

function realmShopOrigin(overlay: Overlay): string {
  return overlay === "dev" ? "http://shop.localtest.me:8088" : "https://shop.meridian.example";
}

/** Secrets (name -> keys) the rendered objects read: pods, operator resources, the Istio Gateway. */
export function consumedSecrets(objects: K8sObject[], releaseNs = "meridian"): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const use = (name: string | undefined, keys: string[], ns = releaseNs) => {
    if (!name) return;
    const id = `${ns}/${name}`;
    out.set(id, new Set([...(out.get(id) ?? []), ...keys]));
  };
  const ref = (r: { name?: string; key?: string } | undefined) => use(r?.name, r?.key ? [r.key] : []);
  for (const w of podWorkloads(objects)) {
    for (const c of [...(w.podSpec.initContainers ?? []), ...w.podSpec.containers]) {
      for (const e of c.env ?? []) ref(e.valueFrom?.secretKeyRef);
    }
    for (const v of w.podSpec.volumes ?? []) use(v.secret?.secretName, []);
  }
  for (const o of objects) {
    if (o.kind === "Keycloak") {
      ref(o.spec.db.usernameSecret);
      ref(o.spec.db.passwordSecret);
      use(o.spec.http?.tlsSecret, ["tls.crt", "tls.key"]);
    }
    if (o.kind === "Redis") ref(o.spec.kubernetesConfig.redisSecret);
    if (o.kind === "KeycloakRealmImport") for (const p of Object.values<any>(o.spec.placeholders ?? {})) ref(p.secret);
    if (o.kind === "Cluster") {
      for (const role of o.spec.managed?.roles ?? []) use(role.passwordSecret?.name, ["username", "password"]);
      const s3 = o.spec.backup?.barmanObjectStore?.s3Credentials ?? {};
      for (const r of Object.values<any>(s3)) ref(r);
    }
    if (o.kind === "Gateway") {
      for (const s of o.spec.servers) use(s.tls?.credentialName, s.tls?.credentialName ? ["tls.crt", "tls.key"] : [], "istio-system");
    }
  }
  return out;
}

describe("secrets", () => {
  test("when prod is rendered, then an ExternalSecret provides every Secret the release reads, with every key it reads", () => {
    const objects = rendered.get("prod")!;
    const provided = new Map(
      objects
        .filter((o) => o.kind === "ExternalSecret")
        .map((o) => [
          `${o.metadata.namespace ?? "meridian"}/${o.spec.target.name}`,
          new Set(o.spec.data.map((d: any) => d.secretKey as string)),
        ]),
    );
    const consumed = consumedSecrets(objects);
    expect(consumed.size).toBeGreaterThanOrEqual(5);
    const missing: string[] = [];
    for (const [secret, keys] of consumed) {
      const got = provided.get(secret);
      if (!got) missing.push(`${secret}: no ExternalSecret`);
      else for (const k of keys) if (!got.has(k)) missing.push(`${secret}: key ${k} missing`);
    }
    expect(missing).toEqual([]);
  });

  test("when an ExternalSecret breaks its schema, then validation names the field", async () => {
    const es = structuredClone(rendered.get("prod")!.find((o) => o.kind === "ExternalSecret")!);
    es.spec.secretStoreRef.kind = "Vault";
    expect(await validateObject(es)).toContain("kind");
  });

  test("when docs/deployment.md is read, then it documents every Secret prod reads and each of its keys", async () => {
    const docs = await Bun.file(join(import.meta.dir, "../../docs/deployment.md")).text();
    const section = docs.slice(docs.indexOf("### Secrets and their keys"));
    const undocumented: string[] = [];
    for (const [secret, keys] of consumedSecrets(rendered.get("prod")!)) {
      const name = secret.split("/")[1]!;
      const row = section.split("\n").find((l) => l.startsWith(`| \`${name}\``));
      if (!row) undocumented.push(name);
      else for (const k of keys) if (!row.includes(`\`${k}\``)) undocumented.push(`${name} ${k}`);
    }
    expect(undocumented).toEqual([]);
  });
});

describe("install notes", () => {
  test.each(["dev", "prod"] as Overlay[])(
    "when the %s overlay is installed (dry run), then the notes print the public URLs and the issuer",
    (overlay) => {
      const r = run([
        HELM,
        "install",
        "meridian",
        join(charts.dir, "meridian"),
        "--dry-run=client",
        "--namespace",
        "meridian",
        ...overlayArgs(overlay),
      ]);
      expect(r.code, r.stderr).toBe(0);
      const notes = r.stdout.slice(r.stdout.indexOf("NOTES:"));
      const urls =
        overlay === "dev"
          ? [
              "http://shop.localtest.me:8088",
              "http://admin.localtest.me:8088",
              "http://api.localtest.me:8088",
              "http://keycloak.localtest.me:8180/realms/meridian",
            ]
          : [
              "https://shop.meridian.example",
              "https://admin.meridian.example",
              "https://api.meridian.example",
              "https://id.meridian.example/realms/meridian",
            ];
      for (const url of urls) expect(notes).toContain(url);
    },
  );
});

describe("log shipping", () => {
  test("when prod is rendered, then a node agent reads the release's pod logs read-only and sends them to the collector, whose logs go to Loki", () => {
    const objects = rendered.get("prod")!;
    const agent = objects.find((o) => o.kind === "DaemonSet" && o.metadata.name === "otel-agent")!;
    const pod = agent.spec.template.spec;
    const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env.LOG_NAMESPACE).toBe("meridian");
    const mount = pod.containers[0].volumeMounts.find((m: any) => m.mountPath === "/var/log/pods");
    expect(mount.readOnly).toBe(true);
    const config = parseManifests(
      (objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "otel-agent") as any).data["config.yaml"],
    )[0] as any;
    expect(config.receivers.filelog.include).toEqual(["/var/log/pods/${env:LOG_NAMESPACE}_*/*/*.log"]);
    expect(config.service.pipelines.logs).toEqual({ receivers: ["filelog"], processors: ["memory_limiter", "batch"], exporters: ["otlp"] });
    expect(config.exporters.otlp.endpoint).toBe("${env:COLLECTOR_OTLP_GRPC}");
    const [host, port] = env.COLLECTOR_OTLP_GRPC.split(":");
    const collector = objects.find((o) => o.kind === "Service" && `${o.metadata.name}.${o.metadata.namespace}.svc` === host)!;
    expect(collector.spec.ports.map((p: any) => p.port)).toContain(Number(port));
    const collectorConfig = parseManifests(
      (objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "otel-collector") as any).data["config.yaml"],
    )[0] as any;
    expect(collectorConfig.service.pipelines.logs.receivers).toContain("otlp");
    expect(collectorConfig.service.pipelines.logs.exporters).toEqual(["otlphttp/loki"]);
  });
});
