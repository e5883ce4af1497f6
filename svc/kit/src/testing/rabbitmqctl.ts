/** `rabbitmqctl` for tests that act on the broker from the server side (fault injection, queue state). */

/** `rabbitmqctl -q <args>`; throws with its output when it fails. */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  const child = Bun.spawn(["rabbitmqctl", "-q", ...args], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`rabbitmqctl ${args.join(" ")} failed (${code}): ${err.trim() || out.trim()}`);
  return out;
}

/**
 * Closes, from the server side, the connections whose `rabbitmqctl list_connections pid <fields…>` line `matches`
 * (never every connection: other test runs share the broker). Returns how many were closed.
 */
export async function closeConnectionsWhere(fields: string[], matches: (line: string) => boolean, reason = "test cut"): Promise<number> {
  const listing = await rabbitmqctl("list_connections", "pid", ...fields);
  const pids = listing
    .split("\n")
    .filter((line) => line.trim() && matches(line))
    .map((line) => line.split("\t")[0] as string);
  for (const pid of pids) await rabbitmqctl("close_connection", pid, reason);
  return pids.length;
}
