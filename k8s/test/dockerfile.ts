/**
 * A Dockerfile read the way BuildKit reads it, and a build replayed on this machine (there is no Docker
 * engine here): build args and ARG scopes, variable substitution where Docker substitutes (FROM, COPY,
 * ENV, EXPOSE, USER, WORKDIR — never in RUN, which gets them as environment, nor in exec-form ENTRYPOINT,
 * CMD or HEALTHCHECK), stages based on stages, `--target`, and the build context filtered by
 * .dockerignore with Docker's own matching rules (@balena/dockerignore, a port of Moby's).
 */
import ignore from "@balena/dockerignore";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, posix } from "node:path";
import { run } from "./deploy-support";

export type BuildArgs = Record<string, string>;

export interface Instruction {
  instr: string;
  /** arguments, substituted where Docker substitutes */
  args: string;
  /** the ARGs and ENVs in scope at this instruction (a RUN's environment) */
  vars: Record<string, string>;
}

export interface Stage {
  name?: string;
  /** the base: an image reference (substituted) or an earlier stage's name */
  from: string;
  /** set when `from` names an earlier stage */
  parent?: Stage;
  instructions: Instruction[];
}

export interface ImageConfig {
  env: Record<string, string>;
  workdir: string;
  user?: string;
  entrypoint?: string[];
  cmd?: string[];
  expose: string[];
  healthcheck?: string[];
}

/** Docker's substitution: $VAR, ${VAR}, ${VAR:-word}, ${VAR:+word}; unset is empty. */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(
    /\\\$|\$\{(\w+)(?::([-+])([^}]*))?\}|\$(\w+)/g,
    (match, braced?: string, op?: string, word?: string, bare?: string) => {
      if (match === "\\$") return "$";
      const value = vars[(braced ?? bare)!];
      if (op === "-") return value ? value : word!;
      if (op === "+") return value ? word! : "";
      return value ?? "";
    },
  );
}

