/**
 * The envelope every event travels in, and validation of envelope + body against the catalogue.
 * Compiled validators are cached per type: validation runs on every publish and every delivery.
 */
import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import { type EventBody, type EventType, IsoDateTime, eventSchemas, isEventType } from "./events";

export const EnvelopeSchema = Type.Object({
  messageId: Type.String({ minLength: 1, maxLength: 128 }),
  type: Type.String({ pattern: "^[a-z0-9-]+\\.[a-z0-9-]+\\.v[0-9]+$" }),
  occurredAt: IsoDateTime,
  correlationId: Type.String({ minLength: 1, maxLength: 128 }),
  causationId: Type.String({ minLength: 1, maxLength: 128 }),
  source: Type.String({ minLength: 1, maxLength: 128 }),
  /** The entity the event is about (e.g. the orderId); consumers handle one aggregate's events in order. */
  aggregateId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  traceparent: Type.Optional(Type.String({ pattern: "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$" })),
  body: Type.Unknown(),
});

/** Envelope<T>: `correlationId` ties a whole business flow together (defaults to the first messageId);
 * `causationId` is the messageId of the message that caused this one (a root event causes itself). */
export type Envelope<T extends EventType = EventType> = Omit<Static<typeof EnvelopeSchema>, "type" | "body"> & {
  type: T;
  body: EventBody<T>;
};
/** Any envelope in the catalogue, discriminated on `type` (narrow with `if (e.type === "...")`). */
export type AnyEnvelope = { [K in EventType]: Envelope<K> }[EventType];

export interface ValidationIssue {
  /** JSON pointer into the envelope, e.g. `/body/lines/0/sku`. */
  path: string;
  message: string;
}

export class ContractError extends Error {
  constructor(
    message: string,
    readonly issues: ValidationIssue[],
  ) {
    super(message);
    this.name = "ContractError";
  }
}

const envelopeCheck = TypeCompiler.Compile(EnvelopeSchema);
const bodyChecks = new Map<EventType, TypeCheck<TSchema>>();

function bodyCheck(type: EventType): TypeCheck<TSchema> {
  let check = bodyChecks.get(type);
  if (!check) {
    check = TypeCompiler.Compile(eventSchemas[type]);
    bodyChecks.set(type, check);
  }
  return check;
}

function issuesOf(check: TypeCheck<TSchema>, value: unknown, prefix: string): ValidationIssue[] {
  return [...check.Errors(value)].slice(0, 10).map((e) => ({ path: `${prefix}${e.path}`, message: e.message }));
}

function describe(issues: ValidationIssue[]): string {
  return issues.map((i) => `${i.path || "/"}: ${i.message}`).join("; ");
}

/** Validates a body for a type; throws ContractError naming the failing fields. */
export function assertBody<T extends EventType>(type: T, body: unknown): asserts body is EventBody<T> {
  if (!isEventType(type)) throw new ContractError(`unknown event type ${type}`, [{ path: "/type", message: "unknown event type" }]);
  const check = bodyCheck(type);
  if (!check.Check(body)) {
    const issues = issuesOf(check, body, "/body");
    throw new ContractError(`invalid ${type} body: ${describe(issues)}`, issues);
  }
}

/** Parses and validates a complete envelope (as received from the wire). */
export function parseEnvelope(value: unknown): AnyEnvelope {
  if (!envelopeCheck.Check(value)) {
    const issues = issuesOf(envelopeCheck, value, "");
    throw new ContractError(`invalid envelope: ${describe(issues)}`, issues);
  }
  const { type } = value;
  if (!isEventType(type)) {
    throw new ContractError(`unknown event type ${type}`, [{ path: "/type", message: "not in the event catalogue" }]);
  }
  assertBody(type, value.body);
  return value as AnyEnvelope;
}

export function isValidBody<T extends EventType>(type: T, body: unknown): body is EventBody<T> {
  return isEventType(type) && bodyCheck(type).Check(body);
}
