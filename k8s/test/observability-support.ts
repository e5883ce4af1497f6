/**
 * Shared by the observability tests (observability*.test.ts): where the configs live, running the
 * Prometheus tools, PromQL metric-name extraction (Prometheus' own lezer grammar), the metric names the
 * code really exports (scraped from a running kit app and read from the instrument calls in the source),
 * and starting the kit fixture app on loopback.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parser } from "@prometheus-io/lezer-promql";
import { freePort, REPO_ROOT, tools, uniqueName, waitFor } from "@meridian/kit/testing";
import { parse as parseYaml } from "yaml";

export { REPO_ROOT };
export const OBS_DIR = join(REPO_ROOT, "k8s/observability");
export const CHART_DIR = join(REPO_ROOT, "k8s/charts/observability");
export const RULES_DIR = join(OBS_DIR, "prometheus/rules");
export const RULE_TESTS_DIR = join(OBS_DIR, "prometheus/tests");
export const RUNBOOKS = join(REPO_ROOT, "docs/runbooks.md");
export const TOOLS = {
  alertmanager: "/usr/bin/prometheus-alertmanager",
  promtool: tools.promtool,
  amtool: tools.amtool,
  prometheus: tools.prometheus,
  yamllint: tools.yamllint,
  helm: process.env.HELM ?? tools.helm,
};

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string[], cwd = REPO_ROOT): RunResult {
  const p = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

export function listFiles(dir: string, suffix: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => join(dir, f));
}

export function readYaml<T = unknown>(path: string): T {
  return parseYaml(readFileSync(path, "utf8")) as T;
}

// ---------------------------------------------------------------------------------------------------
// Rules

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

export function ruleGroups(): Array<{ file: string; group: RuleGroup }> {
  return listFiles(RULES_DIR, ".yml").flatMap((file) => readYaml<{ groups: RuleGroup[] }>(file).groups.map((group) => ({ file, group })));
}

export function alertRules(): Rule[] {
  return ruleGroups().flatMap(({ group }) => group.rules.filter((r) => r.alert));
}

export function recordingRuleNames(): Set<string> {
  return new Set(ruleGroups().flatMap(({ group }) => group.rules.flatMap((r) => (r.record ? [r.record] : []))));
}

// ---------------------------------------------------------------------------------------------------
// PromQL

/** Grafana's template variables, replaced by something PromQL parses. */
function withoutGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b/g, "5m")
    .replace(/\$\{[^}]+\}|\$[A-Za-z_][A-Za-z0-9_]*/g, (m) => (m.startsWith("$__") ? "1" : "x"));
}

/** Metric names a PromQL expression selects; throws when it does not parse. */
export function promqlMetricNames(expr: string): string[] {
  const text = withoutGrafanaVariables(expr);
  const tree = parser.parse(text);
  const names = new Set<string>();
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) throw new Error(`PromQL does not parse at ${cursor.from}: ${expr}`);
    if (cursor.name === "VectorSelector") {
      const selector = cursor.node;
      const identifier = selector.getChild("Identifier");
      if (identifier) names.add(text.slice(identifier.from, identifier.to));
      else {
        // {__name__="..."} form
        const m = /__name__\s*=\s*"([^"]+)"/.exec(text.slice(selector.from, selector.to));
        if (m) names.add(m[1]!);
      }
    }
  } while (cursor.next());
  return [...names];
}

// ---------------------------------------------------------------------------------------------------
// Metric names the code exports

