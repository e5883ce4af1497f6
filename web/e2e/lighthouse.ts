// Lighthouse (npm `lighthouse`, pinned) on pages of a served production build, in Debian's Chromium through
// playwright-core (a persistent profile with a DevTools port, so Lighthouse's tabs share its storage). The config
// is Lighthouse's default, mobile one (Moto G Power screen, simulated slow 4G) with one documented adjustment: the
// CPU slowdown is calibrated to the host as Lighthouse's docs/throttling.md prescribes ("Calibrating the CPU
// slowdown"). The default 4× assumes a high-end desktop host (benchmarkIndex 1500-2000) and aims at a mid-tier
// phone (about 440); on a busy 2-core CI machine the index drops to 100-500, where 4× would emulate a phone many
// times slower than the target. So: multiplier = benchmarkIndex / 440, between 1 and 4, measured right before each
// run with Lighthouse's own benchmark. Each page runs five times and the median score per category counts
// (docs/variability.md recommends the median of five runs). The index and multiplier of every run are reported.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import lighthouse from 'lighthouse';
import { throttling } from 'lighthouse/core/config/constants.js';
import { pageFunctions } from 'lighthouse/core/lib/page-functions.js';
import type { BrowserContext } from 'playwright-core';
import { launchPersistentChromium } from './browser.ts';
import { freePort } from './nginx-site.ts';

export const categories = ['performance', 'accessibility', 'best-practices'] as const;
export type Category = (typeof categories)[number];

/** The benchmarkIndex of the mid-tier phone Lighthouse's mobile preset aims at (4× on a 1750 desktop). */
export const targetBenchmarkIndex = 440;

/** Runs per page; the median counts (docs/variability.md: the median of five runs). */
export const RUNS = 5;

export interface Run {
  benchmarkIndex: number;
  cpuSlowdownMultiplier: number;
  scores: Record<Category, number>;
  metrics: Record<string, string>;
  /** The scored audits that cost points (for a failing score's message). */
  losses: string[];
}

export interface PageScores {
  name: string;
  url: string;
  /** Median of the runs, 0..100 per category. */
  scores: Record<Category, number>;
  runs: Run[];
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export interface LighthouseRunner {
  /** `prepare` runs in a tab of the same profile first (e.g. to fill the cart), whose storage Lighthouse then keeps. */
  audit(name: string, url: string, prepare?: (context: BrowserContext) => Promise<void>): Promise<PageScores>;
  close(): Promise<void>;
}

/** Lighthouse's mobile network preset, kept as it is (only the CPU multiplier changes). */
const mobileSlow4G = throttling.mobileSlow4G;

export async function startLighthouse(): Promise<LighthouseRunner> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'meridian-lighthouse-'));
  const port = await freePort();
  const context = await launchPersistentChromium(profile, [`--remote-debugging-port=${port}`]);

  async function runOnce(url: string, keepStorage: boolean): Promise<Run> {
    const tab = context.pages()[0] ?? (await context.newPage());
    await tab.goto('about:blank');
    const benchmarkIndex = Math.round((await tab.evaluate(`(${pageFunctions.computeBenchmarkIndex.toString()})()`)) as number);
    const cpuSlowdownMultiplier = Math.round(Math.min(4, Math.max(1, benchmarkIndex / targetBenchmarkIndex)) * 100) / 100;
    // Storage survives for a prepared page; the HTTP cache never does, so every load is a cold one.
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Network.clearBrowserCache');
    await cdp.detach();
    const result = await lighthouse(
      url,
      { port, output: 'json', logLevel: 'error', onlyCategories: [...categories], disableStorageReset: keepStorage },
      { extends: 'lighthouse:default', settings: { throttling: { ...mobileSlow4G, cpuSlowdownMultiplier } } },
    );
    if (!result) throw new Error(`Lighthouse gave no result for ${url}`);
    const lhr = result.lhr;
    if (lhr.runtimeError) throw new Error(`Lighthouse could not audit ${url}: ${lhr.runtimeError.message}`);
    const scores = Object.fromEntries(categories.map((c) => [c, Math.round((lhr.categories[c]?.score ?? 0) * 100)])) as Record<Category, number>;
    const metrics = Object.fromEntries(
      ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index'].map((id) => [id, lhr.audits[id]?.displayValue ?? '']),
    );
    const losses = categories.flatMap((c) =>
      (lhr.categories[c]?.auditRefs ?? [])
        .filter((ref) => ref.weight > 0 && (lhr.audits[ref.id]?.score ?? 1) < 0.9)
        .map((ref) => `${c}/${ref.id}: ${lhr.audits[ref.id]?.displayValue ?? lhr.audits[ref.id]?.title ?? ''} (score ${lhr.audits[ref.id]?.score})`),
    );
    return { benchmarkIndex, cpuSlowdownMultiplier, scores, metrics, losses };
  }

  return {
    async audit(name, url, prepare) {
      if (prepare) await prepare(context);
      const runs: Run[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await runOnce(url, prepare !== undefined));
      const scores = Object.fromEntries(categories.map((c) => [c, median(runs.map((r) => r.scores[c]))])) as Record<Category, number>;
      return { name, url, scores, runs };
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
