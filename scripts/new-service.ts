/**
 * `bun run new-service <name>`: scaffolds a service from the kit — workspace (config, app through startService, one
 * route with schema and OpenAPI, a store with a migration, a consumer with the inbox, tests, README), its manifest
 * entry, compose service and Helm chart — then runs `bun install` so the workspace is linked.
 * docs/adding-a-service.md walks through the result and the steps left to a person (gateway route, umbrella chart).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createChart, registerInCompose, registerInManifest } from "./new-service/registrations";
import { namesOf, serviceFiles } from "./new-service/templates";

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The next free design port after the services' (51xx). */
async function nextPort(root: string): Promise<number> {
  const { services } = (await import(join(root, "services.ts"))) as { services: Array<{ port: number }> };
  const ports = services.map((s) => s.port).filter((p) => p >= 5100 && p < 5200);
  return Math.max(5100, ...ports) + 1;
}

export async function scaffoldService(root: string, name: string): Promise<{ files: string[]; port: number }> {
  if (!NAME.test(name)) throw new Error(`"${name}" is not a service name: use lower-case kebab-case, e.g. loyalty-points`);
  if (existsSync(join(root, "svc", name))) throw new Error(`svc/${name} exists already: choose another name`);
  const names = namesOf(name, await nextPort(root));
  const files = serviceFiles(names);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  registerInManifest(root, names);
  registerInCompose(root, names);
  createChart(root, names);
  return { files: [...Object.keys(files), "services.ts", "compose.yml", `k8s/charts/${name}/`], port: names.port };
}

if (import.meta.main) {
  const name = process.argv[2];
  if (!name) {
    console.error("usage: bun run new-service <name>   (lower-case kebab-case, e.g. loyalty-points)");
    process.exit(1);
  }
  const root = resolve(import.meta.dir, "..");
  try {
    const { files, port } = await scaffoldService(root, name);
    console.log(`new service ${name} on port ${port}:\n  ${files.join("\n  ")}`);
    const install = Bun.spawnSync(["bun", "install"], { cwd: root, stdio: ["inherit", "inherit", "inherit"] });
    if (install.exitCode !== 0) throw new Error("bun install failed: run it at the repository root, then the tests");
    // docs/asyncapi.yaml lists each process's consumers and publications: regenerate it with the new entry.
    const asyncapi = Bun.spawnSync(["bun", "run", "asyncapi"], { cwd: root, stdio: ["inherit", "inherit", "inherit"] });
    if (asyncapi.exitCode !== 0) throw new Error("bun run asyncapi failed: run it at the repository root after fixing services.ts");
    console.log(`next: cd svc/${name} && bun test test   (then docs/adding-a-service.md: gateway route, umbrella chart)`);
  } catch (error) {
    console.error(`new-service: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