const INSTRUMENT =
  /\.create(Counter|UpDownCounter|Histogram|Gauge|ObservableGauge|ObservableCounter|ObservableUpDownCounter)\s*\(\s*["'`]([A-Za-z_:][A-Za-z0-9_:.]*)["'`]/g;

/** Prometheus series names an OpenTelemetry instrument becomes through the kit's Prometheus exporter. */
export function prometheusNames(kind: string, name: string): string[] {
  const base = name.replace(/\./g, "_");
  if (kind === "Histogram") return [`${base}_bucket`, `${base}_count`, `${base}_sum`];
  if (kind === "Counter" || kind === "ObservableCounter") return [base.endsWith("_total") ? base : `${base}_total`];
  return [base];
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules" || entry === "test" || entry.startsWith(".")) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (entry.endsWith(".ts") && !entry.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

/** Prometheus name → the source file creating the instrument, for every instrument in svc/ and gateway/. */
export function instrumentsInSource(): Map<string, string> {
  const roots = [...readdirSync(join(REPO_ROOT, "svc")).map((d) => join(REPO_ROOT, "svc", d, "src")), join(REPO_ROOT, "gateway/src")];
  const found = new Map<string, string>();
  for (const file of roots.flatMap(sourceFiles)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(INSTRUMENT)) {
      for (const name of prometheusNames(m[1]!, m[2]!)) found.set(name, relative(REPO_ROOT, file));
    }
  }
  return found;
}

/** Series names in a Prometheus text exposition. */
export function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)[{ ]/.exec(line);
    if (m) names.add(m[1]!);
  }
  return names;
}

/** Series Prometheus itself adds to every scrape target. */
export const PROMETHEUS_TARGET_SERIES = new Set(["up", "scrape_duration_seconds", "scrape_samples_scraped"]);

// ---------------------------------------------------------------------------------------------------
// The kit fixture app

export interface KitApp {
  service: string;
  port: number;
  url: string;
  pid: number;
  /** SIGKILL, as a crash would, and wait for the exit. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

async function rabbitmqctl(...args: string[]): Promise<void> {
  const r = run(["rabbitmqctl", "-q", ...args]);
  if (r.code !== 0) throw new Error(`rabbitmqctl ${args.join(" ")}: ${r.stderr || r.stdout}`);
}

/**
 * Starts k8s/test/observability-kit-app.ts on a free port. With `messaging`, it gets a RabbitMQ virtual
 * host of its own (deleted on stop) and dead-letters one message after a publish.
 */
export async function startKitApp(options: { messaging?: boolean; service?: string } = {}): Promise<KitApp> {
  const service = options.service ?? uniqueName("obs-kit");
  const port = await freePort();
  const vhost = options.messaging ? uniqueName("obs-vhost") : undefined;
  if (vhost) {
    await rabbitmqctl("add_vhost", vhost);
    await rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
  }
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    FIXTURE_SERVICE: service,
    LOG_LEVEL: "warn",
  };
  delete env.RABBITMQ_URL;
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (vhost) env.RABBITMQ_URL = `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(vhost)}`;
  const child = Bun.spawn(["bun", resolve(import.meta.dir, "observability-kit-app.ts")], {
    cwd: join(REPO_ROOT, "k8s"),
    env,
    stdout: "ignore",
    stderr: "pipe",
  });
  const url = `http://127.0.0.1:${port}`;
  const cleanup = async () => {
    if (vhost) await rabbitmqctl("delete_vhost", vhost).catch(() => undefined);
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`kit app exited ${child.exitCode}: ${await new Response(child.stderr).text()}`);
        }
        const res = await fetch(`${url}/health/ready`).catch(() => undefined);
        return res?.ok;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: "the kit fixture app to be ready" },
    );
  } catch (error) {
    child.kill("SIGKILL");
    await child.exited;
    await cleanup();
    throw error;
  }
  const exit = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await child.exited;
    clearTimeout(timer);
  };
  return {
    service,
    port,
    url,
    pid: child.pid,
    kill: () => exit("SIGKILL"),
    stop: async () => {
      await exit("SIGTERM");
      await cleanup();
    },
  };
}

