/** What the pipeline reads from the request line before routing: path, query, client address. */
import { problems } from "@meridian/kit";
import { GatewayError } from "./errors";

export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Path and query string (with its `?`, or "") of an absolute request URL, without building a URL object. */
export function splitUrl(url: string): { rawPath: string; rawQuery: string } {
  const scheme = url.indexOf("://");
  const slash = url.indexOf("/", scheme < 0 ? 0 : scheme + 3);
  if (slash < 0) return { rawPath: "/", rawQuery: "" };
  const q = url.indexOf("?", slash);
  const hash = url.indexOf("#", slash);
  const end = hash < 0 ? url.length : hash;
  return q < 0 || q > end
    ? { rawPath: url.slice(slash, end), rawQuery: "" }
    : { rawPath: url.slice(slash, q), rawQuery: url.slice(q, end) };
}

const ENCODED_SEPARATOR = /%2f|%5c|%00/i;

/**
 * The decoded path used for routing. Encoded separators and NUL would let a placeholder value reach outside its
 * template downstream, so they are refused, as are dot segments (the URL parser already resolved literal ones).
 */
export function validatePath(rawPath: string): string {
  // Most paths have nothing to decode: no percent sign, no backslash, no dot segment.
  if (!rawPath.includes("%") && !rawPath.includes("\\") && !rawPath.includes("/.")) return rawPath;
  if (ENCODED_SEPARATOR.test(rawPath) || rawPath.includes("\\"))
    throw new GatewayError(problems.badRequest("encoded slashes, backslashes and NUL are not allowed in the path"));
  const segments = rawPath.split("/").map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new GatewayError(problems.badRequest("the path has malformed percent-encoding"));
    }
  });
  if (segments.some((s) => s === "." || s === ".."))
    throw new GatewayError(problems.badRequest("dot segments are not allowed in the path"));
  return segments.join("/");
}

/**
 * The client's address: the socket peer, or with `trustedProxies` proxies in front of the gateway the X-Forwarded-For
 * entry that the outermost trusted proxy saw (entries further left were written by the client and prove nothing).
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | null, trustedProxies: number): string | undefined {
  if (trustedProxies <= 0 || !forwardedFor) return peer;
  const hops = forwardedFor
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  if (peer) hops.push(peer);
  return hops[Math.max(0, hops.length - 1 - trustedProxies)] ?? peer;
}
