/** Reads a V8 .cpuprofile (as `bun --cpu-prof` writes it) into the functions with the most self and total time. */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { REPO_ROOT } from "@meridian/kit/testing";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface ProfileEntry {
  /** Function name and where it is (repository-relative path and 1-based line, a package, or native). */
  name: string;
  /** Share of the busy samples (idle excluded), %. */
  percent: number;
}

export interface ProfileSummary {
  /** Where the samples stopped: the function doing the work. */
  self: ProfileEntry[];
  /** Samples under a function of the repository or a package (callees included): where the time went, by caller. */
  total: ProfileEntry[];
}

function where(url: string, line: number): string {
  if (!url) return "native";
  const path = url.replace(/^file:\/\//, "");
  // The last node_modules segment names the package (Bun's store nests them under node_modules/.bun/…).
  const pkg = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1] as string;
  if (!path.startsWith("/")) return path;
  return `${relative(REPO_ROOT, path)}:${line + 1}`;
}

const NOT_WORK = new Set(["(root)", "(idle)", "(program)"]);

/**
 * Top `n` entries from the newest .cpuprofile in `dir`. `skipMs` leaves out the samples of the profile's first
 * milliseconds (a process started under the profiler: its start-up is not the load being measured).
 */
export function summarizeProfile(dir: string, n = 12, options: { skipMs?: number } = {}): ProfileSummary {
  const file = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .sort()
    .at(-1);
  if (!file) throw new Error(`no .cpuprofile in ${dir}: did the profiled process exit cleanly?`);
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] };
  if (options.skipMs && profile.samples && profile.timeDeltas) {
    let elapsedUs = 0;
    const first = profile.timeDeltas.findIndex((delta) => (elapsedUs += delta) >= options.skipMs! * 1000);
    profile.samples = first === -1 ? [] : profile.samples.slice(first);
  }
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const nameOf = (node: ProfileNode) =>
    `${node.callFrame.functionName || "(anonymous)"} ${where(node.callFrame.url, node.callFrame.lineNumber)}`;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples ?? []) {
    const node = nodes.get(id);
    if (!node || NOT_WORK.has(node.callFrame.functionName)) continue;
    busy += 1;
    self.set(nameOf(node), (self.get(nameOf(node)) ?? 0) + 1);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at) as ProfileNode;
      if (!frame.callFrame.url || NOT_WORK.has(frame.callFrame.functionName)) continue;
      const name = nameOf(frame);
      if (!seen.has(name)) total.set(name, (total.get(name) ?? 0) + 1);
      seen.add(name);
    }
  }
  const top = (counts: Map<string, number>) =>
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, count]) => ({ name, percent: Math.round((count / Math.max(1, busy)) * 1000) / 10 }));
  return { self: top(self), total: top(total) };
}
