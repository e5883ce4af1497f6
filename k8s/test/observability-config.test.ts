/**
 * The observability configs as their tools read them: promtool check config, amtool check-config,
 * routing and template rendering, yamllint; the collector, datasource, Loki and Tempo files checked for
 * the wiring between them; the Helm chart rendered with Helm 4, validated against the Kubernetes and
 * Prometheus Operator schemas, and shown to carry exactly the files compose uses (one source of truth).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { DESIGN_PORTS } from "@meridian/platform";
import { parseAllDocuments } from "yaml";
import { helmTemplate, policyViolations, prepareCharts, validateObject, type K8sObject } from "./deploy-support";
import { CHART_DIR, listFiles, OBS_DIR, readYaml, RULES_DIR, run, TOOLS } from "./observability-support";

const PROMETHEUS_YML = join(OBS_DIR, "prometheus/prometheus.yml");
const ALERTMANAGER_DIR = join(OBS_DIR, "alertmanager");
const COLLECTOR = join(OBS_DIR, "otel-collector.yaml");

describe("Prometheus and Alertmanager configs", () => {
  test("when promtool checks prometheus.yml, then it and the rule files it loads are valid", () => {
    const r = run([TOOLS.promtool, "check", "config", "prometheus.yml"], join(OBS_DIR, "prometheus"));
    expect(r.stdout + r.stderr).toContain("is valid prometheus config file syntax");
    expect(r.stdout).toContain(`${listFiles(RULES_DIR, ".yml").length} rule files found`);
    expect(r.code).toBe(0);
  });

  test("when prometheus.yml is read, then every Meridian process and the collector is scraped at its management port", () => {
    const config = readYaml<{ scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }> }>(PROMETHEUS_YML);
    const targets = new Map(config.scrape_configs.map((s) => [s.job_name, s.static_configs.flatMap((c) => c.targets)]));
    const managementPort = 9090; // compose.yml's MANAGEMENT_PORT for every Bun server (mesh/test/compose-startup.test.ts)
    for (const name of Object.keys(DESIGN_PORTS)) {
      if (name === "dev-idp") continue; // development identity provider: not a platform service
      expect({ name, targets: targets.get(name) }).toEqual({ name, targets: [`${name}:${managementPort}`] });
    }
    expect(targets.get("otel-collector")).toEqual(["otel-collector:8888"]);
    expect(targets.get("otel-collector-otlp")).toEqual(["otel-collector:8889"]);
  });

  test("when amtool checks alertmanager.yml, then the config and its templates are valid", () => {
    const r = run([TOOLS.amtool, "check-config", "alertmanager.yml"], ALERTMANAGER_DIR);
    expect(r.stdout).toContain("SUCCESS");
    expect(r.stdout).toContain("1 templates");
    expect(r.code).toBe(0);
  });

  test("when alerts of each severity are routed, then critical pages on-call, warning goes to the team, info to the digest", () => {
    const route = (...labels: string[]) =>
      run([TOOLS.amtool, "config", "routes", "test", "--config.file=alertmanager.yml", ...labels], ALERTMANAGER_DIR).stdout.trim();
    expect(route("severity=critical", "alertname=ServiceDown")).toBe("oncall");
    expect(route("severity=warning", "alertname=QueueDepthGrowing")).toBe("team");
    expect(route("severity=info", "alertname=ErrorQueueNotEmpty")).toBe("digest");
    expect(route("alertname=SomethingWithoutSeverity")).toBe("team");
  });

  test("when the receiver template renders a firing alert, then subject and text carry summary, description and runbook", () => {
    const dir = mkdtempSync(join(tmpdir(), "obs-am-"));
    try {
      const data = {
        receiver: "oncall",
        status: "firing",
        alerts: [
          {
            status: "firing",
            labels: { alertname: "ServiceDown", severity: "critical", job: "orders", instance: "orders:5101" },
            annotations: {
              summary: "orders is down (orders:5101)",
              description: "Prometheus has not been able to scrape orders.",
              runbook_url: "docs/runbooks.md#servicedown",
            },
            startsAt: "2026-01-02T03:04:05Z",
            endsAt: "0001-01-01T00:00:00Z",
            generatorURL: "http://prometheus:9090/graph?g0.expr=up+%3D%3D+0",
            fingerprint: "abc",
          },
        ],
        groupLabels: { alertname: "ServiceDown", job: "orders" },
        commonLabels: { alertname: "ServiceDown", severity: "critical", job: "orders", instance: "orders:5101" },
        commonAnnotations: {},
        externalURL: "http://alertmanager:9093",
      };
      const file = join(dir, "data.json");
      writeFileSync(file, JSON.stringify(data));
      const render = (template: string) =>
        run(
          [
            TOOLS.amtool,
            "template",
            "render",
            "--template.glob=templates/*.tmpl",
            `--template.data=${file}`,
            `--template.text={{ template "${template}" . }}`,
          ],
          ALERTMANAGER_DIR,
        );
      const subject = render("meridian.subject");
      expect(subject.code).toBe(0);
      expect(subject.stdout.trim()).toBe("[FIRING:1] CRITICAL ServiceDown (orders)");
      const text = render("meridian.text").stdout;
      expect(text).toContain("Firing:");
      expect(text).toContain("- orders is down (orders:5101)");
      expect(text).toContain("Runbook: docs/runbooks.md#servicedown");
      expect(text).toContain("severity=critical");
      expect(text).toContain("Silence or inspect: http://alertmanager:9093");
      const html = render("meridian.html").stdout;
      expect(html).toContain("<h3>");
      expect(html).toContain('href="http://prometheus:9090/graph?g0.expr=up+%3D%3D+0"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("collector, Grafana, Loki and Tempo configs", () => {
  test("when yamllint reads every YAML file under k8s/observability and the chart's own files, then none has an error", () => {
    const paths = [OBS_DIR, join(CHART_DIR, "Chart.yaml"), join(CHART_DIR, "values.yaml")];
    const config = join(OBS_DIR, ".yamllint");
    const r = run([TOOLS.yamllint, "-c", config, "-f", "parsable", "--no-warnings", ...paths]);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.code).toBe(0);
    const listed = run([TOOLS.yamllint, "--list-files", "-c", config, ...paths]).stdout;
    for (const file of [
      "prometheus/rules/meridian-availability.yml",
      "otel-collector.yaml",
      "datasources/meridian.yaml",
      "loki/loki.yaml",
      "tempo/tempo.yaml",
    ]) {
      expect(listed).toContain(file);
    }
  });

  test("when the collector config is read, then OTLP comes in and traces go to Tempo, logs to Loki, metrics to Prometheus", () => {
    type Pipeline = { receivers: string[]; processors: string[]; exporters: string[] };
    const c = readYaml<{
      receivers: Record<string, { protocols?: Record<string, { endpoint: string }> }>;
      processors: Record<string, { attributes?: Array<{ key: string; value: string; action: string }> }>;
      exporters: Record<string, { endpoint: string }>;
      service: { pipelines: Record<string, Pipeline>; extensions: string[] };
      extensions: Record<string, unknown>;
    }>(COLLECTOR);
    expect(c.receivers.otlp?.protocols?.grpc?.endpoint).toBe("0.0.0.0:4317");
    expect(c.receivers.otlp?.protocols?.http?.endpoint).toBe("0.0.0.0:4318");
    const p = c.service.pipelines;
    expect(Object.keys(p).sort()).toEqual(["logs", "metrics", "traces"]);
    for (const [name, pipeline] of Object.entries(p)) {
      expect({ name, otlp: pipeline.receivers.includes("otlp") }).toEqual({ name, otlp: true });
      // every component a pipeline names is defined
      for (const r of pipeline.receivers) expect(c.receivers).toHaveProperty([r]);
      for (const x of pipeline.processors) expect(c.processors).toHaveProperty([x]);
      for (const e of pipeline.exporters) expect(c.exporters).toHaveProperty([e]);
      // memory_limiter first, batch last, the resource attributes in between
      expect(pipeline.processors[0]).toBe("memory_limiter");
      expect(pipeline.processors.at(-1)).toBe("batch");
      expect(pipeline.processors).toContain("resource");
    }
    for (const e of c.service.extensions) expect(c.extensions).toHaveProperty([e]);
    expect(p.traces!.exporters).toEqual(["otlp/tempo"]);
    expect(p.logs!.exporters).toEqual(["otlphttp/loki"]);
    expect(p.metrics!.exporters).toEqual(["prometheus"]);
    expect(c.exporters["otlp/tempo"]!.endpoint).toBe("${env:TEMPO_OTLP_ENDPOINT:-tempo:4317}");
    expect(c.exporters["otlphttp/loki"]!.endpoint).toBe("${env:LOKI_OTLP_ENDPOINT:-http://loki:3100/otlp}");
    expect(c.exporters.prometheus!.endpoint).toBe("0.0.0.0:8889");
    const attributes = c.processors.resource!.attributes!;
    expect(attributes).toContainEqual({ key: "deployment.environment.name", value: "${env:MERIDIAN_ENV:-local}", action: "insert" });
    expect(attributes).toContainEqual({ key: "service.namespace", value: "meridian", action: "insert" });
  });

  test("when Loki and Tempo configs are read, then they accept what the collector sends", () => {
    const loki = readYaml<any>(join(OBS_DIR, "loki/loki.yaml"));
    expect(loki.server.http_listen_port).toBe(3100); // the collector's LOKI_OTLP_ENDPOINT default
    expect(loki.limits_config.allow_structured_metadata).toBe(true); // OTLP logs need it (trace_id lives there)
    expect(loki.schema_config.configs.at(-1).schema).toBe("v13");
    expect(loki.schema_config.configs.at(-1).store).toBe("tsdb");
    const tempo = readYaml<any>(join(OBS_DIR, "tempo/tempo.yaml"));
    expect(tempo.distributor.receivers.otlp.protocols.grpc.endpoint).toBe("0.0.0.0:4317");
    expect(tempo.server.http_listen_port).toBe(3200);
  });

  test("when the Grafana datasources are read, then Prometheus, Loki and Tempo link traces, logs and metrics both ways", () => {
    const { datasources } = readYaml<{ datasources: any[] }>(join(OBS_DIR, "grafana/provisioning/datasources/meridian.yaml"));
    const byUid = new Map(datasources.map((d) => [d.uid, d]));
    expect([...byUid.keys()].sort()).toEqual(["loki", "prometheus", "tempo"]);
    expect(byUid.get("prometheus").type).toBe("prometheus");
    expect(byUid.get("prometheus").jsonData.exemplarTraceIdDestinations[0].datasourceUid).toBe("tempo");
    const tempo = byUid.get("tempo").jsonData;
    expect(tempo.tracesToLogsV2.datasourceUid).toBe("loki");
    expect(tempo.tracesToLogsV2.filterByTraceID).toBe(true);
    expect(tempo.tracesToMetrics.datasourceUid).toBe("prometheus");
    expect(tempo.serviceMap.datasourceUid).toBe("prometheus");
    const derived = byUid.get("loki").jsonData.derivedFields;
    expect(derived.length).toBeGreaterThan(0);
    for (const field of derived) expect(field.datasourceUid).toBe("tempo");
    // Grafana expands $VAR in provisioning files: its own ${__...} macros must be escaped as $${...}
    const raw = readFileSync(join(OBS_DIR, "grafana/provisioning/datasources/meridian.yaml"), "utf8");
    expect(raw.match(/(?<!\$)\$\{__/g)).toBeNull();
    const providers = readYaml<{ providers: Array<{ options: { path: string } }> }>(
      join(OBS_DIR, "grafana/provisioning/dashboards/meridian.yaml"),
    ).providers;
    expect(providers[0]!.options.path).toBe("/var/lib/grafana/dashboards/meridian");
  });

  test("when the chart's files are resolved, then rules, dashboards, datasources and the collector config are the compose files, not copies", () => {
    // Real files live where compose mounts them (no symlink inside a bind-mounted folder); the chart
    // reaches them through relative symlinks, which Helm follows when it loads or packages the chart.
    const links: Record<string, string> = {
      "files/rules": "prometheus/rules",
      "files/dashboards": "grafana/dashboards",
      "files/grafana/datasources.yaml": "grafana/provisioning/datasources/meridian.yaml",
      "files/otel-collector.yaml": "otel-collector.yaml",
    };
    for (const [path, target] of Object.entries(links)) {
      const full = join(CHART_DIR, path);
      expect({ path, symlink: lstatSync(full).isSymbolicLink() }).toEqual({ path, symlink: true });
      expect(readlinkSync(full).startsWith("/")).toBe(false); // relative, so clones anywhere work
      expect(realpathSync(full)).toBe(join(realpathSync(OBS_DIR), target));
      expect(lstatSync(join(OBS_DIR, target)).isSymbolicLink()).toBe(false);
    }
  });
});

/** A rendered object with the fields these tests read (ConfigMap data, labels, annotations). */
interface Rendered extends K8sObject {
  metadata: K8sObject["metadata"] & { labels: Record<string, string>; annotations: Record<string, string> };
  data: Record<string, string>;
}

