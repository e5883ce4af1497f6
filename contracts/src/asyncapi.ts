/**
 * The AsyncAPI 3 document of Meridian's events: one channel per event type (its routing key on the
 * `meridian.events` topic exchange), one message per type (the kit's envelope with the type's TypeBox body
 * schema), and one operation per process and type it publishes (`send`) or consumes (`receive`), from the
 * service manifest. Pure: `bun run asyncapi` (generate.ts) writes it to docs/asyncapi.yaml.
 */
import { EnvelopeSchema, type EventType, eventSchemas, eventTypes } from "@meridian/kit/contracts";
import type { ServiceManifestEntry } from "../../services";
import { type ServiceRoles, serviceRoles } from "./roles";

export const EXCHANGE = "meridian.events";
const AMQP_BINDING_VERSION = "0.3.0";

/** A JSON object as it is written to the document. */
export type Json = { [key: string]: JsonValue };
type JsonValue = string | number | boolean | null | JsonValue[] | Json;

/** TypeBox schemas are JSON Schema plus symbol-keyed metadata: JSON keeps the former only. */
function jsonSchema(schema: object): Json {
  return JSON.parse(JSON.stringify(schema)) as Json;
}

/** `orders.order-created.v1` → `OrderCreatedV1`, the name of its body schema in the kit's catalogue. */
export function bodySchemaName(type: EventType): string {
  const [, name = type, version = ""] = type.split(".");
  const pascal = name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
  return `${pascal}${version.toUpperCase()}`;
}

const ref = (path: string): Json => ({ $ref: path });

/** Who publishes and who consumes `type`, as sentences for descriptions. */
function rolesOf(type: EventType, roles: readonly ServiceRoles[]): { publishers: string[]; consumers: string[] } {
  return {
    publishers: roles.filter((r) => r.publishes.includes(type)).map((r) => r.service),
    consumers: roles.filter((r) => r.consumes.includes(type)).map((r) => r.service),
  };
}

function listed(names: string[]): string {
  return names.length > 0 ? names.join(", ") : "none";
}

function channel(type: EventType, roles: readonly ServiceRoles[]): Json {
  const { publishers, consumers } = rolesOf(type, roles);
  return {
    address: type,
    title: type,
    description: `Routing key ${type} on the ${EXCHANGE} topic exchange. Published by: ${listed(publishers)}. Consumed by: ${listed(consumers)}.`,
    messages: { [type]: ref(`#/components/messages/${type}`) },
    bindings: {
      amqp: {
        is: "routingKey",
        exchange: { name: EXCHANGE, type: "topic", durable: true, autoDelete: false, vhost: "/" },
        bindingVersion: AMQP_BINDING_VERSION,
      },
    },
  };
}

function message(type: EventType): Json {
  const body = bodySchemaName(type);
  return {
    name: type,
    title: type,
    summary: `The envelope of an event of type ${type}; its body is ${body}.`,
    contentType: "application/json",
    correlationId: ref("#/components/correlationIds/correlationId"),
    headers: ref("#/components/schemas/AmqpHeaders"),
    payload: {
      allOf: [
        ref("#/components/schemas/Envelope"),
        {
          type: "object",
          required: ["type", "body"],
          properties: { type: { const: type }, body: ref(`#/components/schemas/${body}`) },
        },
      ],
    },
    bindings: { amqp: { messageType: type, bindingVersion: AMQP_BINDING_VERSION } },
  };
}

function operation(service: string, action: "send" | "receive", type: EventType): [string, Json] {
  const messageRef = ref(`#/channels/${type}/messages/${type}`);
  const common = { action, channel: ref(`#/channels/${type}`), messages: [messageRef], tags: [{ name: service }] };
  if (action === "send") {
    const summary = `${service} publishes ${type} (persistent, with publisher confirms).`;
    return [
      `${service}.publish.${type}`,
      { ...common, summary, bindings: { amqp: { deliveryMode: 2, bindingVersion: AMQP_BINDING_VERSION } } },
    ];
  }
  const summary = `${service} consumes ${type} from its queue ${service}.events (retries in ${service}.retry.<n>, parked in ${service}.error).`;
  return [`${service}.consume.${type}`, { ...common, summary, bindings: { amqp: { ack: true, bindingVersion: AMQP_BINDING_VERSION } } }];
}

function operations(roles: readonly ServiceRoles[]): Json {
  const entries = roles.flatMap((r) => [
    ...r.publishes.map((type) => operation(r.service, "send", type)),
    ...r.consumes.map((type) => operation(r.service, "receive", type)),
  ]);
  return Object.fromEntries(entries);
}

function schemas(): Json {
  const bodies = eventTypes.map((type) => [bodySchemaName(type), jsonSchema(eventSchemas[type])] as const);
  if (new Set(bodies.map(([name]) => name)).size !== bodies.length) throw new Error("two event types map to one body schema name");
  const headers = {
    type: "object",
    description: "AMQP headers next to the properties messageId, type, correlationId, appId (= source), timestamp.",
    properties: {
      traceparent: { type: "string", description: "W3C trace context of the publish span." },
      tracestate: { type: "string" },
      "x-causation-id": { type: "string", description: "The envelope's causationId." },
    },
  };
  return { Envelope: jsonSchema(EnvelopeSchema), AmqpHeaders: headers, ...Object.fromEntries(bodies) };
}

const DESCRIPTION = `Meridian's domain events and platform notices. Every event travels in the kit's envelope on the
durable topic exchange ${EXCHANGE} with its type as routing key; each consuming process has a quorum queue
<process>.events bound by the types it consumes. Operations are tagged with the process that publishes or
consumes (from the service manifest, services.ts). Generated by \`bun run asyncapi\`; do not edit by hand.`;

/** The whole document for a manifest (the real one is `services` of services.ts). */
export function asyncApiDocument(manifest: readonly ServiceManifestEntry[], version: string): Json {
  const roles = serviceRoles(manifest);
  return {
    asyncapi: "3.1.0",
    info: { title: "Meridian events", version, description: DESCRIPTION.replaceAll("\n", " ") },
    defaultContentType: "application/json",
    servers: {
      development: {
        host: "localhost:5672",
        protocol: "amqp",
        protocolVersion: "0.9.1",
        description: "RabbitMQ of the local development stack (bun run infra, compose.yml).",
      },
    },
    channels: Object.fromEntries(eventTypes.map((type) => [type, channel(type, roles)])),
    operations: operations(roles),
    components: {
      schemas: schemas(),
      messages: Object.fromEntries(eventTypes.map((type) => [type, message(type)])),
      correlationIds: { correlationId: { description: "Ties one business flow together.", location: "$message.payload#/correlationId" } },
    },
  };
}
