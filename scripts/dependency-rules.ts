/**
 * Dependency rules of the Bun workspaces (run by scripts/check.sh, part of `bun run test`):
 * - the kit serves every service and names none;
 * - a service reaches another through events or HTTP; test helpers another service shares are imported by
 *   package name (its package.json `exports`), never by a relative path into its `src`;
 * - inside a service, routes use the domain and the domain does not import routes.
 *
 * Imports are read with Bun's own parser and resolved with Bun's resolver, i.e. exactly as the code runs.
 * (dependency-cruiser 18 needs the TypeScript < 7 compiler API and its swc walker rejects `using`.)
 * Usage: bun scripts/dependency-rules.ts [repo root]; exits 1 and lists each violation.
 */
import { Glob } from "bun";
import { dirname, relative, resolve } from "node:path";

export interface Violation {
  rule: string;
  from: string;
  to: string;
  specifier: string;
}

interface Rule {
  name: string;
  why: string;
  /** Returns true when importing `to` from `from` (both repository-relative) breaks the rule. */
  breaks(from: string, to: string, specifier: string): boolean;
}

const serviceOf = (path: string): string | undefined => /^svc\/([^/]+)\//.exec(path)?.[1];

export const RULES: Rule[] = [
  {
    name: "kit-imports-no-service",
    why: "svc/kit is shared by every service: pass what it needs as parameters",
    breaks: (from, to) => from.startsWith("svc/kit/") && serviceOf(to) !== undefined && serviceOf(to) !== "kit",
  },
  {
    name: "no-relative-import-of-another-service",
    why: "import what another service shares by its package name, never ../<service>/src",
    breaks: (from, to, specifier) => {
      const source = serviceOf(from);
      const target = serviceOf(to);
      return specifier.startsWith(".") && target !== undefined && target !== "kit" && source !== target;
    },
  },
  {
    name: "domain-imports-no-routes",
    why: "routes use the domain; the domain must not depend on HTTP routes",
    breaks: (from, to) => {
      const source = /^svc\/([^/]+)\/src\/domain\//.exec(from)?.[1];
      return source !== undefined && to.startsWith(`svc/${source}/src/routes/`);
    },
  },
];

const ROOTS = ["svc", "gateway", "bench", "k8s", "mesh", "e2e", "platform", "scripts"];

async function sourceFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  for (const top of ROOTS) {
    const glob = new Glob(`${top}/**/*.ts`);
    for await (const file of glob.scan({ cwd: root, onlyFiles: true })) {
      if (!file.includes("node_modules/") && !file.endsWith(".d.ts")) files.push(file);
    }
  }
  return files.sort();
}

/** Every rule broken by the TypeScript files of the repository at `root`. */
export async function checkDependencies(root: string): Promise<{ violations: Violation[]; unresolved: Violation[]; files: number }> {
  const transpiler = new Bun.Transpiler({ loader: "ts" });
  const violations: Violation[] = [];
  const unresolved: Violation[] = [];
  const files = await sourceFiles(root);
  for (const file of files) {
    const absolute = resolve(root, file);
    const source = (await Bun.file(absolute).text()).replace(/^#!.*/, "");
    const imports = transpiler.scanImports(source);
    for (const { path: specifier } of imports) {
      if (specifier.startsWith("bun:") || specifier.startsWith("node:")) continue;
      let target: string;
      try {
        target = relative(root, Bun.resolveSync(specifier, dirname(absolute)));
      } catch {
        // Only relative imports must resolve here; packages may be optional (e.g. mssql outside orders).
        if (specifier.startsWith(".")) unresolved.push({ rule: "unresolvable", from: file, to: "?", specifier });
        continue;
      }
      for (const rule of RULES) {
        if (rule.breaks(file, target, specifier)) violations.push({ rule: rule.name, from: file, to: target, specifier });
      }
    }
  }
  return { violations, unresolved, files: files.length };
}

if (import.meta.main) {
  const root = resolve(process.argv[2] ?? `${import.meta.dir}/..`);
  const { violations, unresolved, files } = await checkDependencies(root);
  const why = new Map(RULES.map((r) => [r.name, r.why]));
  for (const v of [...violations, ...unresolved]) {
    console.error(`${v.rule}: ${v.from} imports "${v.specifier}" (${v.to})${why.has(v.rule) ? ` — ${why.get(v.rule)}` : ""}`);
  }
  const broken = violations.length + unresolved.length;
  console.log(`dependency rules: ${files} files, ${broken} violation${broken === 1 ? "" : "s"}`);
  process.exit(broken ? 1 : 0);
}
