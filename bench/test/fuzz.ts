/**
 * Hostile requests generated from the services' OpenAPI documents: per operation, a valid baseline and mutations
 * of one thing at a time (a path parameter, a query parameter, a body field, a header, the whole body). Each case
 * says whether the platform must refuse it (`reject`: invalid by the operation's schema) or may take it (`any`:
 * odd but valid, e.g. unicode or injection strings in a free-text field). Choices come from a seeded generator.
 */
import { seededRandom } from "./support";

/** The subset of JSON Schema the services' OpenAPI documents use. */
export interface Schema {
  type?: string;
  format?: string;
  pattern?: string;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: Schema;
}

export interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema: Schema;
}

export interface Operation {
  service: string;
  method: string;
  /** Path in the service, e.g. /api/orders/{id}. */
  path: string;
  /** Path at the gateway, e.g. /orders/{id}; undefined when no route publishes the operation. */
  gatewayPath?: string;
  parameters: Parameter[];
  body?: Schema;
  /** Declared open to anyone (`security: []` in the OpenAPI document): answering without a token is right. */
  anonymous: boolean;
}

export interface FuzzCase {
  id: string;
  operation: Operation;
  label: string;
  expect: "reject" | "any";
  method: string;
  /** Path and query as sent (already encoded). */
  target: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** Values the generator needs to build valid requests (things that exist on the platform). */
export interface FuzzContext {
  sku: string;
  orderId: string;
  seed: number;
}

export const INJECTIONS = [
  "' OR '1'='1",
  "1; DROP TABLE orders; --",
  '"; DROP TABLE products; --',
  "' UNION SELECT NULL, current_user --",
  '{"$gt": ""}',
  "$where: '1 == 1'",
  "<script>alert(1)</script>",
  "{{7*7}}${7*7}",
  "${jndi:ldap://127.0.0.1/a}",
  "../../../../etc/passwd",
  "%s%s%s%n",
  "\\u0000",
  "*)(uid=*))(|(uid=*",
  "%27%20OR%201=1",
  "KEYS *\r\nFLUSHALL\r\n",
];

export const UNICODE = [
  "ünïcödé ñame",
  "日本語の名前",
  "emoji 💥🔥🧨",
  "right-to-left \u202Egnp.exe",
  "zero\u200Bwidth\u200Djoiner",
  "combining e\u0301\u0301\u0301",
  "nul \u0000 inside",
  "lone surrogate \uD800 here",
  "control \u0001\u0007\u001b[31m",
  "Ω≈ç√∫˜µ≤≥÷",
];

/** Maps an operation path of a service to the gateway path that publishes it (gateway/ocelot.json). */
export function gatewayPathFor(
  routes: Array<{ UpstreamPathTemplate: string; DownstreamPathTemplate: string; UpstreamHttpMethod: string[] }>,
  method: string,
  path: string,
): string | undefined {
  for (const r of routes) {
    if (!r.UpstreamHttpMethod.some((m) => m.toLowerCase() === method.toLowerCase())) continue;
    const down = r.DownstreamPathTemplate;
    if (down.endsWith("{everything}")) {
      const prefix = down.slice(0, -"{everything}".length);
      if (path.startsWith(prefix) && path.length > prefix.length)
        return r.UpstreamPathTemplate.replace("{everything}", path.slice(prefix.length));
    } else if (down === path) return r.UpstreamPathTemplate;
  }
  return undefined;
}

export function operationsOf(
  service: string,
  document: {
    paths: Record<
      string,
      Record<string, { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema: Schema }> }; security?: unknown[] }>
    >;
  },
  routes: Parameters<typeof gatewayPathFor>[0],
): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const gatewayPath = gatewayPathFor(routes, method, path);
      ops.push({
        service,
        method: method.toUpperCase(),
        path,
        ...(gatewayPath ? { gatewayPath } : {}),
        parameters: op.parameters ?? [],
        anonymous: Array.isArray(op.security) && op.security.length === 0,
        ...(op.requestBody?.content?.["application/json"] ? { body: op.requestBody.content["application/json"].schema } : {}),
      });
    }
  }
  return ops;
}

