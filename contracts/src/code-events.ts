/**
 * What a workspace's code really publishes and consumes, read from its source (Babel's TypeScript parser):
 * - consumed: the `types` of each `startConsumer({ types })` call: an array of literals, or a constant declared in
 *   the workspace (read by importing the module that declares it, so a computed list counts as it runs);
 * - published: each catalogue type written as a call argument (`broker.publish("t", …)`, `orderEvent(o, "t", …)`)
 *   or as the value of a `type:` property (`outbox.enqueue(tx, { type: "t", … })`).
 * A literal compared against (`case "t":`, `=== "t"`) or named in a type (`Envelope<"t">`) is neither, but every
 * named type is kept too: a type the code names and the manifest does not list is reported (a publication through
 * a constant, `const t = "…"; publish(t, …)`, is found that way).
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { type EventType, eventTypes, isEventType } from "@meridian/kit/contracts";
import { type AstNode, calleeName, parseModule, propertyValue, sourceFiles, unwrap, walk } from "./ast";

export interface CodeEvents {
  /** Types its consumers bind, each with where (`path:line` of the startConsumer call). */
  consumes: Map<EventType, string[]>;
  /** Types it publishes, each with where (`path:line`). */
  publishes: Map<EventType, string[]>;
  /** Every catalogue type its code names at all (e.g. through a constant a publication then uses), with where. */
  names: Map<EventType, string[]>;
  /** Where it starts consumers (the kit's consumer then publishes dead-letter notices under its name). */
  consumers: string[];
  /** What could not be read (e.g. `types` computed inline): reported, never guessed. */
  unreadable: string[];
}

function add(map: Map<EventType, string[]>, type: EventType, where: string): void {
  map.set(type, [...(map.get(type) ?? []), where]);
}

/** A literal naming a catalogue type, written where a publication names its type. */
function publishedLiteral(node: AstNode, parent: AstNode | undefined): EventType | undefined {
  if (node.type !== "StringLiteral" || !parent || !isEventType(node.value as string)) return undefined;
  const asArgument =
    (parent.type === "CallExpression" || parent.type === "NewExpression") && (parent.arguments as AstNode[]).includes(node);
  const key = parent.key as AstNode | undefined;
  const asTypeProperty = parent.type === "ObjectProperty" && parent.value === node && key?.type === "Identifier" && key.name === "type";
  return asArgument || asTypeProperty ? (node.value as EventType) : undefined;
}

/** Catalogue types of an array literal, or undefined when an element is not a catalogue type literal. */
function literalTypes(array: AstNode): EventType[] | undefined {
  const values = (array.elements as (AstNode | null)[]).map((e) => (e?.type === "StringLiteral" ? (e.value as string) : undefined));
  return values.every((v): v is EventType => v !== undefined && isEventType(v)) ? values : undefined;
}

/** The value of the constant `name` declared in `file`, as the module exports it. */
async function importedTypes(file: string, name: string): Promise<EventType[] | undefined> {
  const value: unknown = (await import(file))[name];
  return Array.isArray(value) && value.every((v) => typeof v === "string" && isEventType(v)) ? (value as EventType[]) : undefined;
}

/** A source file, parsed only when it can matter (parsing every file of a workspace takes seconds). */
interface SourceFile {
  path: string;
  text: string;
  where: (node: AstNode) => string;
  program?: AstNode;
}

function programOf(file: SourceFile): AstNode {
  file.program ??= parseModule(file.text);
  return file.program;
}

/** The initializer of the variable `name` declared in one of `files`, with its file. */
function declarationOf(files: SourceFile[], name: string): { file: string; init: AstNode } | undefined {
  const declares = new RegExp(`\\b(const|let|var)\\s+${name}\\b`);
  for (const file of files.filter((f) => declares.test(f.text))) {
    let found: AstNode | undefined;
    walk(programOf(file), (node) => {
      const id = node.id as AstNode | undefined;
      if (node.type === "VariableDeclarator" && id?.type === "Identifier" && id.name === name && node.init) found ??= node.init as AstNode;
    });
    if (found) return { file: file.path, init: found };
  }
  return undefined;
}

async function resolveTypes(types: AstNode | undefined, files: SourceFile[]): Promise<EventType[] | undefined> {
  if (types?.type === "ArrayExpression") return literalTypes(types);
  if (types?.type !== "Identifier") return undefined;
  const declaration = declarationOf(files, types.name as string);
  if (!declaration) return undefined;
  const init = unwrap(declaration.init);
  return init.type === "ArrayExpression" ? literalTypes(init) : importedTypes(declaration.file, types.name as string);
}

function readSources(root: string, sourceDir: string): SourceFile[] {
  return sourceFiles(join(root, sourceDir)).map((path) => {
    const name = relative(root, path);
    return { path, text: readFileSync(path, "utf8"), where: (node) => `${name}:${node.loc?.start.line ?? "?"}` };
  });
}

/** Only a file that starts a consumer or names a catalogue type can publish or consume one. */
const mayMatter = new RegExp(["startConsumer", ...eventTypes.map((t) => t.replaceAll(".", "\\."))].join("|"));

/** Reads what the code under `sourceDir` (relative to `root`, e.g. `svc/orders/src`) publishes and consumes. */
export async function readCodeEvents(root: string, sourceDir: string): Promise<CodeEvents> {
  const files = readSources(root, sourceDir);
  const events: CodeEvents = { consumes: new Map(), publishes: new Map(), names: new Map(), consumers: [], unreadable: [] };
  const consumerCalls: { where: string; types: AstNode | undefined }[] = [];
  for (const file of files.filter((f) => mayMatter.test(f.text))) {
    walk(programOf(file), (node, parent) => {
      if (node.type === "StringLiteral" && isEventType(node.value as string)) add(events.names, node.value as EventType, file.where(node));
      const published = publishedLiteral(node, parent);
      if (published) add(events.publishes, published, file.where(node));
      if (node.type !== "CallExpression" || calleeName(node) !== "startConsumer") return;
      consumerCalls.push({ where: file.where(node), types: propertyValue((node.arguments as AstNode[])[0] ?? node, "types") });
    });
  }
  for (const { where, types: node } of consumerCalls) {
    events.consumers.push(where);
    const types = await resolveTypes(node, files);
    if (types) for (const type of types) add(events.consumes, type, where);
    else
      events.unreadable.push(
        `${where}: startConsumer's types are neither an array of event type literals nor a constant of the workspace holding one`,
      );
  }
  return events;
}
