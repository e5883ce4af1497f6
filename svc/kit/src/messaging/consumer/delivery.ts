/**
 * One delivery, start to end: parse and validate the envelope (invalid → parked at once), wait for its ordering key,
 * run the handler in a consumer span under the handler timeout with transient failures retried in place, then ack
 * — or hand it to the redelivery (retry queue or error queue). A timed-out handler's signal is aborted and its
 * ordering key stays held until it has really ended.
 */
import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, context, propagation, trace } from "@opentelemetry/api";
import type { ConfirmChannel, ConsumeMessage } from "amqplib";
import { type AnyEnvelope, type EventType, parseEnvelope } from "../../contracts";
import type { Logger } from "../../logging";
import { errorMessage } from "../broker";
import { attrs, instruments, tracer } from "../telemetry";
import type { OrderingKeys } from "./ordering";
import { headers, type Redelivery } from "./redelivery";
import type { ConsumerQueues } from "./topology";
import type { ConsumerOptions, EnvelopeOf, HandleOutcome, HandlerContext } from "./types";

export interface InPlaceRetry {
  attempts: number;
  initialDelayMs: number;
  isTransient: (error: unknown) => boolean;
}

export interface DeliverySettings<T extends EventType> {
  service: string;
  queues: ConsumerQueues;
  types: ReadonlySet<string>;
  handle: ConsumerOptions<T>["handle"];
  orderingKey?: ConsumerOptions<T>["orderingKey"];
  handlerTimeoutMs: number;
  inPlace: InPlaceRetry;
  log: Logger;
  ordering: OrderingKeys;
  redelivery: Redelivery;
}

/** Handles one message of `ch` completely; never throws (every outcome ends in an ack, a copy, or a nack). */
export async function deliver<T extends EventType>(settings: DeliverySettings<T>, ch: ConfirmChannel, msg: ConsumeMessage): Promise<void> {
  const messageHeaders = msg.properties.headers ?? {};
  const attempt = Number(messageHeaders[headers.attempt] ?? 0) + 1;
  const routingKey = String(messageHeaders[headers.originalRoutingKey] ?? msg.fields.routingKey);
  let envelope: AnyEnvelope;
  try {
    envelope = parseEnvelope(JSON.parse(msg.content.toString("utf8")));
  } catch (err) {
    const parked = { kind: "invalid_message" as const, reason: `invalid message: ${errorMessage(err)}`, attempts: attempt - 1, routingKey };
    return settings.redelivery.park(ch, msg, parked);
  }
  if (!settings.types.has(envelope.type)) {
    const reason = `type ${envelope.type} is not handled by ${settings.service}`;
    return settings.redelivery.park(ch, msg, { kind: "unhandled_type", reason, attempts: attempt - 1, routingKey });
  }
  const key = settings.orderingKey ? settings.orderingKey(envelope as EnvelopeOf<T>) : envelope.aggregateId;
  await settings.ordering.run(key, () => handleValid(settings, ch, msg, envelope, attempt, routingKey));
}

function consumerSpan(
  settings: DeliverySettings<EventType>,
  msg: ConsumeMessage,
  envelope: AnyEnvelope,
  attempt: number,
): { span: Span; parent: ReturnType<typeof propagation.extract> } {
  const messageHeaders = msg.properties.headers ?? {};
  const parent = propagation.extract(
    ROOT_CONTEXT,
    typeof messageHeaders.traceparent === "string" ? messageHeaders : { traceparent: envelope.traceparent },
  );
  const span = tracer().startSpan(
    `${envelope.type} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        "messaging.system": "rabbitmq",
        "messaging.operation.type": "process",
        "messaging.destination.name": settings.queues.events,
        "messaging.rabbitmq.destination.routing_key": envelope.type,
        "messaging.message.id": envelope.messageId,
        "messaging.message.conversation_id": envelope.correlationId,
        "messaging.consumer.group.name": settings.service,
        "messaging.delivery.attempt": attempt,
      },
    },
    parent,
  );
  return { span, parent };
}

async function handleValid<T extends EventType>(
  settings: DeliverySettings<T>,
  ch: ConfirmChannel,
  msg: ConsumeMessage,
  envelope: AnyEnvelope,
  attempt: number,
  routingKey: string,
): Promise<void> {
  const { span, parent } = consumerSpan(settings as DeliverySettings<EventType>, msg, envelope, attempt);
  const spanContext = trace.setSpan(parent, span);
  const started = performance.now();
  const abort = new AbortController();
  const ctx: HandlerContext = {
    log: settings.log.child({ messageId: envelope.messageId, type: envelope.type, attempt }),
    attempt,
    span,
    causedBy: { correlationId: envelope.correlationId, causationId: envelope.messageId },
    signal: abort.signal,
  };
  const running = context.with(spanContext, () => handleInPlace(settings, envelope as EnvelopeOf<T>, ctx));
  const timeoutMs = settings.handlerTimeoutMs;
  try {
    const outcome = await withTimeout(running, timeoutMs, () => abort.abort(new Error(`handler timed out after ${timeoutMs} ms`)));
    instruments().handlerDuration.record((performance.now() - started) / 1000, attrs(envelope.type));
    settings.redelivery.ack(ch, msg);
    const result = outcome === "duplicate" ? "duplicate" : "ack";
    instruments().consumed.add(1, attrs(envelope.type, { outcome: result }));
    span.setAttribute("messaging.outcome", result);
    span.setStatus({ code: SpanStatusCode.OK });
  } catch (err) {
    instruments().handlerDuration.record((performance.now() - started) / 1000, attrs(envelope.type));
    span.recordException(err instanceof Error ? err : new Error(String(err)));
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
    await context.with(spanContext, () => settings.redelivery.failed(ch, msg, attempt, errorMessage(err), routingKey, envelope));
    // A timed-out handler may still be running: hold this message's ordering key until it has ended, so the
    // next event of the same aggregate (its retry included) never runs beside it.
    if (abort.signal.aborted)
      await running.then(
        () => {},
        () => {},
      );
  } finally {
    span.end();
  }
}

/** The handler, with transient failures retried in place (the inbox makes a rolled-back try harmless to repeat). */
async function handleInPlace<T extends EventType>(
  settings: DeliverySettings<T>,
  envelope: EnvelopeOf<T>,
  ctx: HandlerContext,
): Promise<void | HandleOutcome> {
  const { inPlace } = settings;
  for (let tryNo = 1; ; tryNo++) {
    try {
      return await settings.handle(envelope, ctx);
    } catch (err) {
      if (tryNo >= inPlace.attempts || ctx.signal.aborted || !inPlace.isTransient(err)) throw err;
      const delayMs = inPlace.initialDelayMs * 4 ** (tryNo - 1);
      ctx.log.warn({ err: errorMessage(err), try: tryNo, retryInMs: delayMs }, "transient failure; retrying in place");
      await Bun.sleep(delayMs);
    }
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`handler timed out after ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
