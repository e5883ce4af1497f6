/** Records every domain event in the audit, once. */
import type { Logger } from "@meridian/kit";
import { startConsumer, type Broker, type Consumer } from "@meridian/kit/messaging";
import { auditedEventTypes, streamOf } from "../domain/audit";
import type { AuditStore } from "../store/audit-store";

export interface AuditConsumerOptions {
  broker: Broker;
  store: AuditStore;
  /** Queue names `<service>.events`, `.retry.<n>`, `.error`. */
  service: string;
  logger: Logger;
  retryDelaysMs?: number[];
}

export function startAuditConsumer(options: AuditConsumerOptions): Promise<Consumer> {
  return startConsumer({
    broker: options.broker,
    service: options.service,
    types: auditedEventTypes,
    logger: options.logger,
    // Events of one stream are recorded one at a time, in the order the broker delivers them (the producers'
    // order); different streams are recorded in parallel.
    prefetch: 16,
    orderingKey: (envelope) => streamOf(envelope).streamId,
    ...(options.retryDelaysMs ? { retry: { delaysMs: options.retryDelaysMs } } : {}),
    handle: async (envelope, { log }) => {
      const outcome = await options.store.append(envelope);
      if (outcome === "duplicate") log.debug("event already recorded; skipping");
      return outcome === "duplicate" ? "duplicate" : "applied";
    },
  });
}
