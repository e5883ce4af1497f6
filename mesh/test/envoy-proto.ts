/**
 * Checks an Envoy bootstrap (YAML/JSON form) field by field against Envoy's v3 protos, as Envoy's own
 * loader does with strict validation: every key must be a field of its message (snake_case proto name
 * or its lowerCamel JSON name), no field or enum value may be deprecated, at most one member of a oneof
 * may be set, and `typed_config` (google.protobuf.Any) is checked against the message its `@type` names.
 * The protos' protoc-gen-validate rules that Envoy enforces on load are checked too: required fields and
 * oneofs, minimum string lengths and list sizes, numeric bounds.
 * The protos ship with @grpc/grpc-js-xds (deps/envoy-api, deps/xds, deps/googleapis, deps/protoc-gen-validate).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import protobuf from "protobufjs";

const require = createRequire(import.meta.url);
const XDS_DEPS = join(dirname(require.resolve("@grpc/grpc-js-xds/package.json")), "deps");
const PROTOBUFJS_DIR = dirname(require.resolve("protobufjs/package.json"));
const INCLUDE_DIRS = ["envoy-api", "xds", "googleapis", "protoc-gen-validate"].map((d) => join(XDS_DEPS, d));
const ENVOY_DIR = join(XDS_DEPS, "envoy-api");

export const BOOTSTRAP = "envoy.config.bootstrap.v3.Bootstrap";
const ANY = "google.protobuf.Any";
const TYPE_URL_PREFIX = "type.googleapis.com/";

export interface Finding {
  path: string;
  problem: string;
}

/** package name → the .proto files (relative to envoy-api) that declare it, for resolving Any types. */
function indexPackages(): Map<string, string[]> {
  const index = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith(".proto")) {
        const pkg = /^package\s+([\w.]+);/m.exec(readFileSync(full, "utf8"))?.[1];
        if (pkg) index.set(pkg, [...(index.get(pkg) ?? []), full.slice(ENVOY_DIR.length + 1)]);
      }
    }
  };
  walk(join(ENVOY_DIR, "envoy"));
  return index;
}

export class EnvoyProtoChecker {
  private readonly root = new protobuf.Root();
  private readonly packages = indexPackages();
  private readonly loaded = new Set<string>();

  constructor() {
    this.root.resolvePath = (_origin, target) => {
      if (target.startsWith("google/protobuf/")) {
        const bundled = join(PROTOBUFJS_DIR, target);
        try {
          statSync(bundled);
          return bundled;
        } catch {
          /* not bundled: googleapis has it */
        }
      }
      for (const dir of INCLUDE_DIRS) {
        const candidate = join(dir, target);
        try {
          statSync(candidate);
          return candidate;
        } catch {
          /* next include dir */
        }
      }
      return target;
    };
    this.load("envoy/config/bootstrap/v3/bootstrap.proto");
  }

  private load(file: string): void {
    if (this.loaded.has(file)) return;
    this.loaded.add(file);
    this.root.loadSync(file, { keepCase: true, alternateCommentMode: false });
  }

  /** The message type a type URL names, loading its package's protos on first use. */
  private resolveAny(typeUrl: string): protobuf.Type | undefined {
    const name = typeUrl.startsWith(TYPE_URL_PREFIX) ? typeUrl.slice(TYPE_URL_PREFIX.length) : typeUrl;
    const pkg = name.slice(0, name.lastIndexOf("."));
    for (const file of this.packages.get(pkg) ?? []) this.load(file);
    try {
      this.root.resolveAll();
      return this.root.lookupType(name);
    } catch {
      return undefined;
    }
  }

  check(config: unknown, typeName = BOOTSTRAP): Finding[] {
    this.root.resolveAll();
    const findings: Finding[] = [];
    this.message(this.root.lookupType(typeName), config, "", findings);
    return findings;
  }

