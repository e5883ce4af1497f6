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
const SPOOFABLE = /^(forwarded|x-forwarded-.*|x-real-ip|x-client-ip|x-original-.*|x-user(-.*)?|x-auth-.*|x-authenticated-.*|x-remote-user|remote-user|x-ms-client-principal.*|x-jwt-.*|x-consumer-.*)$/;

function connectionTokens(headers: Headers): Set<string> {
  const value = headers.get("connection");
  return new Set((value ?? "").split(",").map((t) => t.trim().toLowerCase()).filter(Boolean));
}

export function downstreamRequestHeaders(incoming: Headers): Headers {
  const out = new Headers();
  const named = connectionTokens(incoming);
  incoming.forEach((value, name) => {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower) || SPOOFABLE.test(lower)) return;
    out.append(name, value);
  });
  return out;
}

export function upstreamResponseHeaders(downstream: Headers): Headers {
  const out = new Headers();
  const named = connectionTokens(downstream);
  downstream.forEach((value, name) => {
    const lower = name.toLowerCase();
    if (lower === "set-cookie") return; // appended below, one by one
    if ((HOP_BY_HOP.has(lower) && lower !== "content-length") || named.has(lower)) return;
    out.append(name, value);
  });
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

/** Applies Ocelot header transforms; `{Name}` placeholders in values come from `vars`. */
export function applyHeaderTransforms(
  headers: Headers,
  transforms: Array<{ header: string; find?: string; value: string }>,
  vars: Record<string, string | undefined>,
): void {
  const fill = (text: string) => text.replace(/\{(\w+)\}/g, (m, name: string) => vars[name] ?? m);
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
