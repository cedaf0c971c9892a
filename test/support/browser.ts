// Debian chromium driven by playwright-core for the dashboard tests (SPEC §2.1, §18): one
// headless browser per test file with a fresh profile, and the web bundle built when missing.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Availability } from './requires.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ROOT = resolve(import.meta.dirname, '../..');
export const SCREENSHOTS = join(ROOT, 'test/e2e/screenshots');

export function chromiumAvailability(): Availability {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return { ok: true };
  } catch {
    return { ok: false, reason: `${CHROMIUM} not found (apt-get install -y --no-install-recommends chromium)` };
  }
}

/** dist/web (and dist/) built if missing or stale, as `npm start` would. */
export function ensureWebBuild(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts/ensure-build.mjs')], { cwd: ROOT, stdio: 'pipe' });
}

export interface TestBrowser {
  browser: Browser;
  /** A page with its own context (cookies) at the given viewport. */
  page(width?: number, height?: number): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  // playwright gives every launch() a fresh temporary --user-data-dir (and refuses one in args).
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync',
    ],
  });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async page(width = 1280, height = 900) {
      const ctx = await browser.newContext({ viewport: { width, height }, colorScheme: 'light' });
      contexts.push(ctx);
      return ctx.newPage();
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/** Full-page screenshot of `page` under test/e2e/screenshots/NAME-WIDTH.png (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, `${name}-${page.viewportSize()?.width ?? 0}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
