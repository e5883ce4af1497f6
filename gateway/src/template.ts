/**
 * Ocelot's upstream/downstream template semantics (Routing docs: Placeholders, Empty Placeholders, Catch All,
 * Query String Placeholders; classes UpstreamTemplatePatternCreator, UrlPathPlaceholderNameAndValueFinder,
 * DownstreamUrlCreatorMiddleware).
 */

export interface Placeholder {
  /** Name including braces, e.g. "{id}" (Ocelot keeps the braces). */
  name: string;
  value: string;
}

export interface UpstreamPattern {
  /** The template as configured. */
  original: string;
  /** The regular expression Ocelot builds (for docs and tests). */
  source: string;
  regex: RegExp;
  /** Effective priority: `/{catchAll}` is forced to 0. */
  priority: number;
  /** Template has a query part: it is matched against path + query string. */
  containsQueryString: boolean;
  /** Extracts placeholder values from a matching raw path and query. */
  extract(path: string, query: string): Placeholder[];
}

const PLACEHOLDER = /\{[^{}]*\}/g;
const MATCH_EVERYTHING = ".*";
const MATCH_SEGMENT = "[^/]+";
const QUERY_SEPARATOR = "(/$|/\\?|\\?|$)";

/** .NET Regex.Escape equivalent (escapes \ * + ? | { [ ( ) ^ $ . # and white space). */
function escapeRegex(text: string): string {
  return text.replace(/[\\*+?|{[()^$.#\s\]}]/g, (c) => {
    if (c === "\n") return "\\n";
    if (c === "\t") return "\\t";
    if (c === "\r") return "\\r";
    if (c === "\f") return "\\f";
    return `\\${c}`;
  });
}

export function placeholdersOf(template: string): string[] {
  return template.match(PLACEHOLDER) ?? [];
}

/** Builds the matcher exactly as Ocelot's UpstreamTemplatePatternCreator does. */
function ocelotPattern(template: string, priority: number, caseSensitive: boolean) {
  const placeholders = placeholdersOf(template);
  // Hack kept from Ocelot: "/{url}" matches everything and always has priority 0.
  if (placeholders.length === 1 && template.startsWith("/{") && template.endsWith("}") && template.indexOf("}") === template.length - 1) {
    return { source: "^/.*", priority: 0, containsQueryString: false, flags: "s" };
  }
  let containsQueryString = false;
  let querySeparator: string | undefined;
  if (template.includes("?")) {
    containsQueryString = true;
    querySeparator = template.includes("/?") ? "/?" : "?";
  }
  // Escape literal text, keep placeholders and the query separator.
  let out = "";
  let index = 0;
  while (index < template.length) {
    let next = -1;
    let length = 0;
    let value = "";
    for (const p of placeholders) {
      const at = template.indexOf(p, index);
      if (at >= 0 && (next < 0 || at < next)) {
        next = at;
        length = p.length;
        value = p;
      }
    }
    if (querySeparator) {
      const at = template.indexOf(querySeparator, index);
      if (at >= 0 && (next < 0 || at < next)) {
        next = at;
        length = querySeparator.length;
        value = QUERY_SEPARATOR;
      }
    }
    if (next < 0) {
      out += escapeRegex(template.slice(index));
      break;
    }
    out += escapeRegex(template.slice(index, next)) + value;
    index = next + length;
  }
  for (const p of placeholders) {
    const at = out.indexOf(p);
    if (at < 0) continue;
    const nextSlash = out.indexOf("/", at);
    const q = out.indexOf("?");
    const afterQuery = containsQueryString && q >= 0 && q < at;
    out = out.split(p).join(nextSlash < at || afterQuery ? MATCH_EVERYTHING : MATCH_SEGMENT);
  }
  if (out === "/") return { source: "^/$", priority, containsQueryString, flags: "s" };
  const lastSlash = out.lastIndexOf("/");
  if (lastSlash < out.length - 1 && out.startsWith(MATCH_EVERYTHING, lastSlash + 1)) {
    // Empty placeholder at the end: "/invoices/{url}" also matches "/invoices" and "/invoices/" (Ocelot 23.0, #748).
    out = `${out.slice(0, lastSlash)}(?:|/${out.slice(lastSlash + 1)})`;
  }
  if (out.endsWith("/")) out = `${out.slice(0, -1)}(/|)`;
  return { source: `^${out}$`, priority, containsQueryString, flags: caseSensitive ? "s" : "is" };
}

interface Token {
  kind: "literal" | "placeholder";
  text: string;
}

function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (m.index > last) tokens.push({ kind: "literal", text: template.slice(last, m.index) });
    tokens.push({ kind: "placeholder", text: m[0] });
    last = m.index + m[0].length;
  }
  if (last < template.length) tokens.push({ kind: "literal", text: template.slice(last) });
  return tokens;
}

