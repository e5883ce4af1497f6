/**
 * The images, without a Docker engine: every Dockerfile is checked for the rules (pinned multi-stage
 * bases, production-only install filtered to its workspace, non-root, HEALTHCHECK, entry that exists),
 * and each Bun image's dependency and runtime stages are replayed on this machine: the manifests stage's
 * RUN, the deps stage's `bun install --production --frozen-lockfile --filter` and pruning, the runtime
 * stage's COPY lines — then the entry is bundled from that tree, which fails if any import the service
 * makes at run time is missing from the production install; the gateway and inventory trees are also
 * started as the image's uid with the image's ENV until /health/ready answers, and stopped with SIGTERM.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { createTestDatabase, uniqueName, waitFor } from "@meridian/kit/testing";
import { DEPLOYABLES, REPO_ROOT, run } from "./deploy-support";

// Tools run as child processes on a shared 2-core machine: allow them time (bunfig is not read from here).
setDefaultTimeout(60_000);

interface Stage { from: string; name?: string; lines: string[] }

/** Dockerfile -> stages of logical instructions (continuation lines joined, comments dropped). */
function parseDockerfile(path: string): Stage[] {
  const logical: string[] = [];
  let current = "";
  for (const raw of readFileSync(path, "utf8").split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#") && current === "") continue;
    if (line === "") continue;
    if (line.endsWith("\\")) { current += line.slice(0, -1) + " "; continue; }
    logical.push((current + line).trim());
    current = "";
  }
  const stages: Stage[] = [];
  const args: Record<string, string> = {};
  for (const l of logical) {
    const [instr, ...rest] = l.split(/\s+/);
    const body = rest.join(" ");
    if (instr === "ARG" && stages.length === 0) {
      const [k, v] = body.split("=");
      if (k && v) args[k] = v;
    } else if (instr === "FROM") {
      const m = body.match(/^(\S+)(?:\s+AS\s+(\S+))?$/i)!;
      const from = m[1]!.replace(/\$\{(\w+)\}/g, (_, k: string) => args[k] ?? "");
      stages.push({ from, name: m[2], lines: [] });
    } else {
      stages.at(-1)?.lines.push(l);
    }
  }
  return stages;
}

const instructions = (stage: Stage, instr: string) =>
  stage.lines.filter((l) => l.startsWith(instr + " ")).map((l) => l.slice(instr.length + 1).trim());

function dockerfileOf(name: string): string {
  if (name === "web-customer") return "web/customer.Dockerfile";
  if (name === "web-admin") return "web/admin.Dockerfile";
  if (name === "gateway") return "gateway/Dockerfile";
  return `svc/${name}/Dockerfile`;
}

const bunImages = DEPLOYABLES.filter((d) => d.component !== "web");

/**
 * Images also started from their replayed tree: the gateway (no dependencies) and inventory (PostgreSQL
 * and RabbitMQ of this machine, in a database and a vhost of its own).
 */
