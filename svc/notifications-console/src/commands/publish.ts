/** `publish`: one event of the catalogue, validated, wrapped in the kit's envelope and confirmed by the broker. */
import type { EventBody, EventType } from "@meridian/kit/contracts";
import { assertEventType, readBody, validateBody, type BodySources } from "../domain/body";
import { connectKitBroker } from "../messaging/broker";
import type { Output } from "./output";

export interface PublishOptions extends BodySources {
  url: string;
  exchange: string;
  timeoutMs: number;
  source: string;
  correlationId?: string;
  messageId?: string;
  dryRun?: boolean;
  verbose?: boolean;
}

export async function publishCommand(type: string, options: PublishOptions, out: Output): Promise<void> {
  assertEventType(type);
  const body = await readBody(options);
  validateBody(type, body);
  if (options.dryRun) {
    out.result({ valid: true, type, body }, `valid ${type} body (not sent: --dry-run)\n${JSON.stringify(body, null, 2)}`);
    return;
  }
  const broker = await connectKitBroker({
    url: options.url,
    exchange: options.exchange,
    timeoutMs: options.timeoutMs,
    service: options.source,
    ...(options.verbose ? { verbose: true } : {}),
  });
  try {
    const envelope = await broker.publish(type as EventType, body as EventBody<EventType>, {
      ...(options.correlationId ? { correlationId: options.correlationId } : {}),
      ...(options.messageId ? { messageId: options.messageId } : {}),
    });
    out.result(envelope, `published ${envelope.type} ${envelope.messageId} to ${options.exchange}`);
  } finally {
    await broker.close();
  }
}