/**
 * A regex with one capture group per placeholder, for reading values (Ocelot's placeholder finder semantics):
 * a placeholder followed by more path segments takes one segment; the last path placeholder takes the rest of the
 * path (and may be empty); a query placeholder after `name=` stops at `&`, a bare `?{all}` takes the whole query.
 */
function captureRegex(template: string, caseSensitive: boolean): { regex: RegExp; names: string[] } {
  const q = template.indexOf("?");
  let pathPart = q >= 0 ? template.slice(0, q) : template;
  const queryPart = q >= 0 ? template.slice(q + 1) : undefined;
  if (queryPart !== undefined && pathPart.endsWith("/") && pathPart.length > 1) pathPart = pathPart.slice(0, -1);
  const names: string[] = [];
  const pathTokens = tokenize(pathPart);
  let src = "";
  pathTokens.forEach((tok, i) => {
    if (tok.kind === "literal") {
      src += escapeRegex(tok.text);
      return;
    }
    names.push(tok.text);
    const rest = pathTokens
      .slice(i + 1)
      .map((t) => (t.kind === "literal" ? t.text : ""))
      .join("");
    src += rest.includes("/") ? "([^/?]+?)" : queryPart !== undefined ? "([^?]*?)" : "(.*)";
  });
  // Optional trailing segment when the template ends in a placeholder segment.
  const tail = /^(.*)\/(\((?:\.\*|\[\^\?\]\*\??)\).*)$/.exec(src);
  if (tail && pathTokens.length > 0 && pathPart.slice(pathPart.lastIndexOf("/") + 1).startsWith("{")) src = `${tail[1]}(?:/${tail[2]})?`;
  if (src.endsWith("/") && src.length > 1) src = `${src.slice(0, -1)}/?`;
  if (queryPart !== undefined) {
    src += "(?:/?\\?|/?$)";
    const qTokens = tokenize(queryPart);
    let qsrc = "";
    qTokens.forEach((tok, i) => {
      if (tok.kind === "literal") {
        qsrc += escapeRegex(tok.text);
        return;
      }
      names.push(tok.text);
      const prev = qTokens[i - 1];
      qsrc += prev && prev.kind === "literal" && prev.text.endsWith("=") ? "([^&]*)" : "(.*)";
    });
    src += `(?:${qsrc}(?:&.*)?)?`;
  }
  return { regex: new RegExp(`^${src}$`, caseSensitive ? "s" : "is"), names };
}

export function createUpstreamPattern(template: string, priority = 1, caseSensitive = false): UpstreamPattern {
  const built = ocelotPattern(template, priority, caseSensitive);
  const regex = new RegExp(built.source, built.flags);
  const catchAll = built.source === "^/.*";
  const capture = catchAll ? undefined : captureRegex(template, caseSensitive);
  return {
    original: template,
    source: built.source,
    regex,
    priority: built.priority,
    containsQueryString: built.containsQueryString,
    extract(path, query) {
      if (catchAll) return [{ name: placeholdersOf(template)[0] ?? "{url}", value: path.slice(1) }];
      if (!capture) return [];
      const input = built.containsQueryString ? path + query : path;
      const m = capture.regex.exec(input);
      return capture.names.map((name, i) => ({ name, value: m?.[i + 1] ?? "" }));
    },
  };
}

/** Does `path` (+ `query` for query templates) match? */
export function matches(pattern: UpstreamPattern, path: string, query: string): boolean {
  return pattern.regex.test(pattern.containsQueryString ? path + query : path);
}

