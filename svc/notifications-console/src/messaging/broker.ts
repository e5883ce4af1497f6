/** The kit's broker for console commands: connect once, or fail within the timeout with a clear message. */
import { createLogger } from "@meridian/kit";
import { connectBroker, type Broker } from "@meridian/kit/messaging";
import { BrokerUnreachableError } from "./connection";

export interface KitBrokerOptions {
  url: string;
  exchange: string;
  timeoutMs: number;
  /** Envelope `source` of what it publishes. */
  service: string;
  verbose?: boolean;
}

export async function connectKitBroker(options: KitBrokerOptions): Promise<Broker> {
  const logger = createLogger({
    service: options.service,
    version: "cli",
    level: options.verbose ? "debug" : "silent",
    // stdout is for results.
    destination: process.stderr,
  });
  const broker = await connectBroker({
    url: options.url,
    service: options.service,
    logger,
    exchange: options.exchange,
    waitForConnection: false,
    reconnect: { initialDelayMs: 200, maxDelayMs: 1000 },
    confirmTimeoutMs: options.timeoutMs,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      broker.untilConnected(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no connection within ${options.timeoutMs} ms`)), options.timeoutMs);
      }),
    ]);
    return broker;
  } catch (err) {
    await broker.close();
    throw new BrokerUnreachableError(options.url, err);
  } finally {
    clearTimeout(timer);
  }
}
