/** `publish`: one event of the catalogue, validated, wrapped in the kit's envelope and confirmed by the broker. */
import { createLogger } from "@meridian/kit";
import type { EventBody, EventType } from "@meridian/kit/contracts";
import { connectBroker } from "@meridian/kit/messaging";
import { assertEventType, readBody, validateBody, type BodySources } from "../domain/body";
import { BrokerUnreachableError } from "../messaging/connection";
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
  const logger = createLogger({
    service: options.source,
    version: "cli",
    level: options.verbose ? "debug" : "silent",
    destination: process.stderr,
  });
  const broker = await connectBroker({
    url: options.url,
    service: options.source,
    logger,
    exchange: options.exchange,
    waitForConnection: false,
    reconnect: { initialDelayMs: 200, maxDelayMs: 1000 },
    confirmTimeoutMs: options.timeoutMs,
  });
  try {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      broker.untilConnected(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no connection within ${options.timeoutMs} ms`)), options.timeoutMs);
      }),
    ])
      .catch((err: unknown) => {
        throw new BrokerUnreachableError(options.url, err);
      })
      .finally(() => clearTimeout(timer));
    const envelope = await broker.publish(type as EventType, body as EventBody<EventType>, {
      ...(options.correlationId ? { correlationId: options.correlationId } : {}),
      ...(options.messageId ? { messageId: options.messageId } : {}),
    });
    out.result(envelope, `published ${envelope.type} ${envelope.messageId} to ${options.exchange}`);
  } finally {
    await broker.close();
  }
}
