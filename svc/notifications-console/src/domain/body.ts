/**
 * Event bodies from the command line: a JSON object from `--body`, a JSON file, or `--set path=value` pairs
 * (applied last, so a file can be adjusted). Validated against the contracts before anything is sent.
 */
import { assertBody, ContractError, isEventType, type EventType } from "@meridian/kit/contracts";

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${what} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InputError(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

/** `value` as JSON when it parses (numbers, booleans, arrays, objects, quoted strings), else the raw string. */
function parseValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Sets `lines.0.sku`-style paths; numeric segments index arrays. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split(".");
  if (segments.some((s) => s === "" || s === "__proto__" || s === "constructor" || s === "prototype"))
    throw new InputError(`invalid field path "${path}"`);
  let node: Record<string, unknown> | unknown[] = target;
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    const key: string | number = Array.isArray(node) ? Number(segment) : segment;
    if (Array.isArray(node) && !Number.isInteger(key)) throw new InputError(`"${segment}" in "${path}" must be an array index`);
    const container = node as Record<string | number, unknown>;
    if (last) {
      container[key] = value;
      return;
    }
    const next = container[key];
    if (typeof next !== "object" || next === null) {
      container[key] = /^\d+$/.test(segments[i + 1] as string) ? [] : {};
    }
    node = container[key] as Record<string, unknown> | unknown[];
  });
}

export interface BodySources {
  body?: string;
  file?: string;
  set?: string[];
}

export async function readBody(sources: BodySources): Promise<Record<string, unknown>> {
  if (sources.body !== undefined && sources.file !== undefined) throw new InputError("give the body with --body or --file, not both");
  let body: Record<string, unknown> = {};
  if (sources.body !== undefined) body = parseJsonObject(sources.body, "--body");
  if (sources.file !== undefined) {
    const file = Bun.file(sources.file);
    if (!(await file.exists())) throw new InputError(`--file ${sources.file} does not exist`);
    body = parseJsonObject(await file.text(), `--file ${sources.file}`);
  }
  for (const pair of sources.set ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new InputError(`--set expects path=value, got "${pair}"`);
    setPath(body, pair.slice(0, eq), parseValue(pair.slice(eq + 1)));
  }
  return body;
}

export function assertEventType(type: string): asserts type is EventType {
  if (!isEventType(type)) throw new InputError(`unknown event type "${type}" (see \`meridian-events types\`)`);
}

/** Validates against the catalogue; the message lists each failing field. */
export function validateBody(type: EventType, body: unknown): void {
  try {
    assertBody(type, body);
  } catch (err) {
    if (err instanceof ContractError)
      throw new InputError(
        `invalid ${type} body:\n${err.issues.map((i) => `  ${i.path.replace(/^\/body/, "") || "/"}: ${i.message}`).join("\n")}`,
      );
    throw err;
  }
}
