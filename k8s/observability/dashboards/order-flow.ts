/** Order flow: orders placed, confirmed/rejected, time to confirmation, and the events orders emits. */
import { RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { meridianDashboard, RATE, statPanel, timeSeries } from "./lib";

export function orderFlow() {
  return meridianDashboard({
    uid: "meridian-order-flow",
    title: "Meridian / Order flow",
    description: "Orders placed, their confirmation or rejection by inventory, and the saga's latency.",
  })
    .withRow(new RowBuilder("Now"))
    .withPanel(
      statPanel({
        title: "Orders / s",
        unit: "ops",
        decimals: 2,
        queries: [{ expr: `sum(rate(orders_placed_total[${RATE}]))`, legend: "orders/s" }],
      }),
    )
    .withPanel(
      statPanel({
        title: "Orders, last 24 h",
        queries: [{ expr: `sum(increase(orders_placed_total[24h]))`, legend: "orders", instant: true }],
        decimals: 0,
      }),
    )
    .withPanel(
      statPanel({
        title: "Rejected ratio (1 h)",
        unit: "percentunit",
        description: "Orders rejected by inventory out of all orders settled (confirmed or rejected) in the last hour.",
        queries: [
          {
            expr:
              `sum(increase(orders_confirmation_seconds_count{outcome="rejected"}[1h]))` +
              ` / sum(increase(orders_confirmation_seconds_count[1h]))`,
            legend: "rejected",
          },
        ],
        thresholds: [
          { value: null, color: "green" },
          { value: 0.1, color: "orange" },
          { value: 0.25, color: "red" },
        ],
      }),
    )
    .withPanel(
      statPanel({
        title: "Confirmation p95 (1 h)",
        unit: "s",
        queries: [
          {
            expr: `histogram_quantile(0.95, sum by (le) (rate(orders_confirmation_seconds_bucket{outcome="confirmed"}[1h])))`,
            legend: "p95",
          },
        ],
        thresholds: [
          { value: null, color: "green" },
          { value: 5, color: "orange" },
          { value: 30, color: "red" },
        ],
      }),
    )
    .withRow(new RowBuilder("Flow"))
    .withPanel(
      timeSeries({
        title: "Orders placed / s",
        unit: "ops",
        queries: [{ expr: `sum(rate(orders_placed_total[${RATE}]))`, legend: "placed" }],
      }),
    )
    .withPanel(
      timeSeries({
        title: "Status changes / s",
        unit: "ops",
        stacked: true,
        queries: [{ expr: `sum by (status) (rate(orders_status_changes_total[${RATE}]))`, legend: "{{status}}" }],
      }),
    )
    .withPanel(
      timeSeries({
        title: "Time to confirmation / rejection",
        unit: "s",
        description: "From POST /orders to the inventory answer (orders_confirmation_seconds).",
        queries: [
          {
            expr: `histogram_quantile(0.5, sum by (outcome, le) (rate(orders_confirmation_seconds_bucket[${RATE}])))`,
            legend: "p50 {{outcome}}",
          },
          {
            expr: `histogram_quantile(0.99, sum by (outcome, le) (rate(orders_confirmation_seconds_bucket[${RATE}])))`,
            legend: "p99 {{outcome}}",
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: "Rejected ratio",
        unit: "percentunit",
        min: 0,
        max: 1,
        queries: [
          {
            expr:
              `sum(rate(orders_confirmation_seconds_count{outcome="rejected"}[${RATE}]))` +
              ` / sum(rate(orders_confirmation_seconds_count[${RATE}]))`,
            legend: "rejected",
          },
        ],
      }),
    )
    .withRow(new RowBuilder("Events and API"))
    .withPanel(
      timeSeries({
        title: "Events published by orders / s",
        unit: "ops",
        queries: [
          {
            expr: `sum by (messaging_destination, outcome) (rate(messaging_published_total{service="orders"}[${RATE}]))`,
            legend: "{{messaging_destination}} {{outcome}}",
          },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: "Orders outbox backlog",
        description: "Rows committed with the order but not yet published (alert OutboxBacklogGrowing).",
        queries: [{ expr: `max(messaging_outbox_backlog{service="orders"})`, legend: "backlog" }],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: "Orders API requests / s by route",
        unit: "reqps",
        queries: [
          {
            expr: `sum by (http_request_method, http_route) (rate(http_server_request_duration_seconds_count{service="orders", http_route!~"/health/.*|/metrics"}[${RATE}]))`,
            legend: "{{http_request_method}} {{http_route}}",
          },
        ],
        width: 8,
      }),
    );
}