/** Instructions whose arguments Docker substitutes (the builder reference's list, as far as used here). */
const SUBSTITUTED = new Set(["ADD", "COPY", "ENV", "EXPOSE", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"]);

export class Dockerfile {
  readonly stages: Stage[] = [];

  constructor(
    readonly path: string,
    readonly buildArgs: BuildArgs = {},
  ) {
    const logical: string[] = [];
    let current = "";
    for (const raw of readFileSync(path, "utf8").split("\n")) {
      const line = raw.trim();
      if (line.startsWith("#") || line === "") continue; // comments and blank lines, also inside continuations
      if (line.endsWith("\\")) {
        current += `${line.slice(0, -1)} `;
        continue;
      }
      logical.push((current + line).trim());
      current = "";
    }
    const globalArgs: Record<string, string> = {};
    let vars: Record<string, string> = {};
    for (const l of logical) {
      const instr = l.split(/\s+/, 1)[0]!.toUpperCase();
      const body = l.slice(instr.length).trim();
      if (instr === "ARG") {
        const { name, value } = this.declare(body, this.stages.length === 0 ? {} : vars, globalArgs);
        if (this.stages.length === 0) {
          if (value !== undefined) globalArgs[name] = value;
        } else if (value !== undefined) vars[name] = value;
        else delete vars[name];
        if (this.stages.length > 0) this.stages.at(-1)!.instructions.push({ instr, args: body, vars: { ...vars } });
      } else if (instr === "FROM") {
        const m = body.match(/^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i);
        if (!m) throw new Error(`${path}: cannot read FROM ${body}`);
        const from = substitute(m[1]!, globalArgs);
        const parent = this.stages.find((s) => s.name === from);
        // ENV carries over from a parent stage; ARGs never cross a FROM.
        vars = parent ? { ...this.config(parent.name).env } : {};
        this.stages.push({ name: m[2], from, parent, instructions: [] });
      } else {
        const stage = this.stages.at(-1);
        if (!stage) throw new Error(`${path}: ${instr} before the first FROM`);
        const args = SUBSTITUTED.has(instr) ? substitute(body, vars) : body;
        if (instr === "ENV") for (const [k, v] of envPairs(args)) vars[k] = v;
        stage.instructions.push({ instr, args, vars: { ...vars } });
      }
    }
  }

  /** ARG NAME[=default]: the build arg wins, then this default, then the global default. */
  private declare(body: string, vars: Record<string, string>, globalArgs: Record<string, string>) {
    const eq = body.indexOf("=");
    const name = eq < 0 ? body : body.slice(0, eq);
    const fallback = eq < 0 ? globalArgs[name] : substitute(body.slice(eq + 1).replace(/^"(.*)"$/, "$1"), { ...globalArgs, ...vars });
    return { name, value: this.buildArgs[name] ?? fallback };
  }

  /** The stage a build stops at: `--target`, or the last one. */
  stage(target?: string): Stage {
    const stage = target === undefined ? this.stages.at(-1) : this.stages.find((s) => s.name === target);
    if (!stage) throw new Error(`${this.path}: no stage ${target}`);
    return stage;
  }

  /** The stages a build of `target` runs, in file order (its bases and every COPY --from). */
  needed(target?: string): Stage[] {
    const need = new Set<Stage>();
    const visit = (s: Stage) => {
      if (need.has(s)) return;
      need.add(s);
      if (s.parent) visit(s.parent);
      for (const i of s.instructions.filter((x) => x.instr === "COPY")) {
        const from = i.args.match(/--from=(\S+)/)?.[1];
        const dep = from && this.stages.find((x) => x.name === from);
        if (dep) visit(dep);
      }
    };
    visit(this.stage(target));
    return this.stages.filter((s) => need.has(s));
  }

  /** The image configuration of `target`: what `docker inspect` would show. */
  config(target?: string): ImageConfig {
    const stage = this.stage(target);
    const config: ImageConfig = stage.parent ? structuredClone(this.config(stage.parent.name)) : { env: {}, workdir: "/", expose: [] };
    let cmdSet = false;
    for (const { instr, args } of stage.instructions) {
      if (instr === "ENV") for (const [k, v] of envPairs(args)) config.env[k] = v;
      else if (instr === "WORKDIR") config.workdir = posix.resolve(config.workdir, args);
      else if (instr === "USER") config.user = args;
      else if (instr === "EXPOSE") config.expose.push(...args.split(/\s+/).filter(Boolean));
      // An ENTRYPOINT drops the CMD the stage inherited, not one the stage set itself.
      else if (instr === "ENTRYPOINT") {
        config.entrypoint = execForm(args, instr);
        if (!cmdSet) config.cmd = undefined;
      } else if (instr === "CMD") {
        config.cmd = execForm(args, instr);
        cmdSet = true;
      } else if (instr === "HEALTHCHECK") {
        config.healthcheck = args === "NONE" ? undefined : execForm(args.slice(args.indexOf("CMD") + 3).trim(), instr);
      }
    }
    return config;
  }
}

/** ENV KEY=value ... (the legacy `ENV KEY value` form is refused). */
function envPairs(args: string): [string, string][] {
  const pairs = [...args.matchAll(/([A-Za-z_]\w*)=("[^"]*"|\S*)/g)].map((m): [string, string] => [m[1]!, m[2]!.replace(/^"|"$/g, "")]);
  if (pairs.length === 0) throw new Error(`ENV ${args}: write KEY=value`);
  return pairs;
}

/** Exec form only: a shell form would need a shell, which a distroless image does not have. */
function execForm(args: string, instr: string): string[] {
  if (!args.startsWith("[")) throw new Error(`${instr} ${args}: not in exec form`);
  return JSON.parse(args) as string[];
}

/**
 * The build context as the Docker CLI sends it: `root` copied into `dest` without what .dockerignore
 * excludes (a folder that is excluded is only walked when an exception could re-include part of it).
 */
export function materializeContext(root: string, dest: string): void {
  const lines = readFileSync(join(root, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  const ig = ignore().add(lines);
  const exceptions = lines.filter((l) => l.startsWith("!")).map((l) => l.slice(1));
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!ig.ignores(path) || exceptions.some((x) => x.startsWith(`${path}/`))) walk(path);
      } else if (!ig.ignores(path)) {
        mkdirSync(join(dest, rel), { recursive: true });
        cpSync(join(root, path), join(dest, path), { verbatimSymlinks: true });
      }
    }
  };
  mkdirSync(dest, { recursive: true });
  walk("");
}

/** Instructions that change a stage's filesystem (the replay handles RUN, COPY and WORKDIR; ADD is refused). */
const FILESYSTEM = new Set(["RUN", "COPY", "ADD", "WORKDIR"]);

/** Top-level folders of the machine itself: a RUN's other absolute paths belong to the stage's filesystem. */
const SYSTEM_DIRS = "bin|boot|dev|etc|home|lib|lib64|media|mnt|opt|proc|root|run|sbin|srv|sys|tmp|usr|var";
const STAGE_PATH = new RegExp(`(^|[\\s"'=(])/(?!(?:${SYSTEM_DIRS})(?:/|\\b))(?=[\\w.])`, "g");

/**
 * Replays a build of `target` in `workRoot` (one folder per stage, standing for that stage's filesystem
 * root) from the build context `context` (see materializeContext). The base images' own files are this
 * machine's: RUN lines run with this machine's sh, bun, cp and find (the slim Bun image's tools).
 * Returns the target's filesystem root.
 */
export function replayBuild(file: Dockerfile, context: string, workRoot: string, target?: string): string {
  const roots = new Map<Stage, string>();
  for (const [index, stage] of file.needed(target).entries()) {
    // A stage that only sets configuration on top of another shares its parent's filesystem.
    if (stage.parent && !stage.instructions.some((i) => FILESYSTEM.has(i.instr))) {
      roots.set(stage, roots.get(stage.parent)!);
      continue;
    }
    const root = join(workRoot, stage.name ?? `stage-${index}`);
    mkdirSync(root, { recursive: true });
    if (stage.parent) copyTree(roots.get(stage.parent)!, root, true);
    roots.set(stage, root);
    let workdir = stage.parent ? file.config(stage.parent.name).workdir : "/";
    const fail = (i: Instruction, why: string) => new Error(`${file.path} stage ${stage.name}: ${i.instr} ${i.args}: ${why}`);
    for (const i of stage.instructions) {
      if (i.instr === "WORKDIR") {
        workdir = posix.resolve(workdir, i.args);
        mkdirSync(join(root, workdir), { recursive: true });
      } else if (i.instr === "RUN") {
        const script = i.args.replace(STAGE_PATH, `$1${root}/`);
        // The stage's ARGs and ENVs only (HOME for Bun's package cache, as root's in the image).
        const r = run(
          [
            "env",
            "-i",
            `PATH=${process.env.PATH}`,
            `HOME=${process.env.HOME}`,
            ...Object.entries(i.vars).map(([k, v]) => `${k}=${v}`),
            "sh",
            "-c",
            `set -e; ${script}`,
          ],
          join(root, workdir),
        );
        if (r.code !== 0) throw fail(i, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
      } else if (i.instr === "ADD") {
        throw fail(i, "ADD is not replayed (use COPY)");
      } else if (i.instr === "COPY") {
        const parts = i.args.split(/\s+/);
        const flags = parts.filter((p) => p.startsWith("--"));
        const [dest, ...sources] = parts.filter((p) => !p.startsWith("--")).reverse();
        sources.reverse();
        const fromName = flags.find((f) => f.startsWith("--from="))?.slice("--from=".length);
        const fromStage = fromName === undefined ? undefined : file.stages.find((s) => s.name === fromName);
        if (fromName !== undefined && !fromStage) throw fail(i, `no stage ${fromName} (images are not replayed)`);
        const sourceRoot = fromStage ? roots.get(fromStage)! : context;
        const destPath = join(root, posix.resolve(workdir, dest!));
        // Docker: several sources or a trailing slash make the destination a folder; of a source folder,
        // its contents are copied.
        const intoFolder = sources.length > 1 || dest!.endsWith("/");
        for (const src of sources) {
          const from = join(sourceRoot, fromStage ? src : posix.normalize(src));
          if (!existsSync(from)) throw fail(i, `${src} does not exist in ${fromStage ? `stage ${fromName}` : "the build context"}`);
          const isDir = statSync(from).isDirectory();
          const target = !isDir && intoFolder ? join(destPath, basename(from)) : destPath;
          mkdirSync(isDir ? target : dirname(target), { recursive: true });
          copyTree(from, target, isDir);
        }
      }
    }
  }
  return roots.get(file.stage(target))!;
}

/** cp -a: keeps the isolated install's relative symlinks (and is fast). */
function copyTree(from: string, to: string, isDir: boolean): void {
  const r = run(["cp", "-a", isDir ? `${from}/.` : from, to]);
  if (r.code !== 0) throw new Error(`cp -a ${from} ${to}: ${r.stderr}`);
}
