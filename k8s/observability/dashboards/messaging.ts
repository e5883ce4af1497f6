/** Messaging: publish/consume rates, retries, dead letters, handler time, queue depth (lag), outbox. */
import { RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { labelVariable, meridianDashboard, RATE, timeSeries } from "./lib";

const SEL = `service=~"$service"`;

export function messaging() {
  return meridianDashboard({
    uid: "meridian-messaging",
    title: "Meridian / Messaging",
    description: "RabbitMQ traffic through the kit's messaging module: rates, retries, dead letters, lag, outbox.",
  })
    .withVariable(labelVariable("service", "service", "messaging_consumed_total", "Consumer"))
    .withRow(new RowBuilder("Rates"))
    .withPanel(
      timeSeries({
        title: "Published / s by type",
        unit: "ops",
        queries: [
          {
            expr: `sum by (service, messaging_destination, outcome) (rate(messaging_published_total[${RATE}]))`,
            legend: "{{service}} {{messaging_destination}} {{outcome}}",
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: "Consumed / s by outcome",
        unit: "ops",
        stacked: true,
        description:
          "ack = handled, retry = sent to a retry queue, dead_letter = moved to the error queue, duplicate = already handled (inbox).",
        queries: [
          {
            expr: `sum by (service, outcome) (rate(messaging_consumed_total{${SEL}}[${RATE}]))`,
            legend: "{{service}} {{outcome}}",
          },
        ],
      }),
    )
    .withRow(new RowBuilder("Failures"))
    .withPanel(
      timeSeries({
        title: "Retries / s",
        unit: "ops",
        queries: [
          {
            expr: `sum by (service, messaging_destination) (rate(messaging_retried_total{${SEL}}[${RATE}]))`,
            legend: "{{service}} {{messaging_destination}}",
          },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: "Dead-lettered (per interval)",
        description: "Messages moved to <service>.error (alert MessagesDeadLettered).",
        queries: [
          {
            expr: `sum by (service, messaging_destination, reason) (increase(messaging_dead_lettered_total{${SEL}}[${RATE}]))`,
            legend: "{{service}} {{messaging_destination}} {{reason}}",
          },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: "Publish errors / s",
        unit: "ops",
        queries: [
          {
            expr: `sum by (service, messaging_destination) (rate(messaging_published_total{outcome="error"}[${RATE}]))`,
            legend: "{{service}} {{messaging_destination}}",
          },
        ],
        width: 8,
      }),
    )
    .withRow(new RowBuilder("Lag and latency"))
    .withPanel(
      timeSeries({
        title: "Queue depth (consumer lag)",
        description: "Ready messages per queue: work, retry and error queues (alerts QueueDepthGrowing, ErrorQueueNotEmpty).",
        queries: [{ expr: `max by (service, queue) (messaging_queue_depth{${SEL}})`, legend: "{{queue}}" }],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: "Handler duration p99",
        unit: "s",
        queries: [
          {
            expr: `histogram_quantile(0.99, sum by (service, messaging_destination, le) (rate(messaging_handler_duration_seconds_bucket{${SEL}}[${RATE}])))`,
            legend: "{{service}} {{messaging_destination}}",
          },
        ],
        width: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: "Outbox backlog",
        description: "Rows written in a business transaction and not yet published (alert OutboxBacklogGrowing).",
        queries: [{ expr: `max by (service) (messaging_outbox_backlog)`, legend: "{{service}}" }],
        width: 8,
      }),
    );
}
