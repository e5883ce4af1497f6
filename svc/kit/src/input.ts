/**
 * Input rules every API shares, checked before the route's schema: a request body is a JSON object; no
 * string carries NUL or an unpaired UTF-16 surrogate (PostgreSQL and UTF-8 cannot store them, so they would
 * surface as 500s or poison messages downstream); JSON nests at most MAX_DEPTH levels.
 */
import { problems, type FieldError } from "./errors";

export const MAX_DEPTH = 32;

/** The media types routes take bodies in (anything else is a 415). */
export const JSON_OR_FORM = /^\s*application\/(json|[\w.+-]+\+json|x-www-form-urlencoded)\s*(;|$)/i;

// NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what PostgreSQL cannot store
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** The first field (as a path) whose string breaks the rules, walking iteratively (no recursion on hostile depth). */
function firstBadField(root: unknown, rootPath: string): FieldError | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: root, path: rootPath, depth: 0 }];
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === "string") {
      if (UNSTORABLE.test(value)) return { field: path || "body", message: "must not contain NUL or unpaired surrogate characters" };
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth >= MAX_DEPTH) return { field: path || "body", message: `nests deeper than ${MAX_DEPTH} levels` };
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        stack.push({ value: v, path: childPath(path, i), depth: depth + 1 });
      });
    } else
      for (const [k, v] of Object.entries(value)) {
        if (UNSTORABLE.test(k))
          return { field: childPath(path, k), message: "names must not contain NUL or unpaired surrogate characters" };
        stack.push({ value: v, path: childPath(path, k), depth: depth + 1 });
      }
  }
  return undefined;
}

export interface InputParts {
  contentType: string | null;
  body: unknown;
  query: Record<string, unknown>;
  params: Record<string, unknown>;
}

/** Throws a 400 problem naming the field when the request breaks a shared input rule. */
export function assertStorableInput({ contentType, body, query, params }: InputParts): void {
  if (body !== undefined) {
    // Routes that read bodies take JSON (or a form); anything else Elysia turns into text, bytes or `{}`.
    if (!JSON_OR_FORM.test(contentType ?? "")) throw problems.unsupportedMediaType("Send the body as application/json.");
    if (body === null || typeof body !== "object" || Array.isArray(body))
      throw problems.validation([{ field: "body", message: "must be a JSON object" }]);
  }
  const bad =
    firstBadField(params, "params") ?? firstBadField(query, "query") ?? (body === undefined ? undefined : firstBadField(body, ""));
  if (bad) throw problems.validation([bad]);
}

const JSON_TYPE = /^\s*application\/(json|[\w.+-]+\+json)\s*(;|$)/i;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** JSON bytes read strictly: invalid UTF-8 (RFC 8259 requires UTF-8) or malformed JSON is a 400; empty is absent. */
export function parseJsonBytes(bytes: Uint8Array | ArrayBuffer): unknown {
  if (bytes.byteLength === 0) return undefined;
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw problems.badRequest("The request body is not valid UTF-8.");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw problems.badRequest("The request body could not be parsed.");
  }
}

/**
 * A route's `parse` hook that reads JSON strictly: invalid UTF-8 or malformed JSON is a 400 even where the body
 * is optional (Elysia then passes `undefined` or replacement characters on). An empty body stays absent.
 * Other media types fall through to Elysia's parsers (and the input rules).
 */
export async function strictJson({ request, contentType }: { request: Request; contentType: string }): Promise<unknown> {
  if (!JSON_TYPE.test(contentType ?? "")) return undefined;
  return parseJsonBytes(await request.arrayBuffer());
}
