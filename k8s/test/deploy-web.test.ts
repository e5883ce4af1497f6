/**
 * The web images' nginx configuration, run for real: web/nginx.conf plus the site file rendered the way
 * the nginx image's entrypoint renders it (envsubst of the defined ${VARS}), served by this machine's
 * nginx on a loopback port over a stand-in build, with a loopback upstream standing in for the gateway
 * or the admin BFF.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, tools, waitFor } from "@meridian/kit/testing";
import { REPO_ROOT } from "./deploy-support";

// Tools run as child processes on a shared 2-core machine: allow them time (bunfig is not read from here).
setDefaultTimeout(60_000);

interface Seen {
  method: string;
  path: string;
  authorization: string | null;
  forwardedProto: string | null;
}

interface Site {
  base: string;
  seen: Seen[];
  stop(): Promise<void>;
}

/** Starts nginx with web/nginx.conf and web/nginx-<app>.conf as the image would, over a stand-in build. */
async function startSite(app: "customer" | "admin", env: (upstream: string) => Record<string, string>): Promise<Site> {
  const seen: Seen[] = [];
  const upstream = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req) {
      const url = new URL(req.url);
      seen.push({
        method: req.method,
        path: url.pathname + url.search,
        authorization: req.headers.get("authorization"),
        forwardedProto: req.headers.get("x-forwarded-proto"),
      });
      return Response.json({ upstream: true, path: url.pathname });
    },
  });
  const dir = mkdtempSync(join(tmpdir(), `meridian-nginx-${app}-`));
  const html = join(dir, "html");
  mkdirSync(join(html, "assets"), { recursive: true });
  writeFileSync(join(html, "index.html"), `<!doctype html><title>${app} shell</title><app-root></app-root>`);
  writeFileSync(join(html, "main-ABC123.js"), "console.log('main')");
  writeFileSync(join(html, "ngsw.json"), "{}");
  // nginx started as root serves from unprivileged workers: they need to read the stand-in build.
  chmodSync(dir, 0o755);
  const port = await freePort();

  let site = readFileSync(join(REPO_ROOT, `web/nginx-${app}.conf`), "utf8");
  for (const [name, value] of Object.entries(env(`http://127.0.0.1:${upstream.port}`))) site = site.replaceAll(`\${${name}}`, value);
  expect(site).not.toMatch(/\$\{[A-Z_]+\}/); // every template variable is provided by the image/chart/compose
  site = site.replace("listen 8080;", `listen 127.0.0.1:${port};`).replace("root /usr/share/nginx/html;", `root ${html};`);
  writeFileSync(join(dir, "default.conf"), site);
  const main = readFileSync(join(REPO_ROOT, "web/nginx.conf"), "utf8")
    .replace(/\/tmp\/([\w.]+)/g, (_, file: string) => join(dir, file)) // pid, temp paths, the rendered site
    .replace("access_log /dev/stdout json;", `access_log ${join(dir, "access.log")} json;`);
  writeFileSync(join(dir, "nginx.conf"), main);

  const proc = Bun.spawn([tools.nginx, "-p", dir, "-c", join(dir, "nginx.conf"), "-e", "stderr", "-g", "daemon off;"], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const base = `http://127.0.0.1:${port}`;
  let exitReport: string | undefined;
  await waitFor(
    async () => {
      if (proc.exitCode !== null) {
        exitReport ??= `nginx exited ${proc.exitCode}: ${await new Response(proc.stderr).text()}`;
        throw new Error(exitReport);
      }
      return (await fetch(`${base}/health/live`).catch(() => undefined))?.ok;
    },
    { timeoutMs: 15_000, what: `nginx for ${app}` },
  );
  return {
    base,
    seen,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      await upstream.stop(true);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe("customer SPA nginx", () => {
  let site: Site;
  const issuer = "http://localhost:8180/realms/meridian";
  beforeAll(async () => {
    site = await startSite("customer", (u) => ({ API_UPSTREAM: u, OIDC_ISSUER: issuer }));
  }, 30_000);
  afterAll(async () => {
    await site?.stop();
  });

  test("when the probes ask, then /health/live and /health/ready answer 200", async () => {
    for (const path of ["/health/live", "/health/ready"]) expect((await fetch(site.base + path)).status).toBe(200);
  });

  test("when the app starts, then /config.json gives the environment's issuer, uncached", async () => {
    const res = await fetch(`${site.base}/config.json`);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ issuer, clientId: "customer-spa", apiBase: "/api" });
  });

  test("when a client-side route is loaded, then the app shell answers, revalidated and unframeable", async () => {
    const res = await fetch(`${site.base}/orders/8d1f7c2e`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("customer shell");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
  });

  test("when a hashed bundle is loaded, then it is cached for a year; a missing one is 404, not the shell", async () => {
    const res = await fetch(`${site.base}/main-ABC123.js`);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect((await fetch(`${site.base}/main-GONE.js`)).status).toBe(404);
  });

  test("when the SPA calls /api/..., then the gateway gets the route without /api, with query and token", async () => {
    const res = await fetch(`${site.base}/api/orders/mine?page=2`, { headers: { authorization: "Bearer t0ken" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ upstream: true, path: "/orders/mine" });
    expect(site.seen.at(-1)).toEqual({ method: "GET", path: "/orders/mine?page=2", authorization: "Bearer t0ken", forwardedProto: "http" });
  });
});

describe("admin PWA nginx", () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite("admin", (u) => ({ BFF_UPSTREAM: u }));
  }, 30_000);
  afterAll(async () => {
    await site?.stop();
  });

  test("when the app signs in or calls the API, then /auth/* and /api/* reach the BFF unchanged", async () => {
    await fetch(`${site.base}/auth/login?returnTo=%2Finventory`, { redirect: "manual" });
    await fetch(`${site.base}/api/orders?status=pending`, { method: "POST", body: "{}" });
    expect(site.seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      "GET /auth/login?returnTo=%2Finventory",
      "POST /api/orders?status=pending",
    ]);
  });

  test("when the service worker checks for updates, then ngsw.json is revalidated every time", async () => {
    const res = await fetch(`${site.base}/ngsw.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-cache");
  });

  test("when a deep link is opened, then the app shell answers, scripts limited to its own origin", async () => {
    const res = await fetch(`${site.base}/inventory/SKU-1`);
    expect(await res.text()).toContain("admin shell");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
  });
});
