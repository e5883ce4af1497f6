/** Publishing a batch of outbox rows as envelopes, in order, with publisher confirms. */
import type { Envelope, EventType } from "../../contracts";
import { type Broker, errorMessage } from "../broker";
import type { OutboxRow, PublishBatch } from "./types";

function envelopeOf(row: OutboxRow, source: string): Envelope {
  return {
    messageId: row.messageId,
    type: row.type as EventType,
    occurredAt: row.occurredAt,
    correlationId: row.correlationId,
    causationId: row.causationId,
    source,
    ...(row.aggregateId ? { aggregateId: row.aggregateId } : {}),
    ...(row.traceparent ? { traceparent: row.traceparent } : {}),
    body: row.body,
  } as Envelope;
}

/** Publishes rows pipelined on one confirm channel (the broker keeps their order) and waits for every confirm. */
export function envelopePublisher(broker: Broker, source: string): PublishBatch {
  return async (rows) => {
    const results = await Promise.allSettled(rows.map((row) => broker.publishEnvelope(envelopeOf(row, source))));
    const firstFailure = results.findIndex((r) => r.status === "rejected");
    if (firstFailure === -1) return { sent: rows.length };
    const failure = results[firstFailure];
    const error = failure?.status === "rejected" ? errorMessage(failure.reason) : "publish failed";
    return { sent: firstFailure, error };
  };
}
