/** Which client headers reach a downstream service, and what the gateway adds. */

/** RFC 9110 §7.6.1 connection-specific headers, plus ones a proxy must not pass on. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

/**
 * Headers a client could use to impersonate a user or lie about the hop chain. The gateway sets the X-Forwarded-*
 * family itself; identity travels only in the validated bearer token (and AddHeadersToRequest claims).
 */
const SPOOFABLE =
  /^(forwarded|x-forwarded-.*|x-real-ip|x-client-ip|x-original-.*|x-user(-.*)?|x-auth-.*|x-authenticated-.*|x-remote-user|remote-user|x-ms-client-principal.*|x-jwt-.*|x-consumer-.*)$/;

const NOTHING_NAMED: ReadonlySet<string> = new Set();

/** Header names listed in `Connection` (RFC 9110 §7.6.1): hop-by-hop for this message only. */
function connectionTokens(headers: Headers): ReadonlySet<string> {
  const value = headers.get("connection");
  if (!value || value.toLowerCase() === "keep-alive") return NOTHING_NAMED;
  return new Set(
    value
      .split(",")
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** Verdicts per header name, so a name is classified once rather than on every request (bounded). */
class NameVerdicts {
  private readonly known = new Map<string, boolean>();
  constructor(private readonly decide: (lower: string) => boolean) {}
  passes(lower: string): boolean {
    let verdict = this.known.get(lower);
    if (verdict === undefined) {
      verdict = this.decide(lower);
      if (this.known.size < 4096) this.known.set(lower, verdict);
    }
    return verdict;
  }
}

const toDownstream = new NameVerdicts((lower) => !HOP_BY_HOP.has(lower) && !SPOOFABLE.test(lower));
const toClient = new NameVerdicts((lower) => lower !== "set-cookie" && (!HOP_BY_HOP.has(lower) || lower === "content-length"));

/**
 * The client's headers made fit for the downstream, in place (the request's own Headers go to fetch: building a new
 * object cost ~8 µs per request in bench/): hop-by-hop, spoofable and `Connection`-named headers removed.
 */
export function downstreamRequestHeaders(incoming: Headers): Headers {
  const named = connectionTokens(incoming);
  let remove: string[] | undefined;
  // Bun's Headers iterate lower-cased names; deleting while iterating could skip one, so collect first.
  for (const name of incoming.keys()) if (!toDownstream.passes(name) || named.has(name)) (remove ??= []).push(name);
  if (remove) for (const name of remove) incoming.delete(name);
  return incoming;
}

const RESPONSE_HOP_BY_HOP = [...HOP_BY_HOP].filter((h) => h !== "content-length");

/**
 * The downstream's response headers made fit for the client, in place (the fetch Response is answered as it is, so
 * its body streams through natively): hop-by-hop headers and those named in `Connection` removed.
 */
export function stripHopByHop(headers: Headers): Headers {
  const named = connectionTokens(headers);
  for (const name of RESPONSE_HOP_BY_HOP) headers.delete(name);
  for (const name of named) headers.delete(name);
  return headers;
}

export function upstreamResponseHeaders(downstream: Headers): Headers {
  const out = new Headers();
  const named = connectionTokens(downstream);
  for (const [name, value] of downstream) if (toClient.passes(name) && !named.has(name)) out.append(name, value);
  for (const cookie of downstream.getSetCookie()) out.append("set-cookie", cookie);
  return out;
}

export function parseCookies(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

const VARIABLE = /\{(\w+)\}/g;

/** Applies Ocelot header transforms; `{Name}` placeholders in values come from `vars`. */
export function applyHeaderTransforms(
  headers: Headers,
  transforms: Array<{ header: string; find?: string; value: string }>,
  vars: Record<string, string | undefined>,
): void {
  const fill = (text: string) => text.replace(VARIABLE, (m, name: string) => vars[name] ?? m);
  for (const t of transforms) {
    if (t.find === undefined) {
      headers.set(t.header, fill(t.value));
      continue;
    }
    const current = headers.get(t.header);
    if (current === null) continue;
    headers.set(t.header, current.split(fill(t.find)).join(fill(t.value)));
  }
}
