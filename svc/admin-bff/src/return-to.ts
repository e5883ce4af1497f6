/**
 * Where the browser goes after sign-in. `returnTo` comes from a link anyone can craft, so it is resolved
 * first, exactly as the browser will resolve the Location header, and only then checked: the URL parser
 * drops tab/CR/LF and reads `\` as `/`, so a raw-string check on `/\t/evil.example` passes while the
 * resolved URL is `http://evil.example/`. Control characters are refused outright.
 */

/** C0 controls, DEL and C1 controls (what a path typed by a person never holds). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The absolute URL on the admin app's origin that `returnTo` names, or undefined when it names anything
 * else (another origin or scheme, or a string with control characters).
 */
export function resolveReturnTo(returnTo: string, appUrl: string): string | undefined {
  if (CONTROL.test(returnTo)) return undefined;
  const app = new URL(appUrl);
  let target: URL;
  try {
    target = new URL(returnTo, app);
  } catch {
    return undefined;
  }
  if (target.origin !== app.origin || target.username !== "" || target.password !== "") return undefined;
  return target.href;
}
