/** Just enough of Babel's TypeScript AST to read event types out of a workspace's source. */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "@babel/parser";

export interface AstNode {
  type: string;
  loc?: { start: { line: number } };
  [key: string]: unknown;
}

function isNode(value: unknown): value is AstNode {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

export function parseModule(text: string): AstNode {
  return parse(text, { sourceType: "module", plugins: ["typescript"] }).program as unknown as AstNode;
}

/** Calls `visit` for every node with its parent, depth first (a plain loop: generators are slow on large files). */
export function walk(root: AstNode, visit: (node: AstNode, parent: AstNode | undefined) => void): void {
  const stack: [AstNode, AstNode | undefined][] = [[root, undefined]];
  while (stack.length > 0) {
    const [node, parent] = stack.pop() as [AstNode, AstNode | undefined];
    visit(node, parent);
    for (const key in node) {
      if (key === "loc" || key === "extra" || key === "leadingComments" || key === "trailingComments") continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) if (isNode(value[i])) stack.push([value[i], node]);
      } else if (isNode(value)) stack.push([value, node]);
    }
  }
}

/** The `.ts` files under `dir` (none when it does not exist), sorted. */
export function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** `f(…)` → `f`, `a.b.f(…)` → `f`. */
export function calleeName(call: AstNode): string | undefined {
  const callee = call.callee as AstNode;
  if (callee.type === "Identifier") return callee.name as string;
  const property = callee.property as AstNode | undefined;
  return callee.type === "MemberExpression" && property?.type === "Identifier" ? (property.name as string) : undefined;
}

/** `x as const`, `x satisfies T`, `x!`, `(x)`: the expression inside. */
export function unwrap(node: AstNode): AstNode {
  let current = node;
  while (["TSAsExpression", "TSSatisfiesExpression", "TSNonNullExpression", "ParenthesizedExpression"].includes(current.type)) {
    current = current.expression as AstNode;
  }
  return current;
}

/** The value of the property `key` of an object literal. */
export function propertyValue(object: AstNode, key: string): AstNode | undefined {
  if (object.type !== "ObjectExpression") return undefined;
  const property = (object.properties as AstNode[]).find(
    (p) => p.type === "ObjectProperty" && (p.key as AstNode).type === "Identifier" && (p.key as AstNode).name === key,
  );
  return property ? unwrap(property.value as AstNode) : undefined;
}
