/** Broker connections for the console: fail fast with a clear message when RabbitMQ cannot be reached. */
import { randomUUID } from "node:crypto";
import amqp, { type ChannelModel } from "amqplib";

export class BrokerUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    super(`cannot reach RabbitMQ at ${redact(url)}: ${cause instanceof Error ? cause.message || cause.name : String(cause)}`);
    this.name = "BrokerUnreachableError";
  }
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(invalid URL)";
  }
}

export async function openConnection(url: string, timeoutMs: number): Promise<ChannelModel> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const attempt = amqp.connect(url, {
    timeout: timeoutMs,
    clientProperties: { connection_name: `notifications-console:${process.pid}:${randomUUID().slice(0, 8)}` },
  });
  try {
    const connection = await Promise.race([
      attempt,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    connection.on("error", () => {});
    return connection;
  } catch (err) {
    attempt.then((c) => c.close()).catch(() => {});
    throw new BrokerUnreachableError(url, err);
  } finally {
    clearTimeout(timer);
  }
}
