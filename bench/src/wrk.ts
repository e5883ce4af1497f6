/** Load generation with Debian's wrk (a separate C process, so it doesn't share the servers' event loop). */
export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  non2xx: number;
  socketErrors: number;
}

export interface LoadOptions {
  url: string;
  seconds: number;
  connections: number;
  threads?: number;
  headers?: Record<string, string>;
  /** A wrk Lua script (e.g. to build each request). */
  script?: string;
}

function toMs(value: string): number {
  const m = value.match(/^([\d.]+)(us|ms|s|m)$/);
  if (!m) throw new Error(`unparsable wrk latency: ${value}`);
  const n = Number(m[1]);
  return m[2] === "us" ? n / 1000 : m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : n * 60_000;
}

export function parseWrk(output: string): LoadResult {
  const pct = (p: string) => {
    const m = output.match(new RegExp(`^\\s+${p}%\\s+(\\S+)`, "m"));
    if (!m) throw new Error(`wrk output has no ${p}% line:\n${output}`);
    return toMs(m[1]!);
  };
  const requests = Number(output.match(/(\d+) requests in/)?.[1] ?? NaN);
  const rps = Number(output.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? NaN);
  const non2xx = Number(output.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const errors = output.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const socketErrors = errors ? errors.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return {
    requests,
    requestsPerSecond: Math.round(rps),
    p50Ms: pct("50"),
    p90Ms: pct("90"),
    p99Ms: pct("99"),
    non2xx,
    socketErrors,
  };
}

export async function wrk(options: LoadOptions): Promise<LoadResult> {
  const args = [
    "wrk",
    `-t${options.threads ?? 1}`,
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    "--latency",
    ...(options.script ? ["-s", options.script] : []),
    ...Object.entries(options.headers ?? {}).flatMap(([k, v]) => ["-H", `${k}: ${v}`]),
    options.url,
  ];
  const child = Bun.spawn(args, { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`wrk failed (${code}): ${err || out}`);
  return parseWrk(out);
}
