/**
 * Coverage of the service manifest (services.ts): every process it lists is deployable the same way — a compose
 * service, a Helm chart on the manifest's port, and, once the umbrella chart deploys it, its mesh objects
 * (mesh/istio, rendered from the umbrella) and rows in the flow matrix (k8s/flows.yaml). A service added to the
 * manifest without them fails here, naming what is missing.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { services, type ServiceManifestEntry } from "../../services";

const ROOT = resolve(import.meta.dir, "../..");
const readYaml = <T>(path: string): T => parse(readFileSync(join(ROOT, path), "utf8"), { merge: true }) as T;

const deployable = (services as readonly ServiceManifestEntry[]).filter((s) => !s.developmentOnly);
const compose = readYaml<{ services: Record<string, { environment?: Record<string, string> }> }>("compose.yml");
const umbrella = readYaml<{ dependencies: Array<{ name: string }> }>("k8s/charts/meridian/Chart.yaml");
const inUmbrella = deployable.filter((s) => s.chart && umbrella.dependencies.some((d) => d.name === s.chart));

interface Flow {
  from: string | string[];
  to: string | string[];
}
const flows = readYaml<{ required: Flow[] }>("k8s/flows.yaml");
const names = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

function meshObjects(file: string): Array<{ kind: string; metadata: { name: string } }> {
  return parseAllDocuments(readFileSync(join(ROOT, "mesh/istio", file), "utf8"))
    .map((d) => d.toJS())
    .filter(Boolean);
}

describe("service manifest coverage", () => {
  test("when the manifest is read, then it lists deployable processes with unique names and ports", () => {
    expect(deployable.length).toBeGreaterThan(0);
    expect(new Set(deployable.map((s) => s.name)).size).toBe(deployable.length);
    expect(new Set(deployable.map((s) => s.port)).size).toBe(deployable.length);
  });

  test.each(deployable.map((s) => [s.name, s] as const))(
    "when %s is deployed with compose, then compose.yml has its service on its port",
    (name, entry) => {
      const service = compose.services[name];
      expect(service, `compose.yml has no service ${name}`).toBeDefined();
      expect(service?.environment?.PORT, `${name}: PORT in compose.yml`).toBe(String(entry.port));
      expect(service?.environment?.OTEL_SERVICE_NAME).toBe(name);
    },
  );

  test.each(deployable.filter((s) => s.chart).map((s) => [s.name, s] as const))(
    "when %s is deployed with Helm, then its chart exists and listens on the manifest's port",
    (name, entry) => {
      const dir = `k8s/charts/${entry.chart}`;
      expect(existsSync(join(ROOT, dir, "Chart.yaml")), `${dir}/Chart.yaml`).toBe(true);
      expect(readYaml<{ name: string }>(`${dir}/Chart.yaml`).name).toBe(entry.chart!);
      expect(readYaml<{ port: number }>(`${dir}/values.yaml`).port, `${name}: port in ${dir}/values.yaml`).toBe(entry.port);
    },
  );

  test.each(inUmbrella.map((s) => [s.name] as const))(
    "when the umbrella chart deploys %s, then mesh/istio holds its policy and destination rule",
    (name) => {
      const policies = meshObjects("authorization-policies.yaml").filter((o) => o.kind === "AuthorizationPolicy");
      const rules = meshObjects("destination-rules.yaml").filter((o) => o.kind === "DestinationRule");
      expect(
        policies.map((o) => o.metadata.name),
        "run `bun mesh/render-istio.ts` after chart changes",
      ).toContain(name);
      expect(
        rules.map((o) => o.metadata.name),
        "run `bun mesh/render-istio.ts` after chart changes",
      ).toContain(name);
    },
  );

  test.each(inUmbrella.map((s) => [s.name] as const))(
    "when the umbrella chart deploys %s, then the flow matrix has rows from and to it",
    (name) => {
      const touching = flows.required.filter((f) => names(f.from).includes(name) || names(f.to).includes(name));
      expect(touching.length, `k8s/flows.yaml has no required flow for ${name}`).toBeGreaterThan(0);
      expect(
        flows.required.some((f) => names(f.from).includes(name)),
        `k8s/flows.yaml: nothing ${name} calls`,
      ).toBe(true);
    },
  );
});