let keyCounter = 0;

type Kind = "string" | "integer" | "number" | "boolean" | "object" | "array";

function kindOf(schema: Schema): Kind {
  if (schema.anyOf) {
    const kinds = schema.anyOf.map(kindOf);
    if (kinds.includes("integer")) return "integer";
    if (kinds.includes("number")) return "number";
    return kinds[0] ?? "string";
  }
  return (schema.type as Kind | undefined) ?? (schema.properties ? "object" : "string");
}

const bounds = (schema: Schema) => {
  const all = [schema, ...(schema.anyOf ?? [])];
  return {
    minimum: all.find((s) => s.minimum !== undefined)?.minimum,
    maximum: all.find((s) => s.maximum !== undefined)?.maximum,
  };
};

/** A value the schema accepts, using things that exist on the platform where a name or pattern asks for them. */
export function validValue(schema: Schema, name: string, ctx: FuzzContext): unknown {
  if (schema.enum) return schema.enum[0];
  switch (kindOf(schema)) {
    case "integer":
    case "number": {
      const { minimum, maximum } = bounds(schema);
      if (name === "pageSize") return 20;
      const v = Math.max(minimum ?? 1, 1);
      return maximum !== undefined ? Math.min(v, maximum) : v;
    }
    case "boolean":
      return true;
    case "array":
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => validValue(schema.items ?? {}, name, ctx));
    case "object": {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? Object.keys(schema.properties ?? {}))
        out[key] = validValue(schema.properties?.[key] ?? {}, key, ctx);
      return out;
    }
    default: {
      if (schema.format === "uuid") return ctx.orderId;
      if (schema.format === "date-time") return new Date(0).toISOString();
      if (schema.pattern === "^[A-Z0-9-]{3,32}$" || name === "sku") return ctx.sku;
      if (name === "page") return "1";
      if (name === "pageSize") return "20";
      if (schema.pattern?.startsWith("^[a-z]+-")) return `order-${ctx.orderId}`;
      if (schema.pattern?.includes("\\.v[0-9]+")) return "orders.order-created.v1";
      if (name === "idempotency-key") return `fuzz-${ctx.seed}-key-${++keyCounter}`;
      const text = "fuzz value";
      return schema.maxLength !== undefined ? text.slice(0, schema.maxLength) : text;
    }
  }
}

/** Values the schema refuses, with a label each. `inQuery`: everything travels as text, so type confusions are moot. */
export function invalidValues(schema: Schema, name: string, inQuery: boolean): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  const kind = kindOf(schema);
  if (!inQuery) {
    out.push(["null", null]);
    if (kind !== "object") out.push(["an object", { $gt: "" }]);
    if (kind !== "array") out.push(["an array", ["x"]]);
    if (kind !== "boolean") out.push(["a boolean", true]);
  }
  if (schema.enum) out.push(["a value outside the enum", "bogus-value"]);
  if (name === "page" || name === "pageSize") {
    for (const v of ["0", "-1", "abc", "1.5", "", "1e400", "-0"])
      out.push([`bad paging value ${JSON.stringify(v)}`, inQuery ? v : Number(v)]);
    if (name === "pageSize") out.push(["pageSize above 100", inQuery ? "101" : 101]);
    return out;
  }
  switch (kind) {
    case "integer":
    case "number": {
      const { minimum, maximum } = bounds(schema);
      out.push(["a word", "abc"], ["NaN", "NaN"]);
      if (kind === "integer") out.push(["a fraction", inQuery ? "1.5" : 1.5]);
      if (minimum !== undefined) out.push(["below the minimum", inQuery ? String(minimum - 1) : minimum - 1]);
      if (maximum !== undefined)
        out.push(["above the maximum", inQuery ? String(maximum + 1) : maximum + 1], ["1e308", inQuery ? "1e308" : 1e308]);
      // biome-ignore lint/correctness/noPrecisionLoss: the literal is meant to lose precision
      if (!inQuery) out.push(["a huge integer literal", 99999999999999999999999]);
      break;
    }
    case "boolean":
      out.push(["not a boolean", inQuery ? "maybe" : "yes"]);
      if (!inQuery) out.push(["a number", 2]);
      break;
    case "string":
      if (!inQuery) out.push(["a number", 12345]);
      if ((schema.minLength ?? 0) >= 1) out.push(["empty", ""]);
      if (schema.maxLength !== undefined) out.push([`longer than ${schema.maxLength}`, "x".repeat(schema.maxLength + 1)]);
      if (schema.pattern) out.push(["against the pattern", "!!!"], ["against the pattern (injection)", "' OR 1=1 --"]);
      if (schema.format === "uuid")
        out.push(["not a uuid", "not-a-uuid"], ["uuid with injection", "00000000-0000-0000-0000-000000000000' OR '1'='1"]);
      if (schema.format === "date-time") out.push(["not a date", "yesterday"], ["impossible date", "2026-13-45T99:99:99Z"]);
      break;
    case "array":
      if (!inQuery) {
        out.push(["a string instead of a list", "x"]);
        if ((schema.minItems ?? 0) >= 1) out.push(["an empty list", []]);
      }
      break;
    case "object":
      if (!inQuery) out.push(["a string instead of an object", "x"], ["a number instead of an object", 42]);
      break;
  }
  return out;
}

