/**
 * Who publishes and who consumes each event type, as the service manifest (services.ts) says, with two readings
 * the manifest leaves implicit: `consumes: ["*"]` means every domain event (the catalogue without the platform's
 * own `system.*` notices), and every process that runs a consumer publishes `system.message-dead-lettered.v1`
 * (the kit's consumer announces each message it parks, under the consumer's name).
 */
import { type EventType, eventTypes } from "@meridian/kit/contracts";
import type { ServiceManifestEntry } from "../../services";

export const DEAD_LETTER_NOTICE: EventType = "system.message-dead-lettered.v1";

/** What one process publishes and consumes, each in catalogue order. */
export interface ServiceRoles {
  service: string;
  publishes: EventType[];
  consumes: EventType[];
}

/** The domain events `consumes: ["*"]` stands for. */
export const domainEventTypes: readonly EventType[] = eventTypes.filter((type) => !type.startsWith("system."));

function inCatalogueOrder(types: Iterable<EventType>): EventType[] {
  const wanted = new Set(types);
  return eventTypes.filter((type) => wanted.has(type));
}

export function consumedTypes(entry: Pick<ServiceManifestEntry, "consumes">): EventType[] {
  return inCatalogueOrder(entry.consumes.flatMap((type) => (type === "*" ? domainEventTypes : [type])));
}

export function publishedTypes(entry: Pick<ServiceManifestEntry, "consumes" | "publishes">): EventType[] {
  const kitNotices: EventType[] = entry.consumes.length > 0 ? [DEAD_LETTER_NOTICE] : [];
  return inCatalogueOrder([...entry.publishes, ...kitNotices]);
}

/** Roles of every manifest process that publishes or consumes anything, in manifest order. */
export function serviceRoles(manifest: readonly ServiceManifestEntry[]): ServiceRoles[] {
  return manifest
    .map((entry) => ({ service: entry.name, publishes: publishedTypes(entry), consumes: consumedTypes(entry) }))
    .filter((roles) => roles.publishes.length > 0 || roles.consumes.length > 0);
}
