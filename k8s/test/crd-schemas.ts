/**
 * Custom resources validated the way the API server validates them with strict field validation: against
 * the openAPIV3Schema of the operator's own CRD (read from ../shared/schemas/crds, or MERIDIAN_CRDS_DIR),
 * with every field a structural schema does not declare refused (unless x-kubernetes-preserve-unknown-fields).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parseAllDocuments } from "yaml";
import type { K8sObject } from "./deploy-support";

/**
 * Next to the repository (the README of that folder says where the files come from); a clone made elsewhere on
 * the same machine finds the workplace's copy at /work/shared.
 */
const NEXT_TO_REPOSITORY = resolve(import.meta.dir, "../../../shared/schemas/crds");
export const CRDS_DIR: string =
  process.env.MERIDIAN_CRDS_DIR ?? [NEXT_TO_REPOSITORY, "/work/shared/schemas/crds"].find((dir) => existsSync(dir)) ?? NEXT_TO_REPOSITORY;

type Schema = Record<string, any>;

/** Unknown fields fail: additionalProperties false wherever the schema lists properties and keeps no others. */
function strict(schema: Schema): Schema {
  if (!schema || typeof schema !== "object") return schema;
  const out: Schema = Array.isArray(schema) ? schema.map(strict) : {};
  if (Array.isArray(schema)) return out;
  for (const [k, v] of Object.entries(schema)) {
    if (k.startsWith("x-kubernetes-")) continue;
    out[k] = k === "properties" ? Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, strict(s)])) : strict(v);
  }
  if (schema.properties && schema.additionalProperties === undefined && !schema["x-kubernetes-preserve-unknown-fields"]) {
    out.additionalProperties = false;
  }
  return out;
}

let validators: Map<string, ValidateFunction> | undefined;

function load(): Map<string, ValidateFunction> {
  if (!existsSync(CRDS_DIR)) {
    throw new Error(`operator CRDs not found at ${CRDS_DIR}: set MERIDIAN_CRDS_DIR to the folder of the operators' CRD files`);
  }
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const out = new Map<string, ValidateFunction>();
  for (const file of readdirSync(CRDS_DIR).filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))) {
    for (const doc of parseAllDocuments(readFileSync(join(CRDS_DIR, file), "utf8"))) {
      const crd = doc.toJS();
      if (crd?.kind !== "CustomResourceDefinition") continue;
      for (const v of crd.spec.versions) {
        const root = v.schema.openAPIV3Schema;
        // Some CRDs leave the envelope out of their schema; the API server knows it anyway.
        const envelope = { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" } };
        const schema = strict({ ...root, properties: { ...envelope, ...root.properties } });
        out.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, ajv.compile(schema));
      }
    }
  }
  return out;
}

/** The CRD validator of an apiVersion/kind, or undefined when no CRD in the folder defines it. */
export function crdValidator(apiVersion: string, kind: string): ValidateFunction | undefined {
  validators ??= load();
  return validators.get(`${apiVersion}/${kind}`);
}

/** Validates a custom resource against its CRD; returns the errors (field paths), or undefined. */
export function validateAgainstCrd(obj: K8sObject): string | undefined {
  const validate = crdValidator(obj.apiVersion, obj.kind);
  if (!validate) return `${obj.kind}/${obj.metadata.name}: no CRD for ${obj.apiVersion} ${obj.kind} in ${CRDS_DIR}`;
  // ajv's validator is a type guard: test a widened value so `obj` keeps its type for the message below.
  if (validate(obj as unknown)) return undefined;
  const errors = (validate.errors ?? []).map((e) =>
    e.keyword === "additionalProperties"
      ? `${e.instancePath}: unknown field ${(e.params as { additionalProperty: string }).additionalProperty}`
      : `${e.instancePath} ${e.message}`,
  );
  return `${obj.kind}/${obj.metadata.name}: ${[...new Set(errors)].join("; ")}`;
}
