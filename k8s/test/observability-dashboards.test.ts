/**
 * Grafana dashboards as code (k8s/observability/dashboards/*.ts → k8s/observability/grafana/dashboards/*.json):
 * the committed JSON is what the code renders, the dashboards are well-formed, and every query (and every
 * alert rule) selects only metrics the code really exports. The exported names are not a hand-kept list:
 * they come from /metrics of a running kit app (HTTP, health, runtime and messaging metrics, exercised
 * against real PostgreSQL and RabbitMQ) and from the instrument calls in svc/ and gateway/ for business
 * metrics, the latter checked against the scrape for the naming rules the exporter applies.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parser } from "@prometheus-io/lezer-promql";
import { dashboards, DASHBOARD_DIR, render } from "../observability/dashboards/build";
import {
  alertRules,
  exerciseKitApp,
  exposedNames,
  instrumentsInSource,
  listFiles,
  promqlMetricNames,
  PROMETHEUS_TARGET_SERIES,
  recordingRuleNames,
  ruleGroups,
  startKitApp,
  type KitApp,
} from "./observability-support";

interface Target {
  expr: string;
  refId: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Target[];
  gridPos: { x: number; y: number; w: number; h: number };
}
interface DashboardJson {
  uid: string;
  title: string;
  tags: string[];
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query?: unknown; definition?: string; datasource?: unknown }> };
}

const files = listFiles(DASHBOARD_DIR, ".json");
const models = new Map(files.map((f) => [f, JSON.parse(readFileSync(f, "utf8")) as DashboardJson]));

function queriesOf(d: DashboardJson): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  for (const p of d.panels) for (const t of p.targets ?? []) out.push({ where: `${d.uid} / ${p.title} / ${t.refId}`, expr: t.expr });
  return out;
}

function variableMetrics(d: DashboardJson): Array<{ where: string; metric: string }> {
  return d.templating.list
    .filter((v) => v.type === "query")
    .map((v) => {
      const m = /^label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,/.exec(v.definition ?? "");
      if (!m) throw new Error(`${d.uid}: variable ${v.name} is not label_values(metric, label)`);
      return { where: `${d.uid} / $${v.name}`, metric: m[1]! };
    });
}

/** Label names a query uses in matchers and by/without clauses. */
function labelNamesIn(expr: string): string[] {
  const text = expr.replace(/\$__rate_interval/g, "5m").replace(/\$[A-Za-z_]+/g, "x");
  const names = new Set<string>();
  const cursor = parser.parse(text).cursor();
  do if (cursor.name === "LabelName") names.add(text.slice(cursor.from, cursor.to));
  while (cursor.next());
  return [...names];
}

