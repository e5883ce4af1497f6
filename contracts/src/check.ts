/**
 * Compares three accounts of who publishes and consumes which event: the code (code-events.ts), the service
 * manifest (services.ts) and the AsyncAPI document (docs/asyncapi.yaml). Each difference is one problem line
 * that says what to change.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { EventType } from "@meridian/kit/contracts";
import { parse } from "yaml";
import type { ServiceManifestEntry } from "../../services";
import { type CodeEvents, readCodeEvents } from "./code-events";
import { consumedTypes, publishedTypes } from "./roles";

/** Where the kit's consumer lives: what it publishes, every process that starts a consumer publishes. */
export const KIT_CONSUMER = "svc/kit/src/messaging/consumer";

type Action = "send" | "receive";

/** `<process> send|receive <type>` for every operation of the document. */
export function documentOperations(yamlText: string): Set<string> {
  const document = parse(yamlText) as {
    channels?: Record<string, { address?: string }>;
    operations?: Record<string, { action?: string; channel?: { $ref?: string }; tags?: { name?: string }[] }>;
  };
  const operations = new Set<string>();
  for (const operation of Object.values(document.operations ?? {})) {
    const channelId = operation.channel?.$ref?.replace(/^#\/channels\//, "") ?? "";
    const address = document.channels?.[channelId]?.address;
    for (const tag of operation.tags ?? []) operations.add(`${tag.name} ${operation.action} ${address}`);
  }
  return operations;
}

/** What the code of `workspace` publishes, the kit consumer's notices included when it starts a consumer. */
async function codeOf(root: string, workspace: string, kitNotices: Map<EventType, string[]>): Promise<CodeEvents> {
  const code = await readCodeEvents(root, `${workspace}/src`);
  if (code.consumers.length > 0) {
    for (const [type, where] of kitNotices)
      code.publishes.set(type, [...(code.publishes.get(type) ?? []), ...where.map((w) => `${w} (the kit's consumer)`)]);
  }
  return code;
}

function compare(name: string, action: Action, code: Map<EventType, string[]>, manifest: EventType[], document: Set<string>): string[] {
  const verb = action === "send" ? "publishes" : "consumes";
  const problems: string[] = [];
  for (const [type, where] of code) {
    if (!manifest.includes(type))
      problems.push(`${name} ${verb} ${type} (${where.join(", ")}) but services.ts does not list it in ${verb}: add it there`);
    if (!document.has(`${name} ${action} ${type}`)) {
      problems.push(
        `${name} ${verb} ${type} (${where.join(", ")}) but docs/asyncapi.yaml has no ${action} operation for it: list it in services.ts and run bun run asyncapi`,
      );
    }
  }
  for (const type of manifest) {
    if (!code.has(type))
      problems.push(
        `services.ts says ${name} ${verb} ${type} but its code does not: remove it from services.ts (and run bun run asyncapi)`,
      );
  }
  return problems;
}

/** Types the code names outside a publication or consumer binding that the manifest lists neither way. */
function unlisted(name: string, code: CodeEvents, entry: ServiceManifestEntry): string[] {
  const listed = new Set<EventType>([...publishedTypes(entry), ...consumedTypes(entry), ...code.publishes.keys(), ...code.consumes.keys()]);
  return [...code.names]
    .filter(([type]) => !listed.has(type))
    .map(
      ([type, where]) =>
        `${name} names ${type} (${where.join(", ")}) but services.ts lists it neither in consumes nor in publishes: list it where it belongs`,
    );
}

/** Workspaces under svc/ besides the kit. */
function serviceWorkspaces(root: string): string[] {
  return readdirSync(join(root, "svc"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== "kit")
    .map((d) => `svc/${d.name}`)
    .sort();
}

/** Every difference between code, manifest and document under `root` (empty when they agree). */
export async function contractProblems(root: string, manifest: readonly ServiceManifestEntry[], documentText: string): Promise<string[]> {
  const document = documentOperations(documentText);
  const kitNotices = (await readCodeEvents(root, KIT_CONSUMER)).publishes;
  const problems: string[] = [];
  for (const entry of manifest) {
    const code = await codeOf(root, entry.workspace, kitNotices);
    problems.push(...code.unreadable);
    problems.push(...compare(entry.name, "send", code.publishes, publishedTypes(entry), document));
    problems.push(...compare(entry.name, "receive", code.consumes, consumedTypes(entry), document));
    problems.push(...unlisted(entry.name, code, entry));
  }
  const known = new Set(manifest.map((entry) => entry.workspace));
  for (const workspace of serviceWorkspaces(root).filter((w) => !known.has(w))) {
    const code = await readCodeEvents(root, `${workspace}/src`);
    const named = [...code.names.keys(), ...code.consumes.keys()];
    if (named.length > 0)
      problems.push(`${workspace} names ${[...new Set(named)].join(", ")} but is not a process of services.ts: add its entry`);
  }
  return problems;
}