const RUN_FROM_IMAGE: Record<string, (runtime: string) => Promise<void>> = {
  gateway: (runtime) => runImage("gateway", runtime, {
    GATEWAY_ROUTES: join(runtime, "gateway/ocelot.json"),
    OIDC_ISSUER: "http://localhost:8180/realms/meridian",
    OIDC_JWKS_URL: "http://127.0.0.1:9/realms/meridian/protocol/openid-connect/certs",
  }),
  inventory: async (runtime) => {
    const db = await createTestDatabase("image_inventory");
    const vhost = uniqueName("image-inventory");
    expect(run(["rabbitmqctl", "-q", "add_vhost", vhost]).code).toBe(0);
    run(["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"]);
    try {
      await runImage("inventory", runtime, {
        DATABASE_URL: db.url,
        RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(vhost)}`,
        OIDC_ISSUER: "http://localhost:8180/realms/meridian",
        OIDC_JWKS_URL: "http://127.0.0.1:9/realms/meridian/protocol/openid-connect/certs",
      });
    } finally {
      run(["rabbitmqctl", "-q", "delete_vhost", vhost]);
      await db.drop();
    }
  },
};
const scratch: string[] = [];
afterAll(() => { for (const dir of scratch) run(["rm", "-rf", dir]); }, 120_000);

describe("Dockerfile rules", () => {
  test.each(DEPLOYABLES.map((d) => d.name))("when %s's Dockerfile is read, then it is multi-stage on pinned bases and runs non-root", (name) => {
    const path = join(REPO_ROOT, dockerfileOf(name));
    expect(existsSync(path), path).toBe(true);
    const stages = parseDockerfile(path);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) {
      // Every base carries an exact version (no :latest, no bare major).
      expect(s.from, `${name} FROM`).toMatch(/^[\w./-]+:(v?\d+\.\d+\.\d+|\d+\.\d+\.\d+-[\w.-]+)$/);
    }
    const runtime = stages.at(-1)!;
    const user = instructions(runtime, "USER").at(-1);
    expect(user, `${name} USER`).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    const d = DEPLOYABLES.find((x) => x.name === name)!;
    if (d.port) {
      expect(instructions(runtime, "EXPOSE")).toContain(String(d.port));
      expect(instructions(runtime, "HEALTHCHECK").join(" "), `${name} HEALTHCHECK`).toContain(`127.0.0.1:${d.port}/health/live`);
    }
  });

  test.each(bunImages.map((d) => d.name))("when %s's Dockerfile is read, then Bun is pinned to the repository's version and only its workspace's production deps install", (name) => {
    const d = DEPLOYABLES.find((x) => x.name === name)!;
    const stages = parseDockerfile(join(REPO_ROOT, dockerfileOf(name)));
    const bunVersion = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).engines.bun as string;
    for (const s of stages) expect(s.from).toMatch(new RegExp(`^oven/bun:${bunVersion.replaceAll(".", "\\.")}-(slim|distroless)$`));
    expect(stages.at(-1)!.from).toEndWith("-distroless");
    const pkgName = JSON.parse(readFileSync(join(REPO_ROOT, d.source, "package.json"), "utf8")).name as string;
    const install = stages.flatMap((s) => instructions(s, "RUN")).find((r) => r.includes("bun install"));
    expect(install).toContain(`bun install --production --frozen-lockfile --filter ${pkgName}`);
    // Every workspace the service depends on in production is in the runtime stage, sources and deps.
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, d.source, "package.json"), "utf8"));
    const workspaceDeps = Object.entries(pkg.dependencies ?? {}).filter(([, v]) => String(v).startsWith("workspace:"))
      .map(([k]) => `svc/${k.replace("@meridian/", "")}`);
    const copies = instructions(stages.at(-1)!, "COPY").join("\n");
    for (const dir of [...workspaceDeps, d.source]) {
      expect(copies, `${name} runtime copies ${dir}`).toMatch(new RegExp(`^${dir}(/src)? \\./${dir}(/src)?$`, "m"));
      expect(copies, `${name} runtime copies ${dir}/node_modules`).toContain(`--from=deps /app/${dir}/node_modules ./${dir}/node_modules`);
    }
    const entry = JSON.parse(instructions(stages.at(-1)!, "ENTRYPOINT")[0]!) as string[];
    expect(entry[0]).toBe("bun");
    expect(existsSync(join(REPO_ROOT, entry[1]!)), `entry ${entry[1]}`).toBe(true);
  });

  test("when the web Dockerfiles are read, then they build with the pinned Node 24 and serve with unprivileged nginx", () => {
    for (const app of ["customer", "admin"]) {
      const stages = parseDockerfile(join(REPO_ROOT, `web/${app}.Dockerfile`));
      expect(stages[0]!.from).toMatch(/^node:24\.\d+\.\d+-bookworm-slim$/);
      expect(stages.at(-1)!.from).toMatch(/^nginxinc\/nginx-unprivileged:\d+\.\d+\.\d+-alpine-slim$/);
      const runs = stages[0]!.lines.join("\n");
      expect(runs).toContain("npm ci");
      expect(runs).toContain(`ng build ${app}`);
      const copies = instructions(stages.at(-1)!, "COPY").join("\n");
      expect(copies).toContain(`web/nginx-${app}.conf /etc/nginx/templates/default.conf.template`);
      expect(copies).toContain(`/web/dist/${app}/browser /usr/share/nginx/html`);
    }
  });

  test("when .dockerignore is read, then node_modules, git, local tools and secrets stay out of the build context", () => {
    const ignore = readFileSync(join(REPO_ROOT, ".dockerignore"), "utf8").split("\n").map((l) => l.trim());
    for (const p of ["**/node_modules", ".git", ".tools", ".env", "**/test"]) expect(ignore).toContain(p);
    // The manifests stage needs every workspace's package.json for --frozen-lockfile.
    for (const p of ["!k8s/package.json", "!mesh/package.json", "!bench/package.json"]) expect(ignore).toContain(p);
  });
});

/** Replays the manifests, deps and runtime stages of a Bun Dockerfile; returns the runtime tree. */
function replay(name: string): string {
  const stages = parseDockerfile(join(REPO_ROOT, dockerfileOf(name)));
  const root = mkdtempSync(join(tmpdir(), `meridian-image-${name}-`));
  scratch.push(root);
  const dirs: Record<string, string> = {};
  for (const stage of stages) {
    const dir = join(root, stage.name ?? "stage");
    mkdirSync(dir, { recursive: true });
    dirs[stage.name ?? ""] = dir;
    for (const line of stage.lines) {
      const [instr] = line.split(" ", 1);
      const body = line.slice(instr!.length + 1).trim();
      if (instr === "RUN") {
        // Stage-absolute paths (/manifests, /app) point into this replay's folders.
        const script = body.replaceAll("/manifests", join(root, "manifests-out")).replaceAll("/app/", `${dir}/`);
        const cwd = stage.name === "manifests" ? REPO_ROOT : dir;
        const r = run(["bash", "-c", `set -e; ${script}`], cwd);
        if (r.code !== 0) throw new Error(`${name}: RUN failed in stage ${stage.name}: ${script}\n${r.stderr}`);
      } else if (instr === "COPY") {
        if (stage.name === "manifests") continue; // its RUN reads the repository directly
        const parts = body.split(/\s+/);
        const fromStage = parts[0]!.startsWith("--from=") ? parts.shift()!.slice("--from=".length) : undefined;
        const destRaw = parts.pop()!;
        // Docker: several sources or a trailing slash make the destination a folder; a source folder's
        // contents (not the folder) are copied.
        const intoFolder = parts.length > 1 || destRaw.endsWith("/");
        const dest = join(dir, destRaw);
        for (const src of parts) {
          const from = fromStage
            ? (src.startsWith("/manifests") ? src.replace("/manifests", join(root, "manifests-out")) : src.replace(/^\/app/, dirs[fromStage]!))
            : join(REPO_ROOT, src);
          const target = !statSync(from).isDirectory() && intoFolder ? join(dest, basename(from)) : dest;
          mkdirSync(statSync(from).isDirectory() ? target : dirname(target), { recursive: true });
          if (fromStage) {
            // Between stages: cp -a keeps the isolated install's relative symlinks (and is fast).
            const r = run(["cp", "-a", statSync(from).isDirectory() ? `${from}/.` : from, target]);
            if (r.code !== 0) throw new Error(`${name}: COPY --from=${fromStage} ${src} failed: ${r.stderr}`);
          } else {
            cpSync(from, target, { recursive: true,
              // .dockerignore keeps node_modules and test folders out of the build context.
              filter: (p) => !/\/(node_modules|test)(\/|$)/.test(p.slice(REPO_ROOT.length)) });
          }
        }
      }
    }
  }
  return dirs.runtime!;
}

/** ENV of the runtime stage (KEY=value pairs). */
function imageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const body of instructions(stage, "ENV")) {
    for (const m of body.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)) env[m[1]!] = m[2]!.replace(/^"|"$/g, "");
  }
  return env;
}

async function freePort(): Promise<number> {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port!;
  await probe.stop(true);
  return port;
}

/**
 * Runs the replayed image as the image would: its ENTRYPOINT and ENV, from the runtime tree (the image's
 * /app), as the image's uid (10001, which owns nothing there: the tree is as good as read-only to it),
 * until /health/ready answers; then SIGTERM must end it cleanly.
 */
async function runImage(name: string, runtime: string, env: Record<string, string>): Promise<void> {
  const stage = parseDockerfile(join(REPO_ROOT, dockerfileOf(name))).at(-1)!;
  const [uid, gid] = instructions(stage, "USER").at(-1)!.split(":");
  const entry = JSON.parse(instructions(stage, "ENTRYPOINT")[0]!) as string[];
  for (let dir = runtime; dir !== tmpdir() && dir !== "/"; dir = dirname(dir)) chmodSync(dir, 0o755);
  const port = await freePort();
  const child = Bun.spawn(["setpriv", `--reuid=${uid}`, `--regid=${gid ?? uid}`, "--clear-groups", "--", ...entry], {
    cwd: runtime,
    env: { PATH: process.env.PATH!, ...imageEnv(stage), HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn", SHUTDOWN_GRACE_MS: "3000", ...env },
    stdout: "pipe", stderr: "pipe",
  });
  let output: string | undefined;
  const logs = async () => (output ??= (await new Response(child.stdout).text()) + (await new Response(child.stderr).text()));
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${(await logs()).slice(-1500)}`);
      return (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.ok;
    }, { timeoutMs: 45_000, what: `${name} from its image tree` });
    child.kill("SIGTERM");
    expect(await child.exited, `${name} exit code after SIGTERM`).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}

describe("image contents (stages replayed without Docker)", () => {
  test.each(bunImages.map((d) => d.name))("when %s's stages are replayed, then its entry bundles from the production install alone (gateway, inventory: and it serves as the image's uid)", async (name) => {
    const runtime = replay(name);
    const stages = parseDockerfile(join(REPO_ROOT, dockerfileOf(name)));
    const entry = (JSON.parse(instructions(stages.at(-1)!, "ENTRYPOINT")[0]!) as string[])[1]!;
    // No test files, no dev tooling in the image.
    expect(existsSync(join(runtime, "node_modules/.bun"))).toBe(true);
    const store = run(["ls", join(runtime, "node_modules/.bun")]).stdout;
    expect(store).not.toMatch(/^(typescript|bun-types|drizzle-kit)@/m);
    expect(existsSync(join(runtime, dirname(dirname(entry)), "test"))).toBe(false);
    const out = join(dirname(runtime), "bundle");
    const r = run(["bun", "build", "--target=bun", "--outdir", out, entry], runtime);
    try {
      expect(r.stderr + r.stdout, `${name} bundle`).toContain("Bundled");
      expect(r.code).toBe(0);
      const start = RUN_FROM_IMAGE[name];
      if (start) await start(runtime);
    } finally {
      run(["rm", "-rf", dirname(runtime)]);
    }
  }, 180_000);
});
