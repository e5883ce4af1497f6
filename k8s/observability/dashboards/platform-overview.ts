/** Platform overview: every process up, dependencies ready, RED (rate, errors, duration) per service. */
import { RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { labelVariable, meridianDashboard, RATE, statPanel, stateTimeline, timeSeries, valueText } from "./lib";

const HTTP = `http_server_request_duration_seconds`;
const SEL = `service=~"$service"`;

export function platformOverview() {
  return meridianDashboard({
    uid: "meridian-overview",
    title: "Meridian / Platform overview",
    description: "Health and RED signals of every Meridian service (kit HTTP metrics).",
  })
    .withVariable(labelVariable("service", "service", `${HTTP}_count`, "Service"))
    .withRow(new RowBuilder("Health"))
    .withPanel(
      statPanel({
        title: "Targets up",
        description: "Scrape targets answering /metrics, out of all targets.",
        queries: [
          { expr: `sum(up)`, legend: "up", instant: true },
          { expr: `count(up)`, legend: "all", instant: true },
        ],
        width: 4,
      }),
    )
    .withPanel(
      stateTimeline({
        title: "Scrape targets",
        description: "1 = Prometheus scraped the target, 0 = down (ServiceDown fires after 2 minutes).",
        queries: [{ expr: `up`, legend: "{{job}} {{instance}}" }],
        mappings: valueText({ "0": { text: "down", color: "red" }, "1": { text: "up", color: "green" } }),
        thresholds: [
          { value: null, color: "red" },
          { value: 1, color: "green" },
        ],
        width: 10,
      }),
    )
    .withPanel(
      stateTimeline({
        title: "Readiness dependencies",
        description: "health_dependency_up per service and dependency (what /health/ready checks).",
        queries: [{ expr: `min by (service, dependency) (health_dependency_up{${SEL}})`, legend: "{{service}} → {{dependency}}" }],
        mappings: valueText({ "0": { text: "down", color: "red" }, "1": { text: "up", color: "green" } }),
        thresholds: [
          { value: null, color: "red" },
          { value: 1, color: "green" },
        ],
        width: 10,
      }),
    )
    .withRow(new RowBuilder("RED per service"))
    .withPanel(
      timeSeries({
        title: "Request rate",
        unit: "reqps",
        queries: [{ expr: `sum by (service) (rate(${HTTP}_count{${SEL}}[${RATE}]))`, legend: "{{service}}" }],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: "5xx ratio",
        unit: "percentunit",
        min: 0,
        description: "Share of requests answered with a 5xx status (alert HttpErrorRatioHigh: 5% per route).",
        queries: [
          {
            expr:
              `sum by (service) (rate(${HTTP}_count{${SEL}, http_response_status_code=~"5.."}[${RATE}]))` +
              ` / sum by (service) (rate(${HTTP}_count{${SEL}}[${RATE}]))`,
            legend: "{{service}}",
          },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: "Latency p99",
        unit: "s",
        description: "99th percentile request duration (SLO 1 s per route, alert HttpLatencyP99High).",
        queries: [
          {
            expr: `histogram_quantile(0.99, sum by (service, le) (rate(${HTTP}_bucket{${SEL}}[${RATE}])))`,
            legend: "{{service}}",
          },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: "Responses by status",
        unit: "reqps",
        stacked: true,
        queries: [
          {
            expr: `sum by (service, http_response_status_code) (rate(${HTTP}_count{${SEL}}[${RATE}]))`,
            legend: "{{service}} {{http_response_status_code}}",
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: "Latency p50 / p99 by route",
        unit: "s",
        queries: [
          {
            expr: `histogram_quantile(0.5, sum by (service, http_route, le) (rate(${HTTP}_bucket{${SEL}}[${RATE}])))`,
            legend: "p50 {{service}} {{http_route}}",
          },
          {
            expr: `histogram_quantile(0.99, sum by (service, http_route, le) (rate(${HTTP}_bucket{${SEL}}[${RATE}])))`,
            legend: "p99 {{service}} {{http_route}}",
          },
        ],
      }),
    )
    .withRow(new RowBuilder("Runtime"))
    .withPanel(
      timeSeries({
        title: "CPU",
        unit: "percentunit",
        queries: [{ expr: `sum by (service) (rate(process_cpu_seconds_total{${SEL}}[${RATE}]))`, legend: "{{service}}" }],
        width: 6,
      }),
    )
    .withPanel(
      timeSeries({
        title: "Resident memory",
        unit: "bytes",
        queries: [{ expr: `sum by (service) (process_resident_memory_bytes{${SEL}})`, legend: "{{service}}" }],
        width: 6,
      }),
    )
    .withPanel(
      timeSeries({
        title: "JS heap used",
        unit: "bytes",
        queries: [{ expr: `sum by (service) (nodejs_heap_used_bytes{${SEL}})`, legend: "{{service}}" }],
        width: 6,
      }),
    )
    .withPanel(
      timeSeries({
        title: "Uptime",
        unit: "s",
        description: "Seconds since each process started; a drop is a restart.",
        queries: [{ expr: `time() - max by (service) (process_start_time_seconds{${SEL}})`, legend: "{{service}}" }],
        width: 6,
      }),
    );
}
