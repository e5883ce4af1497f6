/**
 * End to end on loopback: real Prometheus (/usr/bin/prometheus, 1 s scrape and evaluation) loads the
 * compose prometheus.yml (targets rewritten to this run's ports) and every rule file, and scrapes the
 * platform's real processes (every service whose entry point is committed, started by the kit's platform
 * harness) plus the kit fixture app. Then: every target is up, the key metrics are there with the
 * `service` label equal to the job, every rule evaluates without error, and after a service is killed its
 * ServiceDown alert goes pending and firing (the test copy shortens only `for:`, the expression is the
 * file's) and reaches the real Alertmanager (alertmanager.yml with shorter group waits and a loopback
 * SMTP sink as smarthost), which routes it by severity and mails it with the receiver template.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { freePort, startTestIssuer, waitFor, type TestIssuer } from "@meridian/kit/testing";
import { DEFAULT_PROCESSES, startPlatform, type Platform, type ProcessName } from "@meridian/platform";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { DASHBOARD_DIR } from "../observability/dashboards/build";
import {
  listFiles,
  OBS_DIR,
  RULES_DIR,
  run,
  startKitApp,
  startSmtpSink,
  TOOLS,
  type KitApp,
  type RuleGroup,
  type SmtpSink,
} from "./observability-support";

const ENTRY: Record<string, string> = { gateway: "gateway/src/main.ts" };
const entryOf = (name: ProcessName) => ENTRY[name] ?? `svc/${name}/src/main.ts`;
/** Services whose entry point is committed: the e2e grows as services land. */
const SERVICES: ProcessName[] = DEFAULT_PROCESSES.filter((name) => run(["git", "ls-files", "--error-unmatch", entryOf(name)]).code === 0);

interface ScrapeConfig {
  job_name: string;
  static_configs: Array<{ targets: string[]; labels?: Record<string, string> }>;
  [k: string]: unknown;
}

let platform: Platform | undefined;
let issuer: TestIssuer | undefined;
let app: KitApp;
let prometheus: ReturnType<typeof Bun.spawn> | undefined;
let alertmanager: ReturnType<typeof Bun.spawn> | undefined;
let smtp: SmtpSink | undefined;
let promUrl = "";
let workDir = "";
const jobs = new Map<string, string>(); // job → target

async function promQuery<T = Array<{ metric: Record<string, string>; value: [number, string] }>>(query: string): Promise<T> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { status: string; data: { result: T }; error?: string };
  if (body.status !== "success") throw new Error(`query ${query}: ${body.error}`);
  return body.data.result;
}

interface Route {
  group_wait?: string;
  group_interval?: string;
  routes?: Route[];
}

