/** Gateway: traffic per route, auth failures (401/403), rate limiting, circuit breaker state. */
import { RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { meridianDashboard, RATE, stateTimeline, timeSeries, valueText } from "./lib";

const GW = `service="gateway", http_route!~"/health/.*|/metrics"`;
const HTTP = `http_server_request_duration_seconds`;

export function gateway() {
  return meridianDashboard({
    uid: "meridian-gateway",
    title: "Meridian / Gateway",
    description: "The platform's edge: routes, authentication and authorisation failures, rate limits, circuits.",
  })
    .withRow(new RowBuilder("Routes"))
    .withPanel(
      timeSeries({
        title: "Requests / s by route",
        unit: "reqps",
        queries: [{ expr: `sum by (http_route) (rate(${HTTP}_count{${GW}}[${RATE}]))`, legend: "{{http_route}}" }],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: "Responses / s by status",
        unit: "reqps",
        stacked: true,
        queries: [
          {
            expr: `sum by (http_response_status_code) (rate(${HTTP}_count{${GW}}[${RATE}]))`,
            legend: "{{http_response_status_code}}",
          },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: "Latency p99 by route",
        unit: "s",
        queries: [
          {
            expr: `histogram_quantile(0.99, sum by (http_route, le) (rate(${HTTP}_bucket{${GW}}[${RATE}])))`,
            legend: "{{http_route}}",
          },
        ],
        width: 8,
      }),
    )
    .withRow(new RowBuilder("Security"))
    .withPanel(
      timeSeries({
        title: "Auth failures / s by reason",
        unit: "reqps",
        stacked: true,
        description:
          "401: missing_token, invalid_token. 403: insufficient_scope, claim_mismatch (alerts GatewayUnauthorizedSpike, GatewayForbiddenSpike).",
        queries: [{ expr: `sum by (reason) (rate(gateway_auth_failures_total[${RATE}]))`, legend: "{{reason}}" }],
      }),
    )
    .withPanel(
      timeSeries({
        title: "Rate limited / s by route",
        unit: "reqps",
        queries: [{ expr: `sum by (route) (rate(gateway_rate_limited_total[${RATE}]))`, legend: "{{route}}" }],
      }),
    )
    .withRow(new RowBuilder("Downstreams"))
    .withPanel(
      stateTimeline({
        title: "Circuit state by route",
        description: "0 closed (forwarding), 1 half-open (probing), 2 open (failing fast; alert GatewayCircuitOpen).",
        queries: [{ expr: `max by (route) (gateway_circuit_state)`, legend: "{{route}}" }],
        mappings: valueText({
          "0": { text: "closed", color: "green" },
          "1": { text: "half-open", color: "orange" },
          "2": { text: "open", color: "red" },
        }),
        thresholds: [
          { value: null, color: "green" },
          { value: 1, color: "orange" },
          { value: 2, color: "red" },
        ],
        width: 24,
      }),
    );
}