/** Drives the fixture so every instrument the kit has records a value; resolves with /metrics text. */
export async function exerciseKitApp(app: KitApp, messaging: boolean): Promise<string> {
  for (const path of ["/api/demo/ok", "/api/demo/fail", "/health/ready"]) await fetch(`${app.url}${path}`);
  if (messaging) {
    const res = await fetch(`${app.url}/api/demo/publish`, { method: "POST" });
    if (!res.ok) throw new Error(`publish failed: ${res.status} ${await res.text()}`);
  }
  return waitFor(
    async () => {
      const text = await (await fetch(`${app.url}/metrics`)).text();
      const names = exposedNames(text);
      // the dead-lettered message is counted, and waits in <service>.error (queue depth polled every 100 ms)
      const done =
        !messaging ||
        (names.has("messaging_dead_lettered_total") && /^messaging_queue_depth\{[^}]*queue="[^"]+\.error"[^}]*\} 1$/m.test(text));
      return done ? text : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 100, what: "the fixture's message to be dead-lettered" },
  );
}

// ---------------------------------------------------------------------------------------------------
// Runbooks

/** GitHub's heading anchors (lower case, punctuation dropped, spaces → dashes). */
export function markdownAnchors(markdown: string): Map<string, string> {
  const anchors = new Map<string, string>();
  const lines = markdown.split("\n");
  lines.forEach((line, i) => {
    const m = /^#{1,6}\s+(.+?)\s*$/.exec(line);
    if (!m) return;
    const slug = m[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    // the section's text up to the next heading
    const body: string[] = [];
    for (let j = i + 1; j < lines.length && !/^#{1,6}\s/.test(lines[j]!); j++) body.push(lines[j]!);
    anchors.set(slug, body.join("\n").trim());
  });
  return anchors;
}

// ---------------------------------------------------------------------------------------------------
// A loopback SMTP sink: enough SMTP for Alertmanager's email notifier, keeping every message it gets.

export interface Mail {
  from: string;
  to: string[];
  /** Headers and body, quoted-printable soft breaks and escapes decoded. */
  data: string;
}

export interface SmtpSink {
  port: number;
  mails: Mail[];
  stop(): void;
}

function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export function startSmtpSink(): SmtpSink {
  const mails: Mail[] = [];
  interface Session {
    buffer: string;
    inData: boolean;
    from: string;
    to: string[];
    data: string[];
  }
  const server = Bun.listen<Session>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(socket) {
        socket.data = { buffer: "", inData: false, from: "", to: [], data: [] };
        socket.write("220 meridian-test-sink ESMTP\r\n");
      },
      data(socket, chunk) {
        const s = socket.data;
        s.buffer += chunk.toString();
        let newline: number;
        while ((newline = s.buffer.indexOf("\r\n")) >= 0) {
          const line = s.buffer.slice(0, newline);
          s.buffer = s.buffer.slice(newline + 2);
          if (s.inData) {
            if (line === ".") {
              mails.push({ from: s.from, to: s.to, data: decodeQuotedPrintable(s.data.join("\r\n")) });
              Object.assign(s, { inData: false, from: "", to: [], data: [] });
              socket.write("250 queued\r\n");
            } else s.data.push(line.startsWith("..") ? line.slice(1) : line);
            continue;
          }
          const verb = line.slice(0, 4).toUpperCase();
          if (verb === "EHLO" || verb === "HELO") socket.write("250-meridian-test-sink\r\n250 8BITMIME\r\n");
          else if (verb === "MAIL") {
            s.from = /<([^>]*)>/.exec(line)?.[1] ?? "";
            socket.write("250 ok\r\n");
          } else if (verb === "RCPT") {
            s.to.push(/<([^>]*)>/.exec(line)?.[1] ?? "");
            socket.write("250 ok\r\n");
          } else if (verb === "DATA") {
            s.inData = true;
            socket.write("354 end with <CRLF>.<CRLF>\r\n");
          } else if (verb === "QUIT") {
            socket.write("221 bye\r\n");
            socket.end();
          } else socket.write("250 ok\r\n"); // RSET, NOOP
        }
      },
    },
  });
  return { port: server.port, mails, stop: () => server.stop(true) };
}
