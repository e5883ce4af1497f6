/**
 * Alert and recording rules (k8s/observability/prometheus/rules; the Helm chart reads them through its
 * files/rules symlink): promtool check and unit tests, every alert tested both firing and
 * not firing, every alert with severity, summary and a runbook section that exists.
 */
import { describe, expect, test } from "bun:test";
import { basename } from "node:path";
import { readFileSync } from "node:fs";
import {
  alertRules,
  listFiles,
  markdownAnchors,
  readYaml,
  recordingRuleNames,
  RULES_DIR,
  RULE_TESTS_DIR,
  RUNBOOKS,
  run,
  TOOLS,
} from "./observability-support";

interface RuleTestFile {
  rule_files: string[];
  tests: Array<{ name?: string; alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
}

const ruleFiles = listFiles(RULES_DIR, ".yml");
const testFiles = listFiles(RULE_TESTS_DIR, ".test.yml");

describe("Prometheus rules", () => {
  test("when promtool checks the rule files, then every file is valid and has rules", () => {
    expect(ruleFiles.length).toBeGreaterThanOrEqual(4);
    const r = run([TOOLS.promtool, "check", "rules", ...ruleFiles]);
    expect(r.stderr + r.stdout).not.toContain("FAILED");
    expect(r.code).toBe(0);
    expect(r.stdout.match(/SUCCESS: \d+ rules found/g)?.length).toBe(ruleFiles.length);
  });

  for (const file of testFiles) {
    test(`when promtool runs the unit tests in ${basename(file)}, then they pass`, () => {
      const r = run([TOOLS.promtool, "test", "rules", basename(file)], RULE_TESTS_DIR);
      expect(`${r.stdout}\n${r.stderr}`).toContain("SUCCESS");
      expect(r.code).toBe(0);
    });
  }

  test("when the unit tests are read, then every alert has a firing case and a not-firing case", () => {
    const firing = new Set<string>();
    const quiet = new Set<string>();
    const covered = new Set<string>();
    for (const file of testFiles) {
      const spec = readYaml<RuleTestFile>(file);
      for (const ruleFile of spec.rule_files) covered.add(basename(ruleFile));
      for (const t of spec.tests) {
        for (const check of t.alert_rule_test ?? []) {
          ((check.exp_alerts ?? []).length > 0 ? firing : quiet).add(check.alertname);
        }
      }
    }
    const alerts = alertRules().map((r) => r.alert!);
    expect(alerts.length).toBeGreaterThanOrEqual(12);
    expect(alerts.filter((a) => !firing.has(a))).toEqual([]);
    expect(alerts.filter((a) => !quiet.has(a))).toEqual([]);
    expect(ruleFiles.map((f) => basename(f)).filter((f) => !covered.has(f))).toEqual([]);
  });

  test("when the issue's alert list is compared with the rules, then each concern has an alert", () => {
    const exprs = alertRules().map((r) => r.expr);
    const uses = (metric: string) => exprs.some((e) => e.includes(metric));
    expect(uses("up == 0")).toBe(true); // a service down
    expect(uses("health_dependency_up")).toBe(true); // readiness failing
    expect(uses("http_server_errors")).toBe(true); // 5xx ratio per route (recording rule)
    expect(uses("http_server_request_duration_seconds:p99")).toBe(true); // p99 per route
    expect(uses("messaging_queue_depth")).toBe(true); // consumer lag
    expect(uses("messaging_dead_lettered_total")).toBe(true);
    expect(uses("messaging_outbox_backlog")).toBe(true);
    expect(uses('status="401"') && uses('status="403"')).toBe(true); // gateway auth spikes
    expect(uses("kube_pod_container_status_restarts_total")).toBe(true);
  });

  test("when the alerts are read, then each has a severity, a summary and a runbook section that says what to check", () => {
    const anchors = markdownAnchors(readFileSync(RUNBOOKS, "utf8"));
    const problems: string[] = [];
    for (const rule of alertRules()) {
      const where = rule.alert!;
      if (!["critical", "warning", "info"].includes(rule.labels?.severity ?? "")) problems.push(`${where}: severity`);
      if (!rule.annotations?.summary) problems.push(`${where}: summary`);
      if (!rule.annotations?.description) problems.push(`${where}: description`);
      const m = /^docs\/runbooks\.md#([a-z0-9-]+)$/.exec(rule.annotations?.runbook_url ?? "");
      if (!m) {
        problems.push(`${where}: runbook_url is not docs/runbooks.md#<anchor>`);
        continue;
      }
      const section = anchors.get(m[1]!);
      if (section === undefined) problems.push(`${where}: docs/runbooks.md has no section #${m[1]}`);
      else if (!/check/i.test(section) || section.length < 200) problems.push(`${where}: runbook section #${m[1]} is too thin`);
    }
    expect(problems).toEqual([]);
  });

  test("when recording rules are named, then they follow level:metric:operations and are used by an alert", () => {
    const exprs = alertRules()
      .map((r) => r.expr)
      .join("\n");
    for (const name of recordingRuleNames()) {
      expect(name).toMatch(/^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/);
      expect(exprs).toContain(name);
    }
  });
});