describe("Grafana dashboards", () => {
  test("when the dashboard code is rendered, then it equals the committed JSON (run bun k8s/observability/dashboards/build.ts)", () => {
    const built = dashboards();
    expect(Object.keys(built).sort()).toEqual(files.map((f) => f.split("/").at(-1)!).sort());
    for (const [file, model] of Object.entries(built)) {
      expect({ file, json: render(model) }).toEqual({ file, json: readFileSync(join(DASHBOARD_DIR, file), "utf8") });
    }
  });

  test("when the dashboards are read, then the four the issue asks for exist with unique uids, the meridian tag and a datasource variable", () => {
    const uids = [...models.values()].map((d) => d.uid).sort();
    expect(uids).toEqual(["meridian-gateway", "meridian-messaging", "meridian-order-flow", "meridian-overview"]);
    for (const d of models.values()) {
      expect(d.tags).toContain("meridian");
      expect(d.templating.list.find((v) => v.name === "datasource")?.type).toBe("datasource");
    }
  });

  test("when the panels are read, then ids are unique, each has queries on the datasource variable, and the grid fits 24 columns", () => {
    for (const d of models.values()) {
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of d.panels) {
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        if (p.type === "row") continue;
        expect({ panel: p.title, datasource: p.datasource }).toEqual({
          panel: p.title,
          datasource: { type: "prometheus", uid: "${datasource}" },
        });
        expect({ panel: p.title, queries: (p.targets ?? []).length > 0 }).toEqual({ panel: p.title, queries: true });
      }
    }
  });

  test("when each dashboard's queries are read, then they cover what the issue asks of it", () => {
    const exprs = (uid: string) =>
      queriesOf([...models.values()].find((d) => d.uid === uid)!)
        .map((q) => q.expr)
        .join("\n");
    const overview = exprs("meridian-overview");
    expect(overview).toMatch(/sum by \(service\) \(rate\(http_server_request_duration_seconds_count/); // rate
    expect(overview).toContain('http_response_status_code=~"5.."'); // errors
    expect(overview).toMatch(/histogram_quantile\(0\.99, sum by \(service, le\)/); // duration
    const orders = exprs("meridian-order-flow");
    expect(orders).toContain("rate(orders_placed_total");
    expect(orders).toContain("orders_confirmation_seconds_bucket");
    expect(orders).toContain('outcome="rejected"');
    const messaging = exprs("meridian-messaging");
    for (const m of [
      "messaging_published_total",
      "messaging_consumed_total",
      "messaging_retried_total",
      "messaging_dead_lettered_total",
      "messaging_queue_depth",
      "messaging_outbox_backlog",
    ]) {
      expect(messaging).toContain(m);
    }
    const gateway = exprs("meridian-gateway");
    for (const m of ["http_route", "gateway_auth_failures_total", "gateway_rate_limited_total", "gateway_circuit_state"])
      expect(gateway).toContain(m);
  });
});

describe("metric names in dashboards and rules", () => {
  let app: KitApp;
  let scraped = new Set<string>();
  const labelsOf = new Map<string, Set<string>>();
  let inSource = new Map<string, string>();

  beforeAll(async () => {
    app = await startKitApp({ messaging: true });
    const text = await exerciseKitApp(app, true);
    scraped = exposedNames(text);
    for (const line of text.split("\n")) {
      const m = /^([A-Za-z_:][A-Za-z0-9_:]*)\{([^}]*)\}/.exec(line);
      if (!m) continue;
      const labels = labelsOf.get(m[1]!) ?? new Set<string>();
      for (const pair of m[2]!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)="/g)) labels.add(pair[1]!);
      labelsOf.set(m[1]!, labels);
    }
    inSource = instrumentsInSource();
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
  });

  test("when the kit app's /metrics is scraped, then the kit's metrics are there with the service label dashboards filter on", () => {
    for (const name of [
      "http_server_request_duration_seconds_bucket",
      "http_server_request_duration_seconds_count",
      "health_dependency_up",
      "messaging_published_total",
      "messaging_consumed_total",
      "messaging_retried_total",
      "messaging_dead_lettered_total",
      "messaging_handler_duration_seconds_bucket",
      "messaging_queue_depth",
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
    ]) {
      expect({ name, scraped: scraped.has(name) }).toEqual({ name, scraped: true });
      expect({ name, service: labelsOf.get(name)?.has("service") }).toEqual({ name, service: true });
    }
  });

  test("when instrument names are read from the source, then the exporter's naming rules agree with the scrape", () => {
    // Every instrument-backed series the kit app exposed is predicted from its source call.
    const predicted = [...scraped].filter((n) => n !== "target_info");
    expect(predicted.filter((n) => !inSource.has(n))).toEqual([]);
  });

  function exported(name: string): boolean {
    return scraped.has(name) || inSource.has(name) || PROMETHEUS_TARGET_SERIES.has(name);
  }

  test("when every dashboard query and variable is parsed, then each selects only metrics the code exports", () => {
    const missing: string[] = [];
    for (const d of models.values()) {
      for (const { where, expr } of queriesOf(d)) {
        for (const name of promqlMetricNames(expr)) if (!exported(name)) missing.push(`${where}: ${name}`);
      }
      for (const { where, metric } of variableMetrics(d)) if (!exported(metric)) missing.push(`${where}: ${metric}`);
    }
    expect(missing).toEqual([]);
  });

  test("when a dashboard query uses labels of a scraped metric, then the scrape has those labels", () => {
    const problems: string[] = [];
    for (const d of models.values()) {
      for (const { where, expr } of queriesOf(d)) {
        const metrics = promqlMetricNames(expr);
        if (!metrics.every((m) => labelsOf.has(m))) continue; // business metrics of services not started here
        const known = new Set(["le", "job", "instance", ...metrics.flatMap((m) => [...labelsOf.get(m)!])]);
        for (const label of labelNamesIn(expr)) if (!known.has(label)) problems.push(`${where}: label ${label}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("when every rule expression is parsed, then it selects only exported metrics, recording rules, or kube-state-metrics", () => {
    const records = recordingRuleNames();
    const missing: string[] = [];
    for (const { group } of ruleGroups()) {
      for (const rule of group.rules) {
        for (const name of promqlMetricNames(rule.expr)) {
          if (exported(name) || records.has(name) || name.startsWith("kube_")) continue;
          missing.push(`${group.name} / ${rule.alert ?? rule.record}: ${name}`);
        }
      }
    }
    expect(alertRules().length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });
});
