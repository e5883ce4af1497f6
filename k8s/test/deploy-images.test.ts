/**
 * The images, without a Docker engine. There are two Dockerfiles: `Dockerfile` for every Bun process and
 * `web/Dockerfile` for the Angular apps, each process named by the build args (and target) of its
 * compose.yml build section. For every deployable, the Dockerfile is read with those args (dockerfile.ts
 * substitutes and scopes them as BuildKit does) and checked for the rules: pinned multi-stage bases, a
 * production-only install of its workspace, non-root, HEALTHCHECK for servers, an entry that exists. Then
 * each Bun image is built on this machine: the build context as .dockerignore leaves it, the manifests,
 * deps, sources and bundle stages' RUN lines run (the bundle stage's `bun build` fails if any import the
 * process makes at run time is missing from the image tree), the COPY lines copied. The runtime holds the
 * bundle and the workspaces' run-time files, no sources and no node_modules. The gateway, inventory and
 * inventory-worker images run that bundle as the image's uid (which owns nothing in the tree) with its ENV
 * until /health/ready answers — the migrations and route table found from the bundle —, their HEALTHCHECK
 * command is run against them, and they stop on SIGTERM; the console runs its default command.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { createTestDatabase, freePort, uniqueName, waitFor } from "@meridian/kit/testing";
import { DEPLOYABLES, REPO_ROOT, run, type Deployable } from "./deploy-support";
import { Dockerfile, type ImageConfig, materializeContext, replayBuild } from "./dockerfile";

// Tools run as child processes on a shared 2-core machine: allow them time (bunfig is not read from here).
setDefaultTimeout(60_000);

interface Build {
  context: string;
  dockerfile: string;
  target?: string;
  args?: Record<string, string>;
}
const compose = parse(readFileSync(join(REPO_ROOT, "compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, { build?: Build }>;
};

function buildOf(name: string): Build {
  const build = compose.services[name]?.build;
  if (!build) throw new Error(`compose.yml has no build section for ${name}`);
  return build;
}

function dockerfileOf(name: string): Dockerfile {
  const build = buildOf(name);
  return new Dockerfile(join(REPO_ROOT, build.context, build.dockerfile), build.args ?? {});
}

const bunImages = DEPLOYABLES.filter((d) => d.component !== "web");
const webImages = DEPLOYABLES.filter((d) => d.component === "web");
const BUN_VERSION = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).engines.bun as string;
const WORKSPACE_DIRS: Record<string, string> = Object.fromEntries(
  [...readdirSync(join(REPO_ROOT, "svc")).map((d) => `svc/${d}`), "gateway"]
    .filter((dir) => existsSync(join(REPO_ROOT, dir, "package.json")))
    .map((dir) => [JSON.parse(readFileSync(join(REPO_ROOT, dir, "package.json"), "utf8")).name as string, dir]),
);

/** The workspaces a workspace needs at run time: itself and its production workspace dependencies, transitively. */
function runtimeWorkspaces(dir: string, seen = new Set<string>()): Set<string> {
  if (seen.has(dir)) return seen;
  seen.add(dir);
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, dir, "package.json"), "utf8"));
  for (const [name, version] of Object.entries(pkg.dependencies ?? {})) {
    if (!String(version).startsWith("workspace:")) continue;
    const depDir = WORKSPACE_DIRS[name];
    if (!depDir) throw new Error(`${dir} depends on ${name}, which is no workspace under svc/ or gateway/`);
    runtimeWorkspaces(depDir, seen);
  }
  return seen;
}