/** alertmanager.yml as compose has it; only the smarthost (a loopback sink) and the waits differ. */
async function startAlertmanager(): Promise<number> {
  smtp = startSmtpSink();
  const config = parseYaml(readFileSync(join(OBS_DIR, "alertmanager/alertmanager.yml"), "utf8")) as {
    global: Record<string, unknown>;
    templates: string[];
    route: Route;
  };
  config.global.smtp_smarthost = `127.0.0.1:${smtp.port}`;
  config.templates = config.templates.map((t) => join(OBS_DIR, "alertmanager", t));
  const shorten = (route: Route) => {
    if (route.group_wait) route.group_wait = "1s";
    if (route.group_interval) route.group_interval = "1s";
    route.routes?.forEach(shorten);
  };
  shorten(config.route);
  writeFileSync(join(workDir, "alertmanager.yml"), toYaml(config));
  const port = await freePort();
  alertmanager = Bun.spawn(
    [
      TOOLS.alertmanager,
      `--config.file=${join(workDir, "alertmanager.yml")}`,
      `--storage.path=${join(workDir, "alertmanager")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      "--log.level=warn",
    ],
    { cwd: workDir, stdout: "ignore", stderr: Bun.file(join(workDir, "alertmanager.log")) },
  );
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/-/ready`).catch(() => undefined))?.ok, {
    timeoutMs: 15_000,
    intervalMs: 100,
    what: "Alertmanager to be ready",
  }).catch((error: Error) => {
    throw new Error(`${error.message}\n${readFileSync(join(workDir, "alertmanager.log"), "utf8").slice(-2000)}`);
  });
  return port;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "obs-e2e-"));
  issuer = await startTestIssuer();
  const [started, fixture] = await Promise.allSettled([
    SERVICES.length ? startPlatform({ processes: SERVICES, issuer: issuer.issuer, readyTimeoutMs: 30_000 }) : Promise.resolve(undefined),
    startKitApp({ messaging: false }),
  ]);
  // keep whatever started, so afterAll stops it even when the other half failed
  if (started.status === "fulfilled") platform = started.value;
  if (fixture.status === "fulfilled") app = fixture.value;
  for (const r of [started, fixture]) if (r.status === "rejected") throw r.reason;

  // prometheus.yml as compose has it, with this run's loopback ports and 1 s intervals.
  const config = parseYaml(readFileSync(join(OBS_DIR, "prometheus/prometheus.yml"), "utf8")) as {
    global: Record<string, unknown>;
    scrape_configs: ScrapeConfig[];
    rule_files: string[];
    alerting?: unknown;
  };
  const scrape: ScrapeConfig[] = [];
  for (const job of config.scrape_configs) {
    const proc = platform?.processes.get(job.job_name as ProcessName);
    if (!proc) continue; // not started here: the collector, Prometheus itself, services not landed yet
    jobs.set(job.job_name, `127.0.0.1:${proc.port}`);
    scrape.push({ ...job, static_configs: [{ targets: [jobs.get(job.job_name)!] }] });
  }
  jobs.set(app.service, `127.0.0.1:${app.port}`);
  const amPort = await startAlertmanager();
  scrape.push({ job_name: app.service, static_configs: [{ targets: [jobs.get(app.service)!] }] });
  config.scrape_configs = scrape;
  config.global = { ...config.global, scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" };
  config.alerting = { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] };

  // Every rule file, ServiceDown's `for:` shortened so the test need not wait 2 minutes.
  mkdirSync(join(workDir, "rules"));
  for (const file of listFiles(RULES_DIR, ".yml")) {
    const rules = parseYaml(readFileSync(file, "utf8")) as { groups: RuleGroup[] };
    for (const group of rules.groups) for (const rule of group.rules) if (rule.alert === "ServiceDown") rule.for = "2s";
    writeFileSync(join(workDir, "rules", basename(file)), toYaml(rules));
  }
  config.rule_files = ["rules/*.yml"];
  writeFileSync(join(workDir, "prometheus.yml"), toYaml(config));
  const check = run([TOOLS.promtool, "check", "config", join(workDir, "prometheus.yml")]);
  if (check.code !== 0) throw new Error(`test prometheus.yml invalid: ${check.stdout}${check.stderr}`);

  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prometheus = Bun.spawn(
    [
      TOOLS.prometheus,
      `--config.file=${join(workDir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(workDir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { cwd: workDir, stdout: "ignore", stderr: Bun.file(join(workDir, "prometheus.log")) },
  );
  await waitFor(async () => (await fetch(`${promUrl}/-/ready`).catch(() => undefined))?.ok, {
    timeoutMs: 20_000,
    intervalMs: 100,
    what: "Prometheus to be ready",
  }).catch((error: Error) => {
    throw new Error(`${error.message}\n${readFileSync(join(workDir, "prometheus.log"), "utf8").slice(-2000)}`);
  });
}, 55_000);

afterAll(async () => {
  for (const child of [prometheus, alertmanager]) {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await child.exited;
    }
  }
  smtp?.stop();
  await Promise.allSettled([platform?.stop(), app?.stop()]);
  await issuer?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}, 30_000);

describe(`Prometheus against the running platform (${SERVICES.join(", ") || "no service committed yet"} + kit app)`, () => {
  test("when Prometheus scrapes the processes, then every target is up", async () => {
    const targets = await waitFor(
      async () => {
        const res = (await (await fetch(`${promUrl}/api/v1/targets?state=active`)).json()) as {
          data: { activeTargets: Array<{ labels: { job: string }; health: string; lastError: string }> };
        };
        const active = res.data.activeTargets;
        return active.length === jobs.size && active.every((t) => t.health === "up") ? active : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 250, what: "every target to be up" },
    );
    expect(targets.map((t) => t.labels.job).sort()).toEqual([...jobs.keys()].sort());
    const up = await promQuery("up");
    expect(up.map((s) => `${s.metric.job}=${s.value[1]}`).sort()).toEqual([...jobs.keys()].map((j) => `${j}=1`).sort());
  }, 20000);

  test("when the key metrics are queried, then each process exports them with service equal to its job", async () => {
    for (const path of ["/api/demo/ok", "/api/demo/fail", "/api/demo/ok"]) await fetch(`${app.url}${path}`);
    await waitFor(async () => (await promQuery(`http_server_request_duration_seconds_count{job="${app.service}"}`)).length >= 2, {
      timeoutMs: 10_000,
      intervalMs: 250,
      what: "the fixture's HTTP metrics in Prometheus",
    });
    for (const metric of [
      "process_resident_memory_bytes",
      "process_cpu_seconds_total",
      "process_start_time_seconds",
      "nodejs_heap_used_bytes",
    ]) {
      const series = await promQuery(metric);
      const byJob = series.map((s) => `${s.metric.job}:${s.metric.service}`).sort();
      expect({ metric, byJob }).toEqual({ metric, byJob: [...jobs.keys()].map((j) => `${j}:${j}`).sort() });
    }
    // readiness checks report per dependency
    const deps = await promQuery(`health_dependency_up{job="${app.service}"}`);
    expect(deps.map((s) => `${s.metric.dependency}=${s.value[1]}`)).toEqual(["postgres=1"]);
    // the per-route RED recording rules see the fixture's routes, 5xx included
    const errors = await waitFor(
      async () => {
        const r = await promQuery(`service_route:http_server_errors:rate5m{service="${app.service}"}`);
        return r.length ? r : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 250, what: "the 5xx recording rule to have evaluated" },
    );
    expect(errors.map((s) => s.metric.http_route)).toContain("/api/demo/fail");
    if (platform?.processes.has("gateway")) {
      expect((await promQuery(`gateway_circuit_state{job="gateway"}`)).length).toBeGreaterThan(0);
      // a request without a token: the gateway counts a missing_token auth failure (a 401)
      const res = await fetch(`${platform.gatewayUrl}/orders`);
      expect(res.status).toBe(401);
      const failures = await waitFor(
        async () => {
          const r = await promQuery(`gateway_auth_failures_total{job="gateway", service="gateway", reason="missing_token"}`);
          return r.length ? r : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 250, what: "the gateway's auth failure in Prometheus" },
      );
      expect(Number(failures[0]!.value[1])).toBeGreaterThanOrEqual(1);
      const recorded = await waitFor(
        async () => {
          const r = await promQuery(`service_status:gateway_auth_failures:rate5m{service="gateway", status="401"}`);
          return r.length ? r : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 250, what: "the 401 recording rule over the gateway's counter" },
      );
      expect(recorded.length).toBe(1);
    }
  }, 30000);

  test("when every dashboard query runs against this Prometheus, then each one executes without error", async () => {
    const failures: string[] = [];
    let executed = 0;
    for (const file of listFiles(DASHBOARD_DIR, ".json")) {
      const dashboard = JSON.parse(readFileSync(file, "utf8")) as {
        uid: string;
        panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
      };
      for (const panel of dashboard.panels) {
        for (const target of panel.targets ?? []) {
          const expr = target.expr.replace(/\$__rate_interval/g, "1m").replace(/\$service\b/g, ".+");
          const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
          const body = (await res.json()) as { status: string; error?: string };
          executed++;
          if (body.status !== "success") failures.push(`${dashboard.uid} / ${panel.title}: ${body.error}`);
        }
      }
    }
    expect(executed).toBeGreaterThan(30);
    expect(failures).toEqual([]);
  }, 15000);

  const SAGA: ProcessName[] = ["gateway", "orders", "inventory", "inventory-worker"];
  test.skipIf(!SAGA.every((p) => SERVICES.includes(p)))(
    "when a confirmed and a rejected order go through the gateway, then every Order flow query and the Messaging traffic queries return data (needs gateway, orders, inventory, inventory-worker)",
    async () => {
      const gw = platform!.gatewayUrl;
      const admin = await issuer!.token({ sub: "ada", scopes: ["inventory.read", "inventory.write", "orders.read"], roles: ["admin"] });
      const customer = await issuer!.token({ sub: "obs-customer", scopes: ["orders.read", "orders.write"], roles: ["customer"] });
      const send = (method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) =>
        fetch(`${gw}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      const sku = `OBS-${Date.now().toString(36).toUpperCase()}`;
      expect((await send("PUT", `/inventory/products/${sku}`, admin, { name: "Observability probe", price: 12.5 })).status).toBeLessThan(
        300,
      );
      expect((await send("POST", `/inventory/products/${sku}/adjustments`, admin, { delta: 1, reason: "e2e stock" })).status).toBe(200);
      // orders learns the product from inventory.product-upserted.v1: until then the sku is unknown (400)
      const place = (quantity: number, key: string) =>
        waitFor(
          async () => {
            const res = await send("POST", "/orders", customer, { lines: [{ sku, quantity }] }, { "idempotency-key": key });
            return res.status === 201 ? ((await res.json()) as { id: string }) : undefined;
          },
          { timeoutMs: 15_000, intervalMs: 200, what: `an order of ${quantity} ${sku} to be accepted` },
        );
      const confirmed = await place(1, `obs-e2e-confirm-${sku}`);
      const rejected = await place(5, `obs-e2e-reject-${sku}`);
      for (const [order, status] of [
        [confirmed, "confirmed"],
        [rejected, "rejected"],
      ] as const) {
        await waitFor(
          async () => ((await (await send("GET", `/orders/${order.id}`, customer)).json()) as { status: string }).status === status,
          { timeoutMs: 15_000, intervalMs: 200, what: `order ${order.id} to be ${status}` },
        );
      }

      type Dashboard = { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
      const panelsOf = (file: string) => (JSON.parse(readFileSync(join(DASHBOARD_DIR, file), "utf8")) as Dashboard).panels;
      // every Order flow panel, and the Messaging panels a successful saga feeds (no retries or dead letters here)
      const panels = [
        ...panelsOf("meridian-order-flow.json"),
        ...panelsOf("meridian-messaging.json").filter((p) =>
          ["Published / s by type", "Consumed / s by outcome", "Handler duration p99", "Outbox backlog"].includes(p.title),
        ),
      ];
      expect(panels.length).toBeGreaterThan(12);
      const queries = panels.flatMap((p) =>
        (p.targets ?? []).map((t) => ({
          panel: p.title,
          expr: t.expr.replace(/\$__rate_interval/g, "1m").replace(/\$service\b/g, ".+"),
        })),
      );
      const empty = await waitFor(
        async () => {
          const none: string[] = [];
          for (const q of queries) if ((await promQuery(q.expr)).length === 0) none.push(`${q.panel}: ${q.expr}`);
          return none.length === 0 ? none : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 500, what: "every Order flow and Messaging traffic query to return data" },
      ).catch((error: Error) => [error.message]);
      expect(empty).toEqual([]);
      const outcomes = await promQuery("sum by (outcome) (orders_confirmation_seconds_count)");
      expect(outcomes.map((s) => s.metric.outcome).sort()).toEqual(["confirmed", "rejected"]);
      const consumed = await promQuery('sum by (service) (messaging_consumed_total{outcome="ack"})');
      expect(consumed.map((s) => s.metric.service)).toEqual(expect.arrayContaining(["inventory-worker", "orders"]));
    },
    40_000,
  );

  test("when the rules have evaluated against real series, then every group and rule is healthy", async () => {
    const groups = await waitFor(
      async () => {
        const res = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as {
          data: {
            groups: Array<{ name: string; lastEvaluation: string; rules: Array<{ name: string; health: string; lastError?: string }> }>;
          };
        };
        const g = res.data.groups;
        return g.length > 0 && g.every((x) => !x.lastEvaluation.startsWith("0001")) ? g : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 250, what: "every rule group to have evaluated" },
    );
    const unhealthy = groups.flatMap((g) => g.rules.filter((r) => r.health !== "ok").map((r) => `${g.name}/${r.name}: ${r.lastError}`));
    expect(unhealthy).toEqual([]);
    expect(groups.map((g) => g.name)).toContain("meridian.availability");
  }, 15000);

  test("when a service is killed, then its ServiceDown alert goes pending, then firing, for that job only", async () => {
    const victim = platform?.processes.has("inventory") ? "inventory" : app.service;
    expect(await promQuery(`ALERTS{alertname="ServiceDown", alertstate="firing"}`)).toEqual([]);
    if (victim === app.service) await app.kill();
    else await platform!.kill(victim as ProcessName);

    const fired = await waitFor(
      async () => {
        const r = await promQuery(`ALERTS{alertname="ServiceDown", alertstate="firing", job="${victim}"}`);
        return r.length ? r : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200, what: `ServiceDown for ${victim} to fire` },
    );
    expect(fired.map((s) => [s.metric.job, s.metric.instance, s.metric.severity])).toEqual([[victim, jobs.get(victim), "critical"]]);
    // it was pending first (Prometheus keeps the pending ALERTS series in its history)
    const pending = await promQuery(`max_over_time(ALERTS{alertname="ServiceDown", alertstate="pending", job="${victim}"}[1m])`);
    expect(pending.length).toBe(1);
    // the other processes still answer: the alert is about the victim alone
    const othersUp = await promQuery(`up{job!="${victim}"} == 1`);
    expect(othersUp.map((s) => s.metric.job).sort()).toEqual([...jobs.keys()].filter((j) => j !== victim).sort());

    // Alertmanager routed it by severity to on-call and mailed it with the receiver template.
    const mail = await waitFor(() => smtp!.mails.find((m) => m.data.includes(`Subject: [FIRING:1] CRITICAL ServiceDown (${victim})`)), {
      timeoutMs: 15_000,
      intervalMs: 200,
      what: "Alertmanager's mail about ServiceDown",
    });
    expect(mail.to).toEqual(["oncall@meridian.local"]);
    expect(mail.from).toBe("alertmanager@meridian.local");
    expect(mail.data).toContain(`- ${victim} is down (${jobs.get(victim)})`);
    expect(mail.data).toContain("Runbook: docs/runbooks.md#servicedown");
  }, 35000);
});
