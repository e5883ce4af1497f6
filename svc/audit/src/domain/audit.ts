/**
 * What the audit keeps: every domain event, appended to the stream of the aggregate it is about, and one
 * AuditDocument per event (who did what to which entity, when). Pure functions only.
 */
import { eventTypes, type AnyEnvelope, type EventType } from "@meridian/kit/contracts";

export const auditEntities = ["order", "product", "broadcast"] as const;
export type AuditEntity = (typeof auditEntities)[number];

/** Domain events: the catalogue without the platform's own `system.*` notices (a dead letter is not a fact of the business). */
export const auditedEventTypes: EventType[] = eventTypes.filter((type) => !type.startsWith("system."));

export interface StreamRef {
  /** Emmett stream name `<entity>-<id>`: Emmett takes the part before the first `-` as the stream type. */
  streamId: string;
  entity: AuditEntity;
  entityId: string;
}

export function streamId(entity: AuditEntity, entityId: string): string {
  return `${entity}-${entityId}`;
}

/** The aggregate an event belongs to: reservations and releases are part of the order's story. */
export function streamOf(envelope: AnyEnvelope): StreamRef {
  const ref = (entity: AuditEntity, entityId: string): StreamRef => ({ streamId: streamId(entity, entityId), entity, entityId });
  switch (envelope.type) {
    case "orders.order-created.v1":
    case "orders.order-confirmed.v1":
    case "orders.order-rejected.v1":
    case "orders.order-cancelled.v1":
    case "orders.order-shipped.v1":
    case "inventory.stock-reserved.v1":
    case "inventory.stock-rejected.v1":
    case "inventory.stock-released.v1":
      return ref("order", envelope.body.orderId);
    case "inventory.inventory-adjusted.v1":
    case "inventory.product-upserted.v1":
      return ref("product", envelope.body.sku);
    case "notifications.broadcast-sent.v1":
      return ref("broadcast", envelope.body.id);
    default:
      throw new Error(`event type ${envelope.type} is not audited`);
  }
}

/** Envelope fields kept with the event in the store (the message id is Emmett's own column). */
export interface AuditEventMetadata {
  occurredAt: string;
  correlationId: string;
  causationId: string;
  source: string;
  traceparent?: string;
  [key: string]: unknown;
}

/** An event as read back from a stream. */
export interface RecordedAuditEvent {
  type: string;
  data: Record<string, unknown>;
  metadata: AuditEventMetadata & { messageId: string; streamName: string };
}

export interface AuditDocument {
  /** The event's messageId. */
  id: string;
  entity: AuditEntity;
  entityId: string;
  /** The event type. */
  action: string;
  /** When it happened (the event's occurredAt, UTC). */
  timestamp: string;
  /** Who did it: the user for user actions, `service:<name>` for what a service decided. */
  actor: string;
  payload: Record<string, unknown>;
}

export function metadataOf(envelope: AnyEnvelope): AuditEventMetadata {
  return {
    occurredAt: new Date(envelope.occurredAt).toISOString(),
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    source: envelope.source,
    ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
  };
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

export function actorOf(type: string, data: Record<string, unknown>, source: string): string {
  const byUser = text(data.by) ?? (type === "orders.order-created.v1" ? text(data.customerId) : undefined);
  return byUser ?? `service:${source}`;
}

function entityOfStream(streamName: string): { entity: AuditEntity; entityId: string } {
  const dash = streamName.indexOf("-");
  const entity = streamName.slice(0, dash) as AuditEntity;
  if (dash < 0 || !auditEntities.includes(entity)) throw new Error(`stream ${streamName} is not an audit stream`);
  return { entity, entityId: streamName.slice(dash + 1) };
}

/** The projection: one document per recorded event, a function of the event alone (so replays rebuild it exactly). */
export function toAuditDocument(event: RecordedAuditEvent): AuditDocument {
  const { entity, entityId } = entityOfStream(event.metadata.streamName);
  return {
    id: event.metadata.messageId,
    entity,
    entityId,
    action: event.type,
    timestamp: new Date(event.metadata.occurredAt).toISOString(),
    actor: actorOf(event.type, event.data, event.metadata.source),
    payload: event.data,
  };
}