/** Free text: no pattern, format or enum restricts it, so odd strings are valid input (within the length limit). */
function isFreeText(schema: Schema): boolean {
  return kindOf(schema) === "string" && !schema.pattern && !schema.format && !schema.enum;
}

function setAt(root: unknown, path: Array<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

interface BodyMutation {
  label: string;
  expect: "reject" | "any";
  value: unknown;
}

/** One-thing-wrong mutations of a valid body, recursing into objects and the first item of lists. */
function bodyMutations(schema: Schema, valid: unknown, path: Array<string | number>, pick: <T>(xs: T[], n: number) => T[]): BodyMutation[] {
  const out: BodyMutation[] = [];
  const where = path.length
    ? path
        .map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`))
        .join("")
        .replace(/^\./, "")
    : "body";
  const name = String(path[path.length - 1] ?? "");
  for (const [label, value] of invalidValues(schema, name, false)) {
    out.push({ label: `${where}: ${label}`, expect: "reject", value: setAt(valid, path, value) });
  }
  const kind = kindOf(schema);
  if (kind === "object") {
    const current = path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], valid);
    for (const key of schema.required ?? [])
      out.push({ label: `${where}: missing ${key}`, expect: "reject", value: setAt(valid, [...path, key], undefined) });
    if (schema.additionalProperties === false) {
      // Elysia's normalize drops unknown properties instead of refusing them: taken, but never stored.
      out.push({
        label: `${where}: unknown property`,
        expect: "any",
        value: setAt(valid, path, { ...(current as object), isAdmin: true }),
      });
      const polluted = { ...(current as object), ...(JSON.parse(`{"__proto__": {"isAdmin": true}}`) as object) };
      out.push({ label: `${where}: __proto__ property`, expect: "any", value: setAt(valid, path, polluted) });
    }
    for (const [key, sub] of Object.entries(schema.properties ?? {})) out.push(...bodyMutations(sub, valid, [...path, key], pick));
  } else if (kind === "array" && schema.items) {
    const current = path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], valid) as unknown[];
    if (schema.maxItems !== undefined) {
      out.push({
        label: `${where}: more than ${schema.maxItems} items`,
        expect: "reject",
        value: setAt(
          valid,
          path,
          Array.from({ length: schema.maxItems + 1 }, () => current[0]),
        ),
      });
    }
    out.push(...bodyMutations(schema.items, valid, [...path, 0], pick));
  } else if (isFreeText(schema)) {
    const max = schema.maxLength ?? 10_000;
    for (const text of [...pick(INJECTIONS, 4), ...pick(UNICODE, 4)]) {
      out.push({
        label: `${where}: odd text ${JSON.stringify(text).slice(0, 40)}`,
        expect: "any",
        value: setAt(valid, path, text.slice(0, max)),
      });
    }
  }
  return out;
}

function deepJson(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

export function casesFor(op: Operation, ctx: FuzzContext, token: string): FuzzCase[] {
  const random = seededRandom(ctx.seed ^ [...`${op.method} ${op.path}`].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7));
  const pick = <T>(xs: T[], n: number): T[] => {
    const copy = [...xs];
    const out: T[] = [];
    while (out.length < n && copy.length) out.push(copy.splice(Math.floor(random() * copy.length), 1)[0]!);
    return out;
  };
  const basePath = op.gatewayPath ?? op.path.replace(/^\/api/, "");
  const pathParams = op.parameters.filter((p) => p.in === "path");
  const queryParams = op.parameters.filter((p) => p.in === "query");
  const headerParams = op.parameters.filter((p) => p.in === "header");

  const validPath: Record<string, string> = Object.fromEntries(pathParams.map((p) => [p.name, String(validValue(p.schema, p.name, ctx))]));
  const validHeaders = (): Record<string, string> => ({
    authorization: `Bearer ${token}`,
    ...Object.fromEntries(headerParams.filter((p) => p.required).map((p) => [p.name, String(validValue(p.schema, p.name, ctx))])),
    ...(op.body ? { "content-type": "application/json" } : {}),
  });
  const validBody = op.body ? validValue(op.body, "body", ctx) : undefined;
  const render = (params: Record<string, string>, rawPath?: Record<string, string>) =>
    basePath.replace(/\{(\w+)\}/g, (_, name: string) => rawPath?.[name] ?? encodeURIComponent(params[name] ?? ""));

  const cases: FuzzCase[] = [];
  let n = 0;
  const add = (c: Omit<FuzzCase, "id" | "operation" | "method">) =>
    cases.push({ id: `${op.service}:${op.method} ${op.path}#${++n}`, operation: op, method: op.method, ...c });
  const withBody = (body: unknown) => (op.body ? { body: JSON.stringify(body) } : {});

  // Authentication: no token, a garbage token (an anonymous operation may answer both; it must still not fail).
  const { authorization: _, ...anonymous } = validHeaders();
  const unauthenticated = op.anonymous ? "any" : "reject";
  add({ label: "no token", expect: unauthenticated, target: render(validPath), headers: anonymous, ...withBody(validBody) });
  add({
    label: "garbage token",
    expect: unauthenticated,
    target: render(validPath),
    headers: { ...validHeaders(), authorization: "Bearer ' OR 1=1 --" },
    ...withBody(validBody),
  });

  // Path parameters: bad ids.
  for (const p of pathParams) {
    const invalid = invalidValues(p.schema, p.name, true).filter(([, v]) => v !== "");
    for (const [label, value] of invalid)
      add({
        label: `path ${p.name}: ${label}`,
        expect: "reject",
        target: render({ ...validPath, [p.name]: String(value) }),
        headers: validHeaders(),
        ...withBody(validBody),
      });
    for (const raw of ["%00", "..%2F..%2Fetc%2Fpasswd", "%ZZ", "x".repeat(4096), encodeURIComponent("💥")]) {
      add({
        label: `path ${p.name}: raw ${raw.slice(0, 24)}`,
        expect: "reject",
        target: render(validPath, { [p.name]: raw }),
        headers: validHeaders(),
        ...withBody(validBody),
      });
    }
  }

  // Query parameters: wrong types, bad paging, injection and unicode in free text.
  const q = (params: Record<string, string>) => `?${new URLSearchParams(params).toString()}`;
  for (const p of queryParams) {
    for (const [label, value] of invalidValues(p.schema, p.name, true)) {
      add({
        label: `query ${p.name}: ${label}`,
        expect: "reject",
        target: render(validPath) + q({ [p.name]: String(value) }),
        headers: validHeaders(),
        ...withBody(validBody),
      });
    }
    if (isFreeText(p.schema)) {
      for (const text of [...pick(INJECTIONS, 5), ...pick(UNICODE, 3)]) {
        const v = p.schema.maxLength ? text.slice(0, p.schema.maxLength) : text;
        add({
          label: `query ${p.name}: odd text ${JSON.stringify(v).slice(0, 40)}`,
          expect: "any",
          target: render(validPath) + q({ [p.name]: v }),
          headers: validHeaders(),
          ...withBody(validBody),
        });
      }
    }
    add({
      label: `query ${p.name}: repeated`,
      expect: "any",
      target: `${render(validPath)}?${p.name}=1&${p.name}=2`,
      headers: validHeaders(),
      ...withBody(validBody),
    });
    add({
      label: `query ${p.name}: broken percent-encoding`,
      expect: "any",
      target: `${render(validPath)}?${p.name}=%ZZ%`,
      headers: validHeaders(),
      ...withBody(validBody),
    });
    add({
      label: `query ${p.name}: 8 KiB value`,
      expect: "any",
      target: render(validPath) + q({ [p.name]: "9".repeat(8192) }),
      headers: validHeaders(),
      ...withBody(validBody),
    });
  }
  add({
    label: "unknown query parameter with injection",
    expect: "any",
    target: render(validPath) + q({ "x' OR 1=1 --": "1", __proto__: "x" }),
    headers: validHeaders(),
    ...withBody(validBody),
  });

  // Headers the operation declares.
  for (const p of headerParams) {
    if (p.required)
      add({
        label: `header ${p.name}: missing`,
        expect: "reject",
        target: render(validPath),
        headers: Object.fromEntries(Object.entries(validHeaders()).filter(([k]) => k !== p.name)),
        ...withBody(validBody),
      });
    for (const [label, value] of invalidValues(p.schema, p.name, true).filter(([, v]) => v !== "")) {
      add({
        label: `header ${p.name}: ${label}`,
        expect: "reject",
        target: render(validPath),
        headers: { ...validHeaders(), [p.name]: String(value) },
        ...withBody(validBody),
      });
    }
  }

  // The body: one field wrong at a time, then the whole body wrong.
  if (op.body) {
    for (const m of bodyMutations(op.body, validBody, [], pick)) {
      // An accepted order needs a fresh Idempotency-Key per case (a reused key with other lines is a 422).
      add({ label: m.label, expect: m.expect, target: render(validPath), headers: validHeaders(), body: JSON.stringify(m.value) });
    }
    const whole: Array<[string, string | Uint8Array]> = [
      ["malformed JSON", '{"lines": [{"sku": '],
      ["empty body", ""],
      ["JSON null", "null"],
      ["JSON array", "[]"],
      ["JSON string", '"x"'],
      ["deep JSON (10 000 levels)", deepJson(10_000)],
      ["deep JSON object (2 000 levels)", `${'{"a":'.repeat(2000)}1${"}".repeat(2000)}`],
      ["2 MiB body", JSON.stringify({ ...(validBody as object), padding: "x".repeat(2 * 1024 * 1024) })],
      ["duplicate keys", `{"a":1,"a":2}`],
      ["NaN literal", `{"x": NaN}`],
      ["trailing garbage", `${JSON.stringify(validBody)}garbage`],
      ["invalid UTF-8", new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d])],
    ];
    // With no required property, "no body" and an object of unknown properties (dropped by Elysia) mean "no options".
    const optionsOnly = !op.body.required?.length;
    const lenient = new Set(optionsOnly ? ["empty body", "duplicate keys", "deep JSON object (2 000 levels)"] : []);
    for (const [label, body] of whole) {
      add({
        label: `body: ${label}`,
        expect: lenient.has(label) ? "any" : "reject",
        target: render(validPath),
        headers: validHeaders(),
        body,
      });
    }
    add({
      label: "body: JSON sent as text/plain",
      expect: "any",
      target: render(validPath),
      headers: { ...validHeaders(), "content-type": "text/plain" },
      body: JSON.stringify(validBody),
    });
    add({
      label: "body: wrong content type with garbage",
      expect: "reject",
      target: render(validPath),
      headers: { ...validHeaders(), "content-type": "application/xml" },
      body: "<a>&xxe;</a>",
    });
  } else if (op.method !== "GET") {
    add({
      label: "unexpected 1 MiB body",
      expect: "any",
      target: render(validPath),
      headers: { ...validHeaders(), "content-type": "application/json" },
      body: JSON.stringify({ x: "y".repeat(1024 * 1024) }),
    });
  }
  return cases;
}
