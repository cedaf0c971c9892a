import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { RealClock } from '../src/core/clock.js';
import { fillHistory, startServer } from './http-bench.js';

// `npm run bench:dashboard`: the dashboard's numbers for docs/PERFORMANCE.md (issue 9) — bundle
// size gzipped, time to first render of the overview in a cold browser, the 60-day chart's render
// time, and the browser's JS heap over a sustained run of live updates. The server is the REST
// bench's (bench/http-bench.ts): every route over one simulated PDU44001 whose status changes at
// 1 Hz, and a history file with 60 days of 1 Hz samples written by the real writer. Prints a
// markdown section; docs/PERFORMANCE.md gets it by hand (the section is short).

const clock = new RealClock();
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** fillHistory's span (it starts at a fixed day boundary). */
const historySpan = (days: number) => {
  const startS = 1_800_000_000 - (1_800_000_000 % 86_400);
  return { startS, endS: startS + days * 86_400 };
};
const sleep = (ms: number) => new Promise<void>((r) => clock.setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const log = (s: string) => process.stderr.write(`dashboard: ${s}\n`);

function bundleSizes(dir = 'dist/web/assets'): { js: number; jsGz: number; css: number; cssGz: number } {
  const out = { js: 0, jsGz: 0, css: 0, cssGz: 0 };
  for (const f of readdirSync(dir)) {
    const buf = readFileSync(join(dir, f));
    const gz = gzipSync(buf, { level: 9 }).length;
    if (f.endsWith('.js')) {
      out.js += buf.length;
      out.jsGz += gz;
    } else if (f.endsWith('.css')) {
      out.css += buf.length;
      out.cssGz += gz;
    }
  }
  return out;
}

/** ms from navigation start until the overview shows the PDU's input voltage (cold cache, new context). */
async function firstRender(browser: Browser, url: string): Promise<number> {
  const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const page = await ctx.newPage();
  await page.goto(url, { waitUntil: 'commit' });
  // The overview marks the frame in which the first PDU's values are painted (pages/overview.tsx).
  await page.getByTestId('input-voltage').filter({ hasText: /\d/ }).first().waitFor({ timeout: 15_000 });
  // The mark is taken in the next animation frame: wait for it (bounded).
  let ms = -1;
  for (let i = 0; i < 100 && ms < 0; i++) {
    ms = (await page.evaluate('performance.getEntriesByName("p2m:overview-data")[0]?.startTime ?? -1')) as number;
    if (ms < 0) await sleep(20);
  }
  if (ms < 0) throw new Error('the overview never marked its first data (p2m:overview-data)');
  await ctx.close();
  return ms;
}

/** The uPlot build time of the 60-day bank power chart, as the chart component measures it. */
async function chartRender(page: Page, url: string): Promise<{ ms: number; points: number; loadMs: number }> {
  const t0 = clock.monotonic();
  await page.goto(url);
  await page.locator('[data-testid="chart-meta"][data-render-ms]:not([data-render-ms=""])').waitFor({ timeout: 30_000 });
  const loadMs = clock.monotonic() - t0;
  const meta = page.getByTestId('chart-meta');
  return { ms: Number(await meta.getAttribute('data-render-ms')), points: Number(await meta.getAttribute('data-points')), loadMs };
}

async function heapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize / 1e6;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, days: { type: 'string', default: '60' }, runs: { type: 'string', default: '5' }, db: { type: 'string' } } });
  const minutes = Number(values.minutes);
  const days = Number(values.days);
  const dir = mkdtempSync(join(tmpdir(), 'p2m-dashbench-'));
  const dbPath = join(dir, 'history.db');
  const cached = values.db !== undefined && existsSync(values.db);
  const sizes = bundleSizes();
  log(`bundle: JS ${sizes.jsGz} B gzipped, CSS ${sizes.cssGz} B gzipped`);
  // --db FILE keeps the filled history (it takes minutes) for the next run.
  if (cached) copyFileSync(values.db as string, dbPath);
  const { startS, endS } = cached ? historySpan(days) : await fillHistory(dbPath, days, (s) => log(s));
  if (values.db !== undefined && !cached) copyFileSync(dbPath, values.db);
  const server = await startServer(1, dbPath);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...ARGS, '--enable-precise-memory-info'] });
  try {
    await sleep(2000);
    const renders: number[] = [];
    for (let i = 0; i < Number(values.runs); i++) renders.push(await firstRender(browser, server.url));
    log(`first render: ${renders.map((r) => r.toFixed(0)).join(', ')} ms`);

    const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await ctx.newPage();
    const charts: Array<{ ms: number; points: number; loadMs: number }> = [];
    const chartUrl = `${server.url}/charts?device_id=sim-pdu44001&kind=banks&metric=power&start=${startS}&end=${endS}`;
    for (let i = 0; i < Number(values.runs); i++) charts.push(await chartRender(page, chartUrl));
    log(`60 d chart: ${charts.map((c) => `${c.ms.toFixed(1)} ms / ${c.points} points`).join(', ')}`);

    await page.goto(server.url);
    await page.getByTestId('input-voltage').waitFor();
    await sleep(5000);
    const heap: Array<[number, number]> = [[0, await heapMb(page)]];
    const steps = Math.max(4, Math.min(12, minutes));
    for (let s = 1; s <= steps; s++) {
      await sleep((minutes * 60_000) / steps);
      heap.push([(minutes * s) / steps, await heapMb(page)]);
      log(`heap after ${heap[heap.length - 1]?.[0].toFixed(1)} min: ${heap[heap.length - 1]?.[1].toFixed(2)} MB`);
    }
    await ctx.close();

    const lines = [
      `| Measure | Result | Target |`,
      `|---|---|---|`,
      `| JavaScript, gzipped (minified) | ${(sizes.jsGz / 1024).toFixed(1)} KB (${(sizes.js / 1024).toFixed(0)} KB) | ≤ 150 KB |`,
      `| CSS, gzipped (minified) | ${(sizes.cssGz / 1024).toFixed(1)} KB (${(sizes.css / 1024).toFixed(0)} KB) | — |`,
      `| First render of the overview, cold browser context (median of ${renders.length}; all) | ${median(renders).toFixed(0)} ms (${renders.map((r) => r.toFixed(0)).join(', ')}) | < 1 s |`,
      `| ${days} d bank power chart: uPlot build (median of ${charts.length}) | ${median(charts.map((c) => c.ms)).toFixed(1)} ms for ${charts[0]?.points ?? 0} points | < 200 ms |`,
      `| ${days} d chart page: navigation to drawn chart, incl. the REST query (median) | ${median(charts.map((c) => c.loadMs)).toFixed(0)} ms | — |`,
      `| JS heap after GC over ${minutes} min of 1 Hz live updates | ${heap.map(([m, mb]) => `${m.toFixed(0)} min ${mb.toFixed(2)} MB`).join(' · ')} | no growth |`,
    ];
    process.stdout.write(`${lines.join('\n')}\n\n1-min load average at the end: ${loadavg()[0]?.toFixed(1)}\n`);
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`dashboard bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
