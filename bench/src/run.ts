/**
 * `bun run bench [name...]`: runs the benchmarks and writes bench/results/<name>.json and a Markdown
 * summary, bench/results/README.md, each stating the machine it ran on.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { gatewayOverhead } from "./gateway-overhead";
import { machineInfo } from "./machine";
import { orderFlow } from "./order-flow";
import { markdownFor } from "./report";
import { startup } from "./startup";

const benchmarks: Record<string, () => Promise<unknown>> = {
  "gateway-overhead": () => gatewayOverhead(Number(process.env.BENCH_SECONDS ?? 10)),
  startup: () => startup(),
  "order-flow": () => orderFlow(Number(process.env.BENCH_SECONDS ?? 15)),
};

const results = resolve(import.meta.dir, "../results");
mkdirSync(results, { recursive: true });
const selected = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(benchmarks);
for (const name of selected) {
  const run = benchmarks[name];
  if (!run) {
    console.error(`unknown benchmark "${name}"; choose from: ${Object.keys(benchmarks).join(", ")}`);
    process.exit(2);
  }
  console.log(`[bench] ${name}: running`);
  const started = Date.now();
  const machine = machineInfo();
  const result = await run();
  const record = { benchmark: name, machine, durationSeconds: Math.round((Date.now() - started) / 1000), result };
  writeFileSync(resolve(results, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
  console.log(`[bench] ${name}: done in ${record.durationSeconds}s`);
}

const sections = Object.keys(benchmarks)
  .filter((name) => existsSync(resolve(results, `${name}.json`)))
  .map((name) => markdownFor(JSON.parse(readFileSync(resolve(results, `${name}.json`), "utf8"))));
writeFileSync(
  resolve(results, "README.md"),
  `# Benchmark results\n\nWritten by \`bun run bench\`; re-run to refresh.\n\n${sections.join("\n")}`,
);
