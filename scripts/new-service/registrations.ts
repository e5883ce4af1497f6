/**
 * Registers a new service where the platform lists its processes: the service manifest (services.ts), compose.yml
 * (service and database), and a Helm chart made from the audit chart (same library, same shape).
 */
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ServiceNames } from "./templates";

function insertBefore(text: string, marker: string, insertion: string, file: string): string {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`${file}: "${marker.trim()}" not found; add the entry by hand (docs/adding-a-service.md)`);
  return text.slice(0, at) + insertion + text.slice(at);
}

/** The manifest entry, placed before the gateway (services start before the gateway that routes to them). */
export function registerInManifest(root: string, n: ServiceNames): void {
  const file = join(root, "services.ts");
  const entry = `  {
    name: "${n.name}",
    workspace: "svc/${n.name}",
    entry: "svc/${n.name}/src/main.ts",
    port: ${n.port},
    readyPath: "/health/ready",
    env: ["DATABASE_URL"],
    databases: [{ name: "${n.snake}", env: "DATABASE_URL", owner: true }],
    consumes: ["orders.order-created.v1"],
    publishes: [],
    chart: "${n.name}",
    default: true,
  },
`;
  writeFileSync(file, insertBefore(readFileSync(file, "utf8"), '  {\n    name: "gateway",', entry, "services.ts"));
}

/** The compose service (the one image, this workspace) and its database in postgres-init. */
export function registerInCompose(root: string, n: ServiceNames): void {
  const file = join(root, "compose.yml");
  let text = readFileSync(file, "utf8");
  const service = `  ${n.name}:
    <<: *app
    build:
      <<: *bun-image
      args:
        SERVICE: ${n.name}
        WORKSPACE: svc/${n.name}
        PORT: "${n.port}"
    image: meridian/${n.name}:\${MERIDIAN_TAG:-dev}
    healthcheck: *bun-healthcheck
    environment:
      <<: [*common-env, *oidc-env]
      PORT: "${n.port}"
      MANAGEMENT_PORT: "9090"
      OTEL_SERVICE_NAME: ${n.name}
      DATABASE_URL: >-
        postgres://${n.snake}:\${${n.constant}_DB_PASSWORD:?copy .env.example to .env}@postgres:5432/meridian_${n.snake}
    depends_on:
      postgres-init:
        condition: service_completed_successfully
      rabbitmq:
        condition: service_healthy
      keycloak:
        condition: service_healthy
      otel-collector:
        condition: service_started

`;
  text = insertBefore(text, "  notifications-console:\n", service, "compose.yml");
  const ensureAudit = '        ensure audit "$$AUDIT_DB_PASSWORD" meridian_audit\n';
  text = insertBefore(text, ensureAudit, `        ensure ${n.snake} "$$${n.constant}_DB_PASSWORD" meridian_${n.snake}\n`, "compose.yml");
  // postgres-init reads the password from its environment.
  const auditPassword = "      AUDIT_DB_PASSWORD: ${AUDIT_DB_PASSWORD:?copy .env.example to .env}\n";
  text = insertBefore(
    text,
    auditPassword,
    `      ${n.constant}_DB_PASSWORD: \${${n.constant}_DB_PASSWORD:?copy .env.example to .env}\n`,
    "compose.yml",
  );
  writeFileSync(file, text);
  const envExample = join(root, ".env.example");
  if (existsSync(envExample)) {
    writeFileSync(envExample, `${readFileSync(envExample, "utf8").trimEnd()}\n${n.constant}_DB_PASSWORD=${n.name}-dev-password\n`);
  }
}

function replaceInTree(dir: string, replace: (text: string) => string): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) replaceInTree(path, replace);
    else writeFileSync(path, replace(readFileSync(path, "utf8")));
  }
}

/** k8s/charts/<name>: the audit chart's shape (meridian-lib renders workload, service, policies, mesh objects). */
export function createChart(root: string, n: ServiceNames): void {
  const target = join(root, "k8s/charts", n.name);
  cpSync(join(root, "k8s/charts/audit"), target, { recursive: true, filter: (src) => !src.includes("/charts/audit/charts") });
  replaceInTree(target, (text) =>
    text
      .replace(/^description: .*$/m, `description: ${n.pascal} (scaffolded by bun run new-service)`)
      .replaceAll("audit-database-url", `${n.name}-database-url`)
      .replace(/\baudit\b/g, n.name)
      .replaceAll("5104", String(n.port)),
  );
}