describe("Dockerfile rules", () => {
  test("when the repository's Dockerfiles are listed, then there is one for the Bun processes and one for the web apps", () => {
    const listed = run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", "*Dockerfile*"])
      .stdout.split("\n")
      .filter((p) => p !== "" && existsSync(join(REPO_ROOT, p)));
    expect(listed.sort()).toEqual(["Dockerfile", "web/Dockerfile"]);
    for (const d of DEPLOYABLES) {
      expect(buildOf(d.name).context, `${d.name} build context`).toBe(".");
      expect(buildOf(d.name).dockerfile, `${d.name} Dockerfile`).toBe(d.component === "web" ? "web/Dockerfile" : "Dockerfile");
    }
  });

  test.each(DEPLOYABLES.map((d) => d.name))(
    "when %s's image is read with its build args, then it is multi-stage on pinned bases and runs non-root",
    (name) => {
      const file = dockerfileOf(name);
      const target = buildOf(name).target;
      const stages = file.needed(target);
      expect(stages.length).toBeGreaterThanOrEqual(2);
      for (const s of stages.filter((x) => !x.parent)) {
        // Every base carries an exact version (no :latest, no bare major), build args substituted.
        expect(s.from, `${name} FROM`).toMatch(/^[\w./-]+:(v?\d+\.\d+\.\d+|\d+\.\d+\.\d+-[\w.-]+)$/);
      }
      const config = file.config(target);
      expect(config.user, `${name} USER`).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
      const d = DEPLOYABLES.find((x) => x.name === name)!;
      if (d.port) {
        expect(config.expose).toContain(String(d.port));
        expect(config.healthcheck?.join(" "), `${name} HEALTHCHECK`).toContain("/health/live");
      } else {
        expect(config.healthcheck, `${name} has no server to check`).toBeUndefined();
      }
    },
  );

  test.each(bunImages.map((d) => d.name))(
    "when %s's build args are read, then they name its workspace, the workspaces it imports, its port, and Bun's pinned distroless image runs it as uid 10001",
    (name) => {
      const d = DEPLOYABLES.find((x) => x.name === name)!;
      const { args = {}, target } = buildOf(name);
      expect(args.SERVICE).toBe(name);
      expect(args.WORKSPACE).toBe(d.source);
      const extras = (args.EXTRA_WORKSPACES ?? "").split(/\s+/).filter(Boolean).sort();
      const needed = [...runtimeWorkspaces(d.source)].filter((w) => w !== d.source && w !== "svc/kit").sort();
      expect(extras, `${name} EXTRA_WORKSPACES: its production workspace dependencies besides the kit`).toEqual(needed);
      expect(target).toBe(d.port ? "server" : "cli");
      expect(args.PORT).toBe(d.port ? String(d.port) : undefined);

      const file = dockerfileOf(name);
      for (const s of file.needed(target).filter((x) => !x.parent)) {
        expect(s.from).toMatch(new RegExp(`^oven/bun:${BUN_VERSION.replaceAll(".", "\\.")}-(slim|distroless)$`));
      }
      let runtime = file.stage(target);
      while (runtime.parent) runtime = runtime.parent;
      expect(runtime.from).toEndWith("-distroless");
      // Production dependencies of this workspace only, through the path filter the RUN gets from WORKSPACE.
      const install = file
        .needed(target)
        .flatMap((s) => s.instructions)
        .find((i) => i.instr === "RUN" && i.args.includes("bun install"))!;
      expect(install.args).toContain(`bun install --production --frozen-lockfile --filter "./\${WORKSPACE}"`);
      expect(install.vars.WORKSPACE).toBe(d.source);

      const config = file.config(target);
      expect(config.user).toBe("10001:10001");
      expect(config.env).toMatchObject({
        NODE_ENV: "production",
        HOME: "/tmp",
        BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0",
        OTEL_SERVICE_NAME: name,
      });
      expect(config.workdir).toBe(`/app/${d.source}`);
      // The bundle of the workspace's src/main.ts, built in the bundle stage.
      expect(config.entrypoint).toEqual(["bun", "dist/main.js"]);
      expect(existsSync(join(REPO_ROOT, d.source, "src/main.ts"))).toBe(true);
      const bundle = file.stage("bundle").instructions.find((i) => i.instr === "RUN" && i.args.includes("bundle.ts"))!;
      expect(bundle.args).toContain(`bun /build/bundle.ts "\${WORKSPACE}" "/image/\${WORKSPACE}/dist"`);
      expect(bundle.vars.WORKSPACE).toBe(d.source);
      if (d.port) {
        expect(config.env).toMatchObject({ HOST: "0.0.0.0", PORT: String(d.port) });
      } else {
        expect(config.cmd, "the CLI's default command").toEqual(["--help"]);
      }
    },
  );

  test.each(webImages.map((d) => d.name))(
    "when %s's image is read with its build args, then it builds its app with the pinned Node 24 and serves it with unprivileged nginx",
    (name) => {
      const { args = {}, target } = buildOf(name);
      const app = name.replace(/^web-/, "");
      expect(args.APP).toBe(app);
      const file = dockerfileOf(name);
      const stages = file.needed(target);
      expect(stages[0]!.from).toMatch(/^node:24\.\d+\.\d+-bookworm-slim$/);
      expect(file.stage(target).from).toMatch(/^nginxinc\/nginx-unprivileged:\d+\.\d+\.\d+-alpine-slim$/);
      const runs = stages[0]!.instructions.filter((i) => i.instr === "RUN");
      expect(runs.map((i) => i.args).join("\n")).toContain("npm ci");
      const build = runs.find((i) => i.args.includes("ng build"))!;
      expect(build.args).toContain(`ng build "\${APP}" --configuration production`);
      // V8's compile hint on the start-up scripts (web/compile-hints.ts) is part of every build.
      expect(build.args).toContain(`node compile-hints.ts "dist/\${APP}/browser"`);
      expect(build.vars.APP).toBe(app);
      const angular = JSON.parse(readFileSync(join(REPO_ROOT, "web/angular.json"), "utf8"));
      expect(Object.keys(angular.projects), "an Angular project of that name").toContain(app);
      const copies = file
        .stage(target)
        .instructions.filter((i) => i.instr === "COPY")
        .map((i) => i.args)
        .join("\n");
      expect(copies).toContain(`web/nginx-${app}.conf /etc/nginx/templates/default.conf.template`);
      expect(existsSync(join(REPO_ROOT, `web/nginx-${app}.conf`))).toBe(true);
      expect(copies).toContain(`/web/dist/${app}/browser /usr/share/nginx/html`);
      // Each app's nginx template finds its variables in the image's defaults.
      const template = readFileSync(join(REPO_ROOT, `web/nginx-${app}.conf`), "utf8");
      const env = file.config(target).env;
      for (const key of DEPLOYABLES.find((x) => x.name === name)!.requiredEnv) {
        expect(template, `nginx-${app}.conf uses ${key}`).toContain(`\${${key}}`);
        expect(env[key], `default ${key}`).toBeTruthy();
      }
    },
  );

  test("when .dockerignore is read, then node_modules, git, local tools and secrets stay out of the build context", () => {
    const ignore = readFileSync(join(REPO_ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim());
    for (const p of ["**/node_modules", ".git", ".tools", ".env", "**/test"]) expect(ignore).toContain(p);
    // The manifests stage needs every workspace's package.json for --frozen-lockfile.
    for (const p of ["!k8s/package.json", "!mesh/package.json", "!bench/package.json", "!e2e/package.json"]) expect(ignore).toContain(p);
  });
});

/** The build context (as .dockerignore leaves it), made once for every replay below. */
const scratch = mkdtempSync(join(tmpdir(), "meridian-images-"));
const context = join(scratch, "context");
beforeAll(() => materializeContext(REPO_ROOT, context), 60_000);
afterAll(() => {
  run(["rm", "-rf", scratch]);
}, 120_000);

test("when the build context is made, then it has the sources and every workspace manifest but no tests, node_modules or secrets", () => {
  for (const p of [
    "package.json",
    "bun.lock",
    "svc/kit/src/index.ts",
    "gateway/ocelot.json",
    "k8s/package.json",
    "e2e/package.json",
    "web/nginx.conf",
    "scripts/bundle.ts",
  ]) {
    expect(existsSync(join(context, p)), p).toBe(true);
  }
  for (const p of ["node_modules", "svc/orders/test", "svc/kit/node_modules", ".git", ".env", "k8s/charts", "docs", "scripts/up.sh"]) {
    expect(existsSync(join(context, p)), p).toBe(false);
  }
});

test("when the Bun image is built without naming its process, then the build fails saying which build arg is missing", () => {
  const work = mkdtempSync(join(scratch, "no-args-"));
  const file = new Dockerfile(join(REPO_ROOT, "Dockerfile"), { WORKSPACE: "svc/orders" });
  expect(() => replayBuild(file, context, work, "sources")).toThrow(/SERVICE is required/);
  const noWorkspace = new Dockerfile(join(REPO_ROOT, "Dockerfile"), { SERVICE: "orders" });
  expect(() => replayBuild(noWorkspace, context, work, "sources")).toThrow(/WORKSPACE is required/);
});

/** A command run in the image tree as the image's uid (10001, which owns nothing there) with its ENV. */
function spawnAsImage(root: string, config: ImageConfig, cmd: string[], env: Record<string, string>) {
  const [uid, gid] = config.user!.split(":");
  for (let dir = root; dir !== tmpdir() && dir !== "/"; dir = dirname(dir)) chmodSync(dir, 0o755);
  return Bun.spawn(["setpriv", `--reuid=${uid}`, `--regid=${gid ?? uid}`, "--clear-groups", "--", ...cmd], {
    cwd: join(root, config.workdir),
    env: { PATH: process.env.PATH!, ...config.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
}

/**
 * Runs the built image as Docker would: its ENTRYPOINT, ENV and working folder, as its uid, until
 * /health/ready answers; its HEALTHCHECK command must then pass; SIGTERM must end it cleanly.
 * Absolute paths of the image (/app/...) are given below `root` through `env`.
 */
async function runServer(name: string, root: string, config: ImageConfig, env: Record<string, string>): Promise<void> {
  const port = await freePort();
  const processEnv = { HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn", SHUTDOWN_GRACE_MS: "3000", ...env };
  const child = spawnAsImage(root, config, [...config.entrypoint!, ...(config.cmd ?? [])], processEnv);
  let output: string | undefined;
  const logs = async () => (output ??= (await new Response(child.stdout).text()) + (await new Response(child.stderr).text()));
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${(await logs()).slice(-1500)}`);
        return (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.ok;
      },
      { timeoutMs: 45_000, what: `${name} from its image tree` },
    );
    const check = spawnAsImage(root, config, config.healthcheck!, processEnv);
    expect(await check.exited, `${name} HEALTHCHECK exit code`).toBe(0);
    child.kill("SIGTERM");
    expect(await child.exited, `${name} exit code after SIGTERM`).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}

const OIDC = {
  OIDC_ISSUER: "http://localhost:8180/realms/meridian",
  OIDC_JWKS_URL: "http://127.0.0.1:9/realms/meridian/protocol/openid-connect/certs",
};

/**
 * Images also started from their built tree: the gateway (no dependencies), inventory (PostgreSQL and
 * RabbitMQ of this machine, in a database and a vhost of its own) and the console (its default command).
 */
const RUN_FROM_IMAGE: Record<string, (root: string, config: ImageConfig) => Promise<void>> = {
  // GATEWAY_ROUTES unset: its default, the image's ocelot.json, is found from the bundle.
  gateway: (root, config) => runServer("gateway", root, config, OIDC),
  inventory: (root, config) => runWithInventoryDatabase("inventory", root, config),
  // The worker migrates the inventory database too: from svc/inventory/drizzle, an extra workspace's files.
  "inventory-worker": (root, config) => runWithInventoryDatabase("inventory-worker", root, config),
  "notifications-console": async (root, config) => {
    const child = spawnAsImage(root, config, [...config.entrypoint!, ...(config.cmd ?? [])], {});
    const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain("Usage:");
  },
};

/** A server on a fresh database of its own (migrated by its start) and a RabbitMQ vhost of its own. */
async function runWithInventoryDatabase(name: string, root: string, config: ImageConfig): Promise<void> {
  const db = await createTestDatabase(`image_${name}`);
  const vhost = uniqueName(`image-${name}`);
  expect(run(["rabbitmqctl", "-q", "add_vhost", vhost]).code).toBe(0);
  run(["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"]);
  try {
    await runServer(name, root, config, {
      DATABASE_URL: db.url,
      RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(vhost)}`,
      ...OIDC,
    });
    const migrated = run(["psql", db.url, "-tAc", "SELECT count(*) FROM information_schema.tables WHERE table_name = 'products'"]);
    expect(migrated.stdout.trim(), `${name} migrated the inventory database from its image`).toBe("1");
  } finally {
    run(["rabbitmqctl", "-q", "delete_vhost", vhost]);
    await db.drop();
  }
}

/** The workspaces whose run-time files the image holds: the process's and its extra ones (the kit has none). */
/** The workspace folders under the image's /app. */
function workspacesIn(app: string): string[] {
  const svc = existsSync(join(app, "svc")) ? readdirSync(join(app, "svc")).map((x) => `svc/${x}`) : [];
  return [...svc, ...(existsSync(join(app, "gateway")) ? ["gateway"] : [])];
}

function expectedWorkspaces(d: Deployable): string[] {
  return [...runtimeWorkspaces(d.source)].filter((w) => w !== "svc/kit").sort();
}

describe("image contents (built without Docker)", () => {
  test.each(bunImages.map((d) => d.name))(
    "when %s's image is built, then it holds its bundle and its workspaces' run-time files only, bundled from a production install (gateway, inventory, inventory-worker, console: and the bundle runs as the image's uid)",
    async (name) => {
      const d = DEPLOYABLES.find((x) => x.name === name)!;
      const file = dockerfileOf(name);
      const { target } = buildOf(name);
      const work = mkdtempSync(join(scratch, `${name}-`));
      try {
        const root = replayBuild(file, context, work, target);
        const config = file.config(target);
        const app = join(root, "app");
        // Its workspaces' run-time files and its bundle; no sources, tests, dependencies or dev tooling.
        const present = workspacesIn(app);
        expect(present.sort()).toEqual(expectedWorkspaces(d));
        expect(readFileSync(join(root, config.workdir, config.entrypoint![1]!), "utf8").slice(0, 100)).toContain("// @bun\n");
        for (const kind of ["src", "test", "node_modules"]) expect(run(["find", app, "-name", kind]).stdout, kind).toBe("");
        expect(run(["find", app, "-name", "*.ts"]).stdout).toBe("");
        // Each workspace's run-time files (drizzle/ migrations, ocelot.json, …): what it holds besides code and tests.
        for (const ws of expectedWorkspaces(d)) {
          const files = (dir: string, skip: (entry: string) => boolean) =>
            readdirSync(dir)
              .filter((e) => !skip(e))
              .sort();
          const code = (e: string) => ["src", "test", "node_modules", "dist", "tsconfig.json"].includes(e) || e.endsWith(".ts");
          expect(
            files(join(app, ws), (e) => e === "dist"),
            ws,
          ).toEqual(files(join(REPO_ROOT, ws), code));
        }
        // The bundle was built from the production install of its workspace.
        const store = run(["ls", join(work, "bundle", "app/node_modules/.bun")]).stdout;
        expect(store).toContain("elysia@");
        expect(store).not.toMatch(/^(typescript|bun-types|drizzle-kit|@types\+)/m);
        expect(run(["find", join(work, "bundle", "app/node_modules/.bun"), "-name", "*.d.ts", "-type", "f"]).stdout).toBe("");
        await RUN_FROM_IMAGE[name]?.(root, config);
      } finally {
        run(["rm", "-rf", work]);
      }
    },
    180_000,
  );
});
