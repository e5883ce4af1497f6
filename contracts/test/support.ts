/** A temporary copy of what the contract check reads: the src of every svc/ workspace and manifest workspace, docs/asyncapi.yaml. */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { services } from "../../services";
import { REPO_ROOT } from "../src/generate";

export interface TemporaryCopy {
  root: string;
  remove(): void;
}

export function temporaryCopy(): TemporaryCopy {
  const root = mkdtempSync(join(tmpdir(), "meridian-contracts-"));
  for (const name of readdirSync(join(REPO_ROOT, "svc"))) {
    const workspace = join(REPO_ROOT, "svc", name);
    if (!existsSync(join(workspace, "src"))) continue;
    cpSync(join(workspace, "src"), join(root, "svc", name, "src"), { recursive: true });
    // Modules the check imports (a consumer's computed `types`) resolve their packages as in the repository.
    if (existsSync(join(workspace, "node_modules")))
      symlinkSync(join(workspace, "node_modules"), join(root, "svc", name, "node_modules"), "dir");
  }
  const outsideSvc = services.map((s) => s.workspace).filter((w) => !w.startsWith("svc/"));
  for (const workspace of outsideSvc) cpSync(join(REPO_ROOT, workspace, "src"), join(root, workspace, "src"), { recursive: true });
  mkdirSync(join(root, "docs"));
  cpSync(join(REPO_ROOT, "docs/asyncapi.yaml"), join(root, "docs/asyncapi.yaml"));
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
