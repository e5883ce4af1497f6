/** Markdown tables for bench/results/README.md. */
import type { GatewayOverheadResult } from "./gateway-overhead";
import type { MachineInfo } from "./machine";
import type { StartupResult } from "./startup";

interface Record {
  benchmark: string;
  machine: MachineInfo;
  durationSeconds: number;
  result: unknown;
}

const machineLine = (m: MachineInfo) =>
  `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Bun ${m.bun}, ${m.kernel}; measured ${m.measuredAt}.`;

function table(head: string[], rows: Array<Array<string | number>>): string {
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

export function markdownFor(record: Record): string {
  const header = `## ${record.benchmark}\n\n${machineLine(record.machine)}\n\n`;
  switch (record.benchmark) {
    case "gateway-overhead": {
      const r = record.result as GatewayOverheadResult;
      const row = (name: string, l: GatewayOverheadResult["direct"]) => [name, l.requestsPerSecond, l.p50Ms, l.p99Ms, l.non2xx];
      return (
        header +
        `${r.seconds}s per target, ${r.connections} connections (wrk, 1 thread).\n\n` +
        table(["path", "req/s", "p50 ms", "p99 ms", "non-2xx"], [
          row("direct", r.direct),
          row("nginx (plain reverse proxy)", r.nginx),
          row("gateway (JWT + scopes)", r.gateway),
        ]) +
        `\n\nGateway / nginx: throughput ${r.ratios.gatewayToNginxRps}×, p50 ${r.ratios.gatewayToNginxP50}×, p99 ${r.ratios.gatewayToNginxP99}×. ` +
        `Gateway CPU ${r.gateway.cpuSeconds}s over the run, RSS ${r.gateway.rssMiB} MiB.\n`
      );
    }
    case "startup": {
      const rows = (record.result as StartupResult[]).map((s) => [s.service, s.readyMs, s.idleRssMiB]);
      return header + table(["service", "start → ready (ms)", "idle RSS (MiB)"], rows) + "\n";
    }
    default:
      return header + "```json\n" + JSON.stringify(record.result, null, 2) + "\n```\n";
  }
}
