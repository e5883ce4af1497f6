/**
 * Test helpers for suites that sign in through the dev IdP with a real browser (headless Chromium driven by
 * playwright-core) and that need a realm whose redirect URIs point at their loopback ports.
 */
import { chromium, type Browser, type Page } from "playwright-core";
import { chromiumArgs, tools } from "@meridian/kit/testing";
import { loadRealm, type RealmExport } from "./realm";
import { startDevIdp, type RunningDevIdp } from "./server";

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: tools.chromium, headless: true, args: chromiumArgs, timeout: 60_000 });
}

/** Fills the dev IdP's login form by its labels, as a person would, and submits it. */
export async function signInOnLoginPage(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** The realm file with one client's redirect, post-logout and web origins replaced (tests use free ports). */
export function realmWithClientUrls(
  clientId: string,
  urls: { redirectUris: string[]; webOrigins?: string[]; postLogoutRedirectUris?: string[] },
  realm: RealmExport = loadRealm(),
): RealmExport {
  const copy = structuredClone(realm);
  const client = copy.clients.find((c) => c.clientId === clientId);
  if (!client) throw new Error(`realm has no client ${clientId}`);
  client.redirectUris = urls.redirectUris;
  if (urls.webOrigins) client.webOrigins = urls.webOrigins;
  if (urls.postLogoutRedirectUris) {
    client.attributes = { ...client.attributes, "post.logout.redirect.uris": urls.postLogoutRedirectUris.join("##") };
  }
  return copy;
}

/** A dev IdP on a free loopback port, quiet unless DEV_IDP_TEST_LOG is set. */
export function startTestDevIdp(realm: RealmExport): Promise<RunningDevIdp> {
  return startDevIdp({
    realm,
    port: 0,
    host: "127.0.0.1",
    log: process.env.DEV_IDP_TEST_LOG ? (level, msg, fields) => console.log(level, msg, fields ?? "") : undefined,
  });
}
