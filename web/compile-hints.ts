// Marks an app's start-up scripts for eager compilation: the first line `//# allFunctionsCalledOnLoad` is V8's
// explicit compile hint (https://v8.dev/blog/explicit-compile-hints). Without it V8 compiles each function on its
// first call, on the main thread, in the middle of the app's start; with it V8 compiles the whole file on a
// background thread while the file streams in. Only the scripts index.html loads at start are marked (lazy
// chunks stay lazy). Angular's builder has no hook for a banner, so this runs after `ng build`; where the build
// has a service worker, its ngsw.json hashes are brought up to date so the worker still installs.
//
//   node compile-hints.ts dist/<app>/browser
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const compileHint = '//# allFunctionsCalledOnLoad';

/** The scripts index.html loads at start: its module scripts and module preloads (local files only). */
export function startupScripts(indexHtml: string): string[] {
  const found = new Set<string>();
  for (const tag of indexHtml.match(/<(script|link)\b[^>]*>/g) ?? []) {
    const isModuleScript = tag.startsWith('<script') && /\btype="module"/.test(tag);
    const isModulePreload = tag.startsWith('<link') && /\brel="modulepreload"/.test(tag);
    const url = /\b(?:src|href)="([^"]+\.js)"/.exec(tag)?.[1];
    if ((isModuleScript || isModulePreload) && url && !/^[a-z]+:|^\/\//i.test(url)) found.add(url.replace(/^\//, ''));
  }
  return [...found];
}

interface ServiceWorkerManifest {
  hashTable?: Record<string, string>;
}

/** Adds the hint to the start-up scripts of a built app; answers the files it changed. Running it twice changes nothing. */
export async function addCompileHints(browserDir: string): Promise<string[]> {
  const scripts = startupScripts(await readFile(path.join(browserDir, 'index.html'), 'utf8'));
  if (scripts.length === 0) throw new Error(`${browserDir}/index.html loads no module script: is this an Angular build?`);
  const changed: string[] = [];
  for (const script of scripts) {
    const file = path.join(browserDir, script);
    const text = await readFile(file, 'utf8');
    if (text.startsWith(compileHint)) continue;
    await writeFile(file, `${compileHint}\n${text}`);
    changed.push(script);
  }
  await refreshServiceWorkerHashes(browserDir, changed);
  return changed;
}

/** ngsw.json lists a SHA-1 per file; the worker refuses a file whose content does not match it. */
async function refreshServiceWorkerHashes(browserDir: string, changed: string[]): Promise<void> {
  const manifestFile = path.join(browserDir, 'ngsw.json');
  let manifest: ServiceWorkerManifest;
  try {
    manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as ServiceWorkerManifest;
  } catch {
    return; // no service worker in this build
  }
  for (const script of changed) {
    const key = `/${script}`;
    if (manifest.hashTable?.[key] === undefined) continue;
    manifest.hashTable[key] = createHash('sha1').update(await readFile(path.join(browserDir, script))).digest('hex');
  }
  await writeFile(manifestFile, JSON.stringify(manifest, null, 2));
}

if (import.meta.main) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node compile-hints.ts dist/<app>/browser');
    process.exit(2);
  }
  const changed = await addCompileHints(dir);
  console.log(`compile hints: ${changed.length ? changed.join(', ') : 'already present'} in ${dir}`);
}
