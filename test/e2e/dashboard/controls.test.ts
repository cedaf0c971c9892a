// The dashboard's control surfaces in Debian chromium against the real app in demo mode: the
// outlet watchdogs on the Rules page (SPEC §12.7, issue 13), the delayed outlet commands (§18),
// and the device identity / ATS preferred source on the overview (§14.2). Each action is checked
// through the REST API (what the server and simulator hold), not only on screen.
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
  const watchdog = async (name: string) => ((await api('/api/watchdogs')) as unknown as Json[]).find((w) => w.name === name);

  beforeAll(async () => {
    ensureWebBuild();
    t = await startTestApp({ switches: { interval_s: 1, timeout_ms: 400 } });
    base = t.webUrl as string;
    browser = await launchBrowser();
    page = await browser.page(1280, 900);
    // The demo modem has answered a check: its watchdog is `ok` with a result.
    await vi.waitFor(async () => expect((await watchdog('demo-modem'))?.state).toMatchObject({ state: 'ok', last_result: 'up' }), { timeout: 20_000, interval: 200 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  describe('watchdogs on the Rules page (chromium)', () => {
    const row = () => page.locator('tr[data-watchdog="demo-modem"]');
    const shownState = () => row().getByTestId('watchdog-state').textContent();

    it('lists demo-modem with state ok, tests its target, and follows hang_target to waiting', async () => {
      await page.goto(base + '/rules');
      await row().waitFor({ timeout: 10_000 });
      expect(await shownState()).toBe('ok');
      expect(await row().textContent()).toMatch(/demo-pdu · outlet 2/);
      expect(await row().textContent()).toMatch(/config/);
      // Config watchdogs are read-only: no Delete.
      expect(await row().getByRole('button', { name: 'Delete watchdog demo-modem' }).count()).toBe(0);
      await row().getByRole('button', { name: 'Test watchdog demo-modem' }).click();
      await vi.waitFor(async () => expect(await page.getByTestId('watchdog-note').textContent()).toMatch(/^demo-modem: target up in \d+ ms$/), { timeout: 5000, interval: 100 });

      expect(await api('/api/demo/scenario', { method: 'POST', body: { name: 'hang_target' } })).toMatchObject({ ok: true });
      // The demo checks every 5 s and the page polls every 5 s.
      await vi.waitFor(async () => expect(await shownState()).toBe('waiting'), { timeout: 20_000, interval: 200 });
    }, 40_000);

    it('resets it from the UI', async () => {
      await row().getByRole('button', { name: 'Reset watchdog demo-modem' }).click();
      await vi.waitFor(async () => expect(await page.getByTestId('watchdog-note').textContent()).toBe('demo-modem: reset (ok)'), { timeout: 5000, interval: 100 });
      // The modem answers again; the watchdog stays ok from then on, no cycle was run.
      expect(await api('/api/demo/scenario', { method: 'POST', body: { name: 'hang_target', hung: false } })).toMatchObject({ ok: true });
      await vi.waitFor(async () => expect((await watchdog('demo-modem'))?.state).toMatchObject({ state: 'ok', last_result: 'up', cycles: 0 }), { timeout: 15_000, interval: 200 });
      await vi.waitFor(async () => expect(await shownState()).toBe('ok'), { timeout: 10_000, interval: 200 });
    }, 30_000);

    it('creates a runtime watchdog: shows the server message for a bad target, then saves and deletes it', async () => {
      await page.getByRole('button', { name: 'New watchdog' }).click();
      const form = page.getByRole('form', { name: 'Watchdog editor' });
      await form.locator('input[name="name"]').fill('ui-wd');
      await form.locator('input[name="outlet"]').fill('5');
      await form.locator('input[name="target"]').fill('http://');
      await form.getByRole('button', { name: 'Save watchdog' }).click();
      const alert = form.getByRole('alert');
      await alert.waitFor({ timeout: 5000 });
      expect(await alert.textContent()).toMatch(/target/);
      expect(await watchdog('ui-wd')).toBeUndefined();
      await screenshot(page, 'rules-watchdog-form');

      await form.locator('input[name="target"]').fill('127.0.0.1:9');
      await form.getByRole('button', { name: 'Save watchdog' }).click();
      const created = page.locator('tr[data-watchdog="ui-wd"]');
      await created.waitFor({ timeout: 5000 });
      expect(await watchdog('ui-wd')).toMatchObject({ source: 'runtime', outlet: 5, target: '127.0.0.1:9', fail_after_s: 180, device_id: 'demo-pdu' });
      expect(await created.textContent()).toMatch(/runtime/);

      for (const width of [390, 1920]) {
        const p = await browser.page(width, 900);
        await p.goto(base + '/rules');
        await p.locator('[data-testid="watchdogs-table"]').waitFor({ timeout: 10_000 });
        await screenshot(p, 'rules-watchdogs');
        if (width === 390) expect(await p.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
        await p.close();
      }

      await created.getByRole('button', { name: 'Delete watchdog ui-wd' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await created.waitFor({ state: 'detached', timeout: 5000 });
      expect(await watchdog('ui-wd')).toBeUndefined();
    }, 40_000);
  });

  describe('delayed outlet commands (chromium)', () => {
    const outlet = async (n: number) => (((await api('/api/status?device_id=demo-pdu')).outlets as Json)[String(n)] as Json);
    const row = () => page.locator('article[data-device="demo-pdu"] tr[data-outlet="4"]');

    it('delays outlet 4 on after a confirmation: pending on the row, then on', async () => {
      expect(await api('/api/outlets/4/command?device_id=demo-pdu', { method: 'POST', body: { action: 'off' } })).toMatchObject({ ok: true });
      await page.goto(base + '/');
      await vi.waitFor(async () => expect(await row().getByTestId('outlet-state').textContent()).toBe('off'), { timeout: 10_000, interval: 100 });
      await row().getByRole('button', { name: 'Delayed commands for outlet 4' }).click();
      await row().getByRole('button', { name: 'Delay on outlet 4' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delay on' }).click();
      await row().getByTestId('outlet-pending').waitFor({ timeout: 2000 });
      // The demo PDU's on-delay is 3 s: then the outlet is on and nothing is pending.
      await vi.waitFor(async () => expect(await outlet(4)).toMatchObject({ state: 'on', pending: false }), { timeout: 10_000, interval: 100 });
      await vi.waitFor(async () => expect(await row().getByTestId('outlet-state').textContent()).toBe('on'), { timeout: 5000, interval: 100 });
      expect(await row().getByTestId('outlet-pending').count()).toBe(0);
    }, 30_000);

    it('cancels a pending delayed off from the row', async () => {
      await row().getByRole('button', { name: 'Delayed commands for outlet 4' }).click();
      await row().getByRole('button', { name: 'Delay off outlet 4' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delay off' }).click();
      await row().getByRole('button', { name: 'Cancel pending command on outlet 4' }).click();
      await vi.waitFor(async () => expect(await page.locator('article[data-device="demo-pdu"] [role="status"]').first().textContent()).toMatch(/outlet 4: done/), { timeout: 5000, interval: 100 });
      // Past the 3 s off-delay the outlet is still on: the PDU dropped the command.
      await new Promise((r) => setTimeout(r, 4000));
      expect(await outlet(4)).toMatchObject({ state: 'on', pending: false });
      expect(t.app.simulator?.outletState(4)).toBe('on');
      await vi.waitFor(async () => expect(await row().getByTestId('outlet-pending').count()).toBe(0), { timeout: 5000, interval: 100 });
      await screenshot(page, 'overview-outlets');
    }, 30_000);
  });

  describe('device identity and ATS preferred source on the overview (chromium)', () => {
    const panel = () => page.locator('article[data-device="demo-pdu"]');
    const status = () => api('/api/status?device_id=demo-pdu');

    it('edits the location in place: the PDU holds "Rack 7"', async () => {
      await page.goto(base + '/');
      await panel().getByTestId('identity').waitFor({ timeout: 10_000 });
      await panel().getByRole('button', { name: 'Edit location' }).click();
      const input = panel().getByRole('textbox', { name: 'Location' });
      await input.fill('Rack 7');
      await input.press('Enter');
      await vi.waitFor(async () => expect(await panel().getByTestId('ident-location').textContent()).toBe('Rack 7'), { timeout: 5000, interval: 100 });
      await vi.waitFor(async () => expect((await status()).identity).toMatchObject({ sys_location: 'Rack 7' }), { timeout: 5000, interval: 100 });
      // Too long for the PDU (63 bytes): the server's message, and the old value kept.
      await panel().getByRole('button', { name: 'Edit contact' }).click();
      const contact = panel().getByRole('textbox', { name: 'Contact' });
      await contact.evaluate((el) => el.removeAttribute('maxlength'));
      await contact.fill('x'.repeat(70));
      await contact.press('Enter');
      const alert = panel().getByRole('alert');
      await alert.waitFor({ timeout: 5000 });
      expect(await alert.textContent()).toMatch(/63 bytes/);
      await contact.press('Escape');
      expect((await status()).identity).not.toMatchObject({ sys_contact: 'x'.repeat(70) });
    });

    it('changes the preferred source to B after a confirmation', async () => {
      expect((await status()).ats).toMatchObject({ preferred_label: 'A' });
      expect(await panel().getByRole('button', { name: 'Prefer source A' }).getAttribute('aria-pressed')).toBe('true');
      await panel().getByRole('button', { name: 'Prefer source B' }).click();
      const dialog = page.getByRole('dialog');
      expect(await dialog.textContent()).toMatch(/Make source B preferred\?/);
      await dialog.getByRole('button', { name: 'Prefer B' }).click();
      await vi.waitFor(async () => expect((await status()).ats).toMatchObject({ preferred_source: 2, preferred_label: 'B' }), { timeout: 5000, interval: 100 });
      await vi.waitFor(async () => expect(await panel().getByRole('button', { name: 'Prefer source B' }).getAttribute('aria-pressed')).toBe('true'), { timeout: 5000, interval: 100 });
      expect(await panel().getByTestId('pref-message').textContent()).toBe('Preferred source B');
      for (const width of [390, 1920]) {
        const p = await browser.page(width, 900);
        await p.goto(base + '/');
        await p.locator('[data-testid="identity"]').waitFor({ timeout: 10_000 });
        await screenshot(p, 'overview-controls');
        if (width === 390) expect(await p.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
        await p.close();
      }
    }, 30_000);
  });
}