function pick(objects: K8sObject[], match: (o: K8sObject) => boolean): Rendered {
  const found = objects.find(match);
  if (!found) throw new Error("object not rendered");
  return {
    ...found,
    metadata: { labels: {}, annotations: {}, ...found.metadata },
    data: (found.data ?? {}) as Record<string, string>,
  } as Rendered;
}

describe("observability Helm chart", () => {
  let objects: K8sObject[] = [];
  let rendered = "";

  beforeAll(() => {
    const lint = run([TOOLS.helm, "lint", CHART_DIR, "--strict"]);
    if (lint.code !== 0) throw new Error(`helm lint failed:\n${lint.stdout}\n${lint.stderr}`);
    const r = run([TOOLS.helm, "template", "meridian", CHART_DIR, "--namespace", "meridian"]);
    if (r.code !== 0) throw new Error(`helm template failed:\n${r.stderr}`);
    rendered = r.stdout;
    objects = parseAllDocuments(rendered)
      .map((d) => d.toJS())
      .filter(Boolean) as K8sObject[];
  });

  test("when rendered, then the output is clean YAML and every object passes its Kubernetes / Prometheus Operator schema", async () => {
    const dir = mkdtempSync(join(tmpdir(), "obs-chart-"));
    try {
      writeFileSync(join(dir, "rendered.yaml"), rendered);
      const lint = run([
        TOOLS.yamllint,
        "-f",
        "parsable",
        "-d",
        "{extends: default, rules: {line-length: disable, trailing-spaces: disable, document-start: disable, comments: disable, indentation: {indent-sequences: whatever}, braces: {max-spaces-inside: 1}}}",
        join(dir, "rendered.yaml"),
      ]);
      expect(lint.stdout).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const errors = (await Promise.all(objects.map(validateObject))).filter(Boolean);
    expect(errors).toEqual([]);
    expect(policyViolations(objects)).toEqual([]);
  });

  test("when rendered, then there is one PrometheusRule per rule file with exactly the file's groups", () => {
    const rules = objects.filter((o) => o.kind === "PrometheusRule");
    const files = listFiles(RULES_DIR, ".yml");
    expect(rules.map((r) => r.metadata.name).sort()).toEqual(files.map((f) => basename(f, ".yml")).sort());
    for (const file of files) {
      const rule = pick(rules, (r) => r.metadata.name === basename(file, ".yml"));
      expect(rule.spec.groups).toEqual(readYaml<{ groups: unknown[] }>(file).groups);
      expect(rule.metadata.labels.release).toBe("kube-prometheus-stack");
    }
  });

  test("when rendered, then each dashboard is a ConfigMap labelled for the Grafana sidecar with the file's JSON", () => {
    const maps = objects
      .filter((o) => o.kind === "ConfigMap" && o.metadata.labels?.grafana_dashboard === "1")
      .map((o) => pick([o], () => true));
    const files = listFiles(join(CHART_DIR, "files/dashboards"), ".json");
    expect(maps.length).toBe(files.length);
    for (const file of files) {
      const map = maps.find((m) => basename(file) in m.data)!;
      expect(map).toBeDefined();
      expect(JSON.parse(map.data[basename(file)] ?? "null")).toEqual(JSON.parse(readFileSync(file, "utf8")));
      expect(map.metadata.annotations.grafana_folder).toBe("Meridian");
    }
  });

  test("when rendered, then the collector runs the compose config file, and its ServiceMonitor scrapes ports its Service has", () => {
    const config = pick(objects, (o) => o.kind === "ConfigMap" && o.metadata.name === "otel-collector");
    expect(config.data["config.yaml"]).toBe(readFileSync(COLLECTOR, "utf8").trimEnd());
    const service = pick(objects, (o) => o.kind === "Service" && o.metadata.name === "otel-collector");
    const monitor = pick(objects, (o) => o.kind === "ServiceMonitor" && o.metadata.name === "otel-collector");
    const portNames = service.spec.ports.map((p: { name: string }) => p.name);
    for (const endpoint of monitor.spec.endpoints) expect(portNames).toContain(endpoint.port);
    expect(monitor.spec.endpoints.map((e: { port: string }) => e.port).sort()).toEqual(["prom-exporter", "telemetry"]);
    for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels as Record<string, string>)) {
      expect(service.metadata.labels[key]).toBe(value);
    }
    expect(monitor.metadata.labels.release).toBe("kube-prometheus-stack");
    // the namespace and name the services' OTEL_EXPORTER_OTLP_ENDPOINT (umbrella values) point at
    expect(`${service.metadata.name}.${service.metadata.namespace}`).toBe("otel-collector.monitoring");
    const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "otel-collector")!;
    const env = Object.fromEntries(
      deployment.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    expect(Object.keys(env)).toEqual(expect.arrayContaining(["MERIDIAN_ENV", "TEMPO_OTLP_ENDPOINT", "LOKI_OTLP_ENDPOINT"]));
  });

  test("when rendered, then the Grafana datasources ConfigMap has the compose datasources with in-cluster URLs", () => {
    const map = pick(objects, (o) => o.kind === "ConfigMap" && o.metadata.labels?.grafana_datasource === "1");
    const { datasources } = parseAllDocuments(map.data["meridian-datasources.yaml"] ?? "")[0]!.toJS() as { datasources: any[] };
    // kube-prometheus-stack brings the Prometheus datasource (uid prometheus) itself
    expect(datasources.map((d) => d.uid).sort()).toEqual(["loki", "tempo"]);
    expect(datasources.find((d) => d.uid === "tempo").url).toBe("http://tempo.monitoring.svc:3200");
    expect(datasources.find((d) => d.uid === "tempo").jsonData.tracesToLogsV2.datasourceUid).toBe("loki");
  });

  test("when the umbrella chart enables observability, then its objects render there, valid and within policy", async () => {
    const charts = prepareCharts();
    try {
      const all = helmTemplate(join(charts.dir, "meridian"), [
        "-f",
        join(charts.dir, "meridian/values-prod.yaml"),
        "--set",
        "observability.enabled=true",
      ]);
      const mine = all.filter((o) => String(o.metadata?.labels?.["helm.sh/chart"] ?? "").startsWith("observability-"));
      expect(mine.map((o) => o.kind).sort()).toEqual(objects.map((o) => o.kind).sort());
      const errors = (await Promise.all(mine.map(validateObject))).filter(Boolean);
      expect(errors).toEqual([]);
      expect(policyViolations(all).filter((p) => p.includes("otel-collector"))).toEqual([]);
      // the umbrella's services send OTLP to the collector this chart runs
      const endpoints = all
        .filter((o) => o.kind === "Deployment")
        .flatMap((o) => o.spec.template.spec.containers.flatMap((c: { env?: Array<{ name: string; value?: string }> }) => c.env ?? []))
        .filter((e: { name: string }) => e.name === "OTEL_EXPORTER_OTLP_ENDPOINT")
        .map((e: { value?: string }) => e.value);
      expect(endpoints.length).toBeGreaterThan(0);
      for (const url of endpoints) expect(url).toMatch(/^http:\/\/otel-collector\.monitoring(\.svc)?(\.cluster\.local)?:4318$/);
    } finally {
      charts.cleanup();
    }
  }, 60_000);
});