function parseQuery(query: string): Array<[string, string]> {
  const q = query.startsWith("?") ? query.slice(1) : query;
  if (!q) return [];
  return q
    .split(/[&?]/)
    .filter((p) => p.length > 0)
    .map((pair) => {
      const eq = pair.indexOf("=");
      return eq < 0 ? [pair, ""] : [pair.slice(0, eq), pair.slice(eq + 1)];
    });
}

/** Form decoding as ASP.NET's QueryHelpers.ParseQuery: `+` is a space; a malformed escape is kept as written. */
function decodeForm(text: string): string {
  const spaced = text.includes("+") ? text.replace(PLUS, " ") : text;
  if (!spaced.includes("%")) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

const PLUS = /\+/g;
const NOT_UNRESERVED_BY_JS = /[!'()*]/g;

/** .NET's Uri.EscapeDataString: everything but RFC 3986 unreserved characters is percent-encoded (UTF-8). */
export function escapeDataString(text: string): string {
  return encodeURIComponent(text).replace(NOT_UNRESERVED_BY_JS, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The client's query rebuilt as Ocelot 25.0's DownstreamUrlCreatorMiddleware does when the downstream template has
 * no query (RemoveQueryStringParametersThatHaveBeenUsedInTemplate): parsed (a legacy `?a=1?b=2` normalised; values of
 * one key grouped in first-seen order), every parameter named like a placeholder of the downstream path dropped
 * (names compared ignoring case), each key and value re-encoded as Uri.EscapeDataString, a key without value as `key=`.
 */
export function rebuildQuery(query: string, droppedNames: ReadonlySet<string>): string {
  if (query.length <= 1) return "";
  const grouped = new Map<string, string[]>();
  for (const pair of query.slice(1).split(/[&?]/)) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const key = decodeForm(eq < 0 ? pair : pair.slice(0, eq));
    if (!key || droppedNames.has(key.toLowerCase())) continue;
    const value = eq < 0 ? "" : decodeForm(pair.slice(eq + 1));
    const values = grouped.get(key);
    if (values) values.push(value);
    else grouped.set(key, [value]);
  }
  const parts: string[] = [];
  for (const [key, values] of grouped) for (const v of values) parts.push(`${escapeDataString(key)}=${escapeDataString(v)}`);
  return parts.length ? `?${parts.join("&")}` : "";
}

/**
 * Downstream path and query (Ocelot 25.0's DownstreamUrlCreatorMiddleware): placeholders substituted; a trailing
 * slash the upstream path did not have is trimmed; with a query in the downstream template, template parameters come
 * first and upstream parameters named like a placeholder are dropped (MergeQueryStringsWithoutDuplicateValues);
 * otherwise the client's query is rebuilt by `rebuildQuery`.
 */
export function createDownstreamUrl(
  downstreamTemplate: string,
  placeholders: Placeholder[],
  upstreamPath: string,
  upstreamQuery: string,
): { path: string; query: string } {
  let ds = downstreamTemplate;
  for (const p of placeholders) ds = ds.split(p.name).join(p.value);
  if (ds.endsWith("/") && !upstreamPath.endsWith("/")) ds = ds.replace(/\/+$/, "");
  const q = ds.indexOf("?");
  if (q >= 0) {
    const path = ds.slice(0, q);
    const templateQuery = ds.slice(q);
    let query: string;
    if (!upstreamQuery || upstreamQuery === "?") {
      query = templateQuery;
    } else {
      const names = new Set(placeholders.map((p) => p.name.slice(1, -1)));
      const params = new Map<string, string>();
      for (const [k, v] of parseQuery(templateQuery)) if (k && !params.has(k)) params.set(k, v);
      for (const [k, v] of parseQuery(upstreamQuery)) if (k && !names.has(k) && !params.has(k)) params.set(k, v);
      query = params.size ? `?${[...params].map(([k, v]) => `${k}=${v}`).join("&")}` : "";
    }
    return { path: path || "/", query: query === "?" ? "" : query };
  }
  // Most requests have no query: nothing to rebuild, so no set of names to drop.
  if (upstreamQuery.length <= 1) return { path: ds || "/", query: "" };
  const dropped = new Set(placeholdersOf(downstreamTemplate).map((p) => p.slice(1, -1).toLowerCase()));
  const query = rebuildQuery(upstreamQuery, dropped);
  return { path: ds || "/", query };
}
