// The production builds' start-up scripts carry V8's explicit compile hint (web/compile-hints.ts), lazy chunks do
// not, and the admin service worker's manifest still matches every file it lists (a stale SHA-1 makes the worker
// refuse the file and the app stop working offline).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { addCompileHints, compileHint, startupScripts } from '../compile-hints.ts';

const dist = (app: string): string => path.resolve(import.meta.dirname, '..', 'dist', app, 'browser');

describe('compile hints in the production builds', () => {
  for (const app of ['customer', 'admin']) {
    it(`when the ${app} build is read, then each start-up script begins with the hint and no lazy chunk does`, async () => {
      const scripts = startupScripts(await readFile(path.join(dist(app), 'index.html'), 'utf8'));
      assert.ok(scripts.some((s) => s.startsWith('main-')), `index.html of ${app} loads its main bundle`);
      const files = (await readdir(dist(app))).filter((f) => f.endsWith('.js') && f !== 'ngsw-worker.js' && f !== 'safety-worker.js' && f !== 'worker-basic.min.js');
      for (const file of files) {
        const head = (await readFile(path.join(dist(app), file), 'utf8')).slice(0, compileHint.length);
        assert.equal(head === compileHint, scripts.includes(file), `${app}/${file}: hinted only if index.html loads it at start`);
      }
    });
  }

  it('when the admin service worker manifest is read, then every hash matches its file', async () => {
    const manifest = JSON.parse(await readFile(path.join(dist('admin'), 'ngsw.json'), 'utf8')) as { hashTable: Record<string, string> };
    const entries = Object.entries(manifest.hashTable);
    assert.ok(entries.some(([file]) => /^\/main-.*\.js$/.test(file)), 'the worker caches the main bundle');
    for (const [file, hash] of entries) {
      const actual = createHash('sha1').update(await readFile(path.join(dist('admin'), file))).digest('hex');
      assert.equal(actual, hash, `ngsw.json hash of ${file}`);
    }
  });

  it('when the hints are added to a build twice, then the second run changes nothing', async () => {
    const copy = await mkdtemp(path.join(os.tmpdir(), 'meridian-hints-'));
    try {
      await cp(dist('admin'), copy, { recursive: true });
      const before = await readFile(path.join(copy, 'ngsw.json'), 'utf8');
      assert.deepEqual(await addCompileHints(copy), []);
      assert.equal(await readFile(path.join(copy, 'ngsw.json'), 'utf8'), before);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('when index.html is read, then module scripts and module preloads count and other scripts and remote URLs do not', () => {
    const html = `<link rel="modulepreload" href="chunk-A.js"><script src="main-B.js" type="module"></script>
      <script src="https://cdn.example/x.js" type="module"></script><script src="classic.js"></script><link rel="stylesheet" href="styles.css">`;
    assert.deepEqual(startupScripts(html), ['chunk-A.js', 'main-B.js']);
  });
});
