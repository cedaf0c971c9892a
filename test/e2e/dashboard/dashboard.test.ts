// The dashboard in Debian chromium against the real app in demo mode (SPEC §18, issue 9): live
// overview, an outlet switched from the UI, a 1 h history chart, a rule created and toggled, a
// simulated outage on the power page, and screenshots of every page at 390 and 1920 px.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { chromiumAvailability, ensureWebBuild, launchBrowser, screenshot, type TestBrowser } from '../../support/browser.js';
import { requires } from '../../support/requires.js';
import { api as request } from '../../integration/http/rules-api.js';

type Json = Record<string, unknown>;

if (requires('chromium', chromiumAvailability())) {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let base: string;

  const api = async (path: string, init: { method?: string; body?: unknown } = {}): Promise<Json> =>
    (await request(t, init.method ?? 'GET', path, init.body)).body as Json;
  const outletState = async (n: number) => ((((await api('/api/status?device_id=demo-pdu')).outlets as Json)[String(n)] as Json).state);

  beforeAll(async () => {
    ensureWebBuild();
    // Fast probes so the power cut is called within seconds (as test/integration/outage/demo-flow).
    t = await startTestApp({ switches: { interval_s: 1, timeout_ms: 400 } });
    base = t.webUrl as string;
    browser = await launchBrowser();
    page = await browser.page(1280, 900);
    // History needs a few seconds of samples before the chart test.
    await vi.waitFor(async () => expect((await api('/api/status')).switches_online).toBe(4), { timeout: 15_000, interval: 200 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const pdu = () => page.locator('article[data-device="demo-pdu"]');

  describe('dashboard (chromium)', () => {
    it('shows the overview with live changing values over /ws', async () => {
      await page.goto(base + '/');
      await page.getByTestId('conn').filter({ hasText: 'Live' }).waitFor({ timeout: 10_000 });
      const voltage = pdu().getByTestId('input-voltage');
      await voltage.waitFor();
      const power = pdu().getByTestId('total-power');
      const first = `${await voltage.textContent()}|${await power.textContent()}`;
      expect(first).toMatch(/^\d+\.\d\|\d+$/);
      await vi.waitFor(async () => expect(`${await voltage.textContent()}|${await power.textContent()}`).not.toBe(first), { timeout: 10_000, interval: 100 });
      expect(await pdu().getByTestId('ats-current').textContent()).toBe('A');
      expect(await pdu().locator('tr[data-outlet]').count()).toBe(10);
    });

    it('switches an outlet off from the UI: the simulator turns it off, the UI shows it within 1 s', async () => {
      expect(await outletState(3)).toBe('on');
      const row = pdu().locator('tr[data-outlet="3"]');
      await row.getByRole('button', { name: 'Turn off outlet 3' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Turn off' }).click();
      // The read-back of the command flips the state, not the next poll (SPEC §18).
      await vi.waitFor(async () => expect(await row.getByTestId('outlet-state').textContent()).toBe('off'), { timeout: 1000, interval: 25 });
      await vi.waitFor(async () => expect(await outletState(3)).toBe('off'), { timeout: 5000, interval: 100 });
      // And back on, so the rest of the run sees a normal PDU.
      await row.getByRole('button', { name: 'Turn on outlet 3' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Turn on' }).click();
      await vi.waitFor(async () => expect(await row.getByTestId('outlet-state').textContent()).toBe('on'), { timeout: 1000, interval: 25 });
    });

    it('works from the keyboard: skip link, navigation, theme toggle', async () => {
      await page.goto(base + '/');
      await pdu().getByTestId('input-voltage').waitFor();
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement?.textContent')).toBe('Overview');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.getByTestId('mains').waitFor();
      expect(new URL(page.url()).pathname).toBe('/power');
      const before = await page.evaluate('document.documentElement.dataset.theme');
      await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).press('Enter');
      expect(await page.evaluate('document.documentElement.dataset.theme')).not.toBe(before);
      await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).press('Enter');
      expect(await page.evaluate('document.documentElement.dataset.theme')).toBe(before);
    });

    it('renders a 1H history chart with points', async () => {
      // The page loads its range once; on a busy machine the earlier tests can take less than
      // the few seconds of history this needs, so wait until they are stored.
      await vi.waitFor(async () => {
        const rows = (await request(t, 'GET', '/api/history/banks?device_id=demo-pdu&range=1h')).body as unknown[];
        expect(new Set(rows.map((r) => (r as Json).bucket)).size).toBeGreaterThanOrEqual(3);
      }, { timeout: 15_000, interval: 200 });
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Charts' }).click();
      expect(new URL(page.url()).pathname).toBe('/charts');
      const meta = page.getByTestId('chart-meta');
      await vi.waitFor(async () => expect(Number(await meta.getAttribute('data-points'))).toBeGreaterThan(2), { timeout: 10_000, interval: 200 });
      // The chart library draws after the data is in: on a busy machine a moment later.
      await vi.waitFor(async () => expect(await page.locator('.chart canvas').count()).toBe(1), { timeout: 5000, interval: 100 });
      expect(await page.getByRole('button', { name: '1H' }).getAttribute('aria-pressed')).toBe('true');
      // The CSV link carries the shown range.
      expect(await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toBe('/api/history/banks.csv?device_id=demo-pdu&range=1h');
    });

    it('creates a rule in the form editor, shows server validation, and toggles it', async () => {
      await page.goto(base + '/rules');
      await page.getByRole('button', { name: 'New rule' }).click();
      const form = page.getByRole('form', { name: 'Rule editor' });
      await form.locator('input[name="name"]').fill('ui-test-rule');
      await form.locator('input[name="threshold"]').fill('100');
      // No outlets: the server's validation message is shown as is.
      await form.getByRole('button', { name: 'Save rule' }).click();
      await page.getByRole('alert').first().waitFor();
      expect(await page.getByRole('alert').first().textContent()).toMatch(/outlet/i);
      await form.locator('input[name="outlet"]').fill('9');
      await form.getByRole('button', { name: 'Save rule' }).click();
      const row = page.locator('tr[data-rule="ui-test-rule"]');
      await row.waitFor();
      const rule = ((await api('/api/rules')) as unknown as Json[]).find((r) => r.name === 'ui-test-rule');
      expect(rule).toMatchObject({ condition: 'voltage_below', threshold: 100, action: 'off', enabled: true });
      await row.getByRole('switch', { name: 'Enable rule ui-test-rule' }).click();
      await vi.waitFor(async () => {
        const r = ((await api('/api/rules')) as unknown as Json[]).find((x) => x.name === 'ui-test-rule');
        expect(r?.enabled).toBe(false);
      }, { timeout: 5000, interval: 100 });
      await vi.waitFor(async () => expect(await row.getByRole('switch').isChecked()).toBe(false), { timeout: 5000, interval: 100 });
    });

    it('screenshots every page at 390 and 1920 px', async () => {
      const pages: Array<[string, string, string]> = [
        ['overview', '/', '[data-testid="input-voltage"]'],
        ['charts', '/charts', '.chart canvas'],
        ['energy', '/energy', '.tiles'],
        ['rules', '/rules', '[data-testid="rules-table"]'],
        ['settings', '/settings', 'table'],
      ];
      for (const width of [390, 1920]) {
        const p = await browser.page(width, 900);
        for (const [name, path, ready] of pages) {
          await p.goto(base + path);
          await p.locator(ready).first().waitFor({ timeout: 10_000 });
          const file = await screenshot(p, name);
          expect(file).toMatch(new RegExp(`${name}-${width}\\.png$`));
        }
        // Nothing overflows the phone width.
        if (width === 390) expect(await p.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
        await p.close();
      }
    });

    it('shows a simulated power cut (demo scenario all_down) on the power page', async () => {
      await page.goto(base + '/power');
      const mains = page.getByTestId('mains');
      await vi.waitFor(async () => expect(await mains.getAttribute('data-verdict')).toBe('normal'), { timeout: 10_000, interval: 100 });
      await page.getByRole('button', { name: 'Scenarios' }).click();
      await page.getByRole('button', { name: 'Power cut (all down)' }).click();
      await vi.waitFor(async () => expect(await mains.getAttribute('data-verdict')).toBe('outage'), { timeout: 20_000, interval: 200 });
      expect(await mains.textContent()).toMatch(/Power outage/);
      const table = page.getByTestId('outage-table');
      await table.waitFor({ timeout: 5000 });
      expect(await table.textContent()).toMatch(/ongoing/);
      expect(await page.locator('.timeline-bar').count()).toBeGreaterThan(0);
      for (const width of [390, 1920]) {
        const p = await browser.page(width, 900);
        await p.goto(base + '/power');
        await p.getByTestId('outage-table').waitFor({ timeout: 10_000 });
        await screenshot(p, 'power');
        await p.close();
      }
    }, 60_000);
  });
}