  private message(type: protobuf.Type, value: unknown, path: string, out: Finding[]): void {
    const where = path || type.name;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      out.push({ path: where, problem: `expected a ${type.fullName.slice(1)} object` });
      return;
    }
    if (type.fullName === `.${ANY}`) {
      this.any(value as Record<string, unknown>, where, out);
      return;
    }
    if (type.options?.deprecated) out.push({ path: where, problem: `message ${type.fullName.slice(1)} is deprecated` });
    const byJsonName = new Map(type.fieldsArray.map((f) => [lowerCamel(f.name), f]));
    const seen: protobuf.Field[] = [];
    for (const [key, v] of Object.entries(value)) {
      const field = type.fields[key] ?? byJsonName.get(key);
      const at = `${where}.${key}`;
      if (!field) {
        out.push({ path: at, problem: `unknown field of ${type.fullName.slice(1)}` });
        continue;
      }
      seen.push(field);
      if (field.options?.deprecated) out.push({ path: at, problem: `deprecated field of ${type.fullName.slice(1)}` });
      this.field(field, v, at, out);
    }
    for (const oneof of type.oneofsArray) {
      const set = seen.filter((f) => f.partOf === oneof);
      if (set.length > 1) {
        out.push({ path: where, problem: `oneof ${oneof.name} has more than one member set: ${set.map((f) => f.name).join(", ")}` });
      }
      if (set.length === 0 && oneof.options?.["(validate.required)"]) {
        out.push({ path: where, problem: `oneof ${oneof.name} needs one of: ${oneof.fieldsArray.map((f) => f.name).join(", ")}` });
      }
    }
    for (const field of type.fieldsArray.filter((f) => !seen.includes(f) && !f.partOf)) {
      const missing = requiredProblem(field);
      if (missing) out.push({ path: `${where}.${field.name}`, problem: missing });
    }
  }

  private any(value: Record<string, unknown>, where: string, out: Finding[]): void {
    const typeUrl = value["@type"];
    if (typeof typeUrl !== "string") {
      out.push({ path: where, problem: "typed_config without @type" });
      return;
    }
    const type = this.resolveAny(typeUrl);
    if (!type) {
      out.push({ path: where, problem: `@type ${typeUrl} names no message in Envoy's v3 protos` });
      return;
    }
    const { "@type": _, ...rest } = value;
    this.message(type, rest, `${where}<${type.name}>`, out);
  }

  private field(field: protobuf.Field, value: unknown, at: string, out: Finding[]): void {
    if (field.map) {
      if (typeof value !== "object" || value === null) out.push({ path: at, problem: "expected a map" });
      else for (const [k, v] of Object.entries(value)) this.single(field, v, `${at}[${k}]`, out);
      return;
    }
    if (field.repeated) {
      if (!Array.isArray(value)) out.push({ path: at, problem: "expected a list" });
      else {
        value.forEach((v, i) => {
          this.single(field, v, `${at}[${i}]`, out);
        });
      }
      return;
    }
    this.single(field, value, at, out);
  }

  private single(field: protobuf.Field, value: unknown, at: string, out: Finding[]): void {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Enum) {
      this.enumValue(resolved, value, at, out);
      return;
    }
    if (resolved instanceof protobuf.Type) {
      const problem = wellKnown(resolved.fullName.slice(1), value);
      if (problem === null) {
        this.message(resolved, value, at, out);
        return;
      }
      const bad = problem || bounds(field, value);
      if (bad) out.push({ path: at, problem: bad });
      return;
    }
    const problem = scalar(field.type, value) || bounds(field, value);
    if (problem) out.push({ path: at, problem });
  }

  private enumValue(e: protobuf.Enum, value: unknown, at: string, out: Finding[]): void {
    const name = typeof value === "number" ? e.valuesById[value] : value;
    if (typeof name !== "string" || !(name in e.values)) {
      out.push({ path: at, problem: `${String(value)} is not a value of ${e.fullName.slice(1)}` });
      return;
    }
    const options = (e as unknown as { valuesOptions?: Record<string, Record<string, unknown>> }).valuesOptions?.[name];
    if (options?.deprecated) out.push({ path: at, problem: `deprecated value ${name} of ${e.fullName.slice(1)}` });
  }
}

