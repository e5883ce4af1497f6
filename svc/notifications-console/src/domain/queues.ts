/** The queue names the platform's consumers declare (kit messaging: `<service>.events`, `.retry.<n>`, `.error`). */
import { queueNames } from "@meridian/kit/messaging";
import { services } from "../../../../services";

/**
 * Consuming services of the platform: the processes of the service manifest (services.ts) that consume events,
 * in its order. A consumer added there is listed here with no change to the console.
 */
export const KNOWN_SERVICES: readonly string[] = services.filter((s) => s.consumes.length > 0).map((s) => s.name);
/** Retry queues the kit declares by default (delays 1 s, 5 s, 30 s). */
export const DEFAULT_RETRIES = 3;

export function queuesOf(service: string, retries = DEFAULT_RETRIES): string[] {
  const q = queueNames(service, retries);
  return [q.events, ...q.retry, q.error];
}

/** `audit` or `audit.error` → the error queue and the events queue of that service. */
export function errorQueueOf(serviceOrQueue: string): { errorQueue: string; eventsQueue: string; service: string } {
  const service = serviceOrQueue.endsWith(".error") ? serviceOrQueue.slice(0, -".error".length) : serviceOrQueue;
  const q = queueNames(service, 0);
  return { errorQueue: q.error, eventsQueue: q.events, service };
}
