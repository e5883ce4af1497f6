/** `tail`: prints events as they pass the exchange, for routing-key patterns (`orders.#`, `*.*.v1`, `#`). */
import { randomUUID } from "node:crypto";
import { openConnection } from "../messaging/connection";
import type { Output } from "./output";

export interface TailOptions {
  url: string;
  exchange: string;
  timeoutMs: number;
  /** Stop after this many events. */
  count?: number;
}

interface WireEnvelope {
  messageId?: string;
  type?: string;
  occurredAt?: string;
  source?: string;
  correlationId?: string;
  body?: unknown;
}

export async function tailCommand(patterns: string[], options: TailOptions, out: Output): Promise<void> {
  const connection = await openConnection(options.url, options.timeoutMs);
  const ch = await connection.createChannel();
  // Same declaration as the services' (topic, durable): tailing before any service started still works.
  await ch.assertExchange(options.exchange, "topic", { durable: true });
  const { queue } = await ch.assertQueue(`notifications-console.tail.${randomUUID().slice(0, 8)}`, {
    exclusive: true,
    autoDelete: true,
    durable: false,
  });
  const bindings = patterns.length > 0 ? patterns : ["#"];
  for (const pattern of bindings) await ch.bindQueue(queue, options.exchange, pattern);

  let seen = 0;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const stop = () => finish();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  connection.on("close", stop);

  await ch.consume(
    queue,
    (msg) => {
      if (!msg) return stop();
      const text = msg.content.toString("utf8");
      let envelope: WireEnvelope | undefined;
      try {
        envelope = JSON.parse(text) as WireEnvelope;
      } catch {
        envelope = undefined;
      }
      const routingKey = msg.fields.routingKey;
      if (out.json) out.result(envelope ?? { routingKey, raw: text }, "");
      else if (envelope)
        out.result(
          envelope,
          `${envelope.occurredAt ?? "-"}  ${routingKey}  ${envelope.messageId ?? "-"}  from ${envelope.source ?? "?"}  ${JSON.stringify(envelope.body)}`,
        );
      else out.result(undefined, `-  ${routingKey}  (not JSON) ${text.slice(0, 200)}`);
      seen += 1;
      if (options.count !== undefined && seen >= options.count) stop();
    },
    { noAck: true },
  );
  out.note(`tailing ${options.exchange} for ${bindings.join(", ")} (Ctrl-C to stop)`);
  await done;
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  await connection.close().catch(() => {});
}