type Rules = Record<string, unknown>;
const rules = (field: protobuf.Field): Rules => (field.options ?? {}) as Rules;

/** protoc-gen-validate rules that make an absent field invalid (proto3 defaults fail them). */
function requiredProblem(field: protobuf.Field): string {
  const r = rules(field);
  if (r["(validate.rules).message.required"]) return "required field is missing";
  if (Number(r["(validate.rules).string.min_len"] ?? r["(validate.rules).string.min_bytes"] ?? 0) > 0) return "required string is missing";
  if (Number(r["(validate.rules).repeated.min_items"] ?? 0) > 0)
    return `needs at least ${String(r["(validate.rules).repeated.min_items"])} item(s)`;
  return "";
}

/** protoc-gen-validate bounds on a present scalar or wrapper value: string lengths and numeric ranges. */
function bounds(field: protobuf.Field, value: unknown): string {
  const r = rules(field);
  if (typeof value === "string" && field.type === "string") {
    const min = Number(r["(validate.rules).string.min_len"] ?? 0);
    if (value.length < min) return `shorter than ${min} character(s)`;
    return "";
  }
  const n = typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (typeof n !== "number") return "";
  for (const kind of ["uint32", "uint64", "int32", "int64", "double", "float"]) {
    const at = (op: string) => r[`(validate.rules).${kind}.${op}`] as number | undefined;
    const [lt, lte, gt, gte] = [at("lt"), at("lte"), at("gt"), at("gte")];
    if (lt !== undefined && !(n < lt)) return `must be below ${lt}, got ${n}`;
    if (lte !== undefined && !(n <= lte)) return `must be at most ${lte}, got ${n}`;
    if (gt !== undefined && !(n > gt)) return `must be above ${gt}, got ${n}`;
    if (gte !== undefined && !(n >= gte)) return `must be at least ${gte}, got ${n}`;
  }
  return "";
}

const lowerCamel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const DURATION = /^-?\d+(\.\d{1,9})?s$/;
const WRAPPERS: Record<string, string> = {
  "google.protobuf.BoolValue": "bool",
  "google.protobuf.UInt32Value": "uint32",
  "google.protobuf.UInt64Value": "uint64",
  "google.protobuf.Int32Value": "int32",
  "google.protobuf.Int64Value": "int64",
  "google.protobuf.DoubleValue": "double",
  "google.protobuf.FloatValue": "float",
  "google.protobuf.StringValue": "string",
  "google.protobuf.BytesValue": "bytes",
};

/**
 * Well-known types have a JSON form of their own: "" when the value fits it, a problem when it does not,
 * null when the type is an ordinary message to walk.
 */
function wellKnown(name: string, value: unknown): string | null {
  if (name === "google.protobuf.Duration")
    return typeof value === "string" && DURATION.test(value) ? "" : `expected a duration like "2s", got ${JSON.stringify(value)}`;
  if (name in WRAPPERS) return scalar(WRAPPERS[name]!, value);
  if (name === "google.protobuf.Struct" || name === "google.protobuf.Value" || name === "google.protobuf.ListValue") return "";
  return null;
}

function scalar(type: string, value: unknown): string {
  switch (type) {
    case "string":
    case "bytes":
      return typeof value === "string" ? "" : `expected a string, got ${JSON.stringify(value)}`;
    case "bool":
      return typeof value === "boolean" ? "" : `expected true or false, got ${JSON.stringify(value)}`;
    case "double":
    case "float":
      return typeof value === "number" ? "" : `expected a number, got ${JSON.stringify(value)}`;
    default: {
      // Integers: JSON numbers, or strings for 64-bit ones.
      const n = typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
      if (typeof n !== "number" || !Number.isInteger(n)) return `expected an integer, got ${JSON.stringify(value)}`;
      return type.startsWith("uint") || type.startsWith("fixed") ? (n >= 0 ? "" : `expected an unsigned integer, got ${n}`) : "";
    }
  }
}
