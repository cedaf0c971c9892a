// Signing in to the dashboard (SPEC §16, §18) in Debian chromium: the login overlay with config
// users, a wrong password, roles (a viewer cannot switch outlets), sign-out; and the first-run
// page of a locked server.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { configUsersInput, PASSWORDS } from '../../support/auth.js';
import { chromiumAvailability, ensureWebBuild, launchBrowser, screenshot, type TestBrowser } from '../../support/browser.js';
import { requires } from '../../support/requires.js';

if (requires('chromium', chromiumAvailability())) {
  let t: TestApp;
  let browser: TestBrowser;

  beforeAll(async () => {
    ensureWebBuild();
    t = await startTestApp({ web: { auth: { users: configUsersInput() } } });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  async function signIn(page: Page, username: string, password: string): Promise<void> {
    const form = page.getByRole('form', { name: 'Sign in to power2mqtt' });
    await form.getByLabel('Username').fill(username);
    await form.getByLabel('Password').fill(password);
    await form.getByRole('button', { name: 'Sign in' }).click();
  }

  describe('dashboard sign-in (chromium)', () => {
    it('shows the login page, refuses a wrong password, signs in and out', async () => {
      const page = await browser.page(1280, 900);
      await page.goto(`${t.webUrl as string}/charts`);
      await page.getByRole('heading', { name: 'Sign in to power2mqtt' }).waitFor();
      for (const width of [390, 1920]) {
        const p = await browser.page(width, 900);
        await p.goto(t.webUrl as string);
        await p.getByRole('heading', { name: 'Sign in to power2mqtt' }).waitFor();
        await screenshot(p, 'login');
        await p.close();
      }
      await signIn(page, 'otto', 'not-the-password');
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).toMatch(/Invalid credentials/);
      await signIn(page, 'otto', PASSWORDS.operator);
      // Back on the page that was asked for, with the live feed authenticated by the session cookie.
      await page.getByTestId('chart-meta').waitFor();
      await page.getByTestId('conn').filter({ hasText: 'Live' }).waitFor({ timeout: 10_000 });
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to power2mqtt' }).waitFor();
      await page.close();
    });

    it('a viewer sees the overview but the server refuses an outlet command, and the UI says why', async () => {
      const page = await browser.page(1280, 900);
      await page.goto(t.webUrl as string);
      await signIn(page, 'vera', PASSWORDS.viewer);
      const row = page.locator('article[data-device="demo-pdu"] tr[data-outlet="1"]');
      await row.waitFor({ timeout: 10_000 });
      await row.getByRole('button', { name: 'Turn off outlet 1' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Turn off' }).click();
      const note = page.locator('article[data-device="demo-pdu"] .note');
      await note.waitFor();
      expect(await note.textContent()).toMatch(/needs control access/);
      expect(await row.getByTestId('outlet-state').textContent()).toBe('on');
      await page.close();
    });
  });

  describe('the embedded broker\'s generated user in Settings (chromium, SPEC §16.3)', () => {
    let exposed: TestApp;
    beforeAll(async () => {
      // A broker bound beyond loopback with no users gets a generated user; clients still connect on 127.0.0.1.
      exposed = await startTestApp({ web: { auth: { users: configUsersInput() } }, mqtt: { embedded: { bind: '0.0.0.0' } } });
    }, 60_000);
    afterAll(() => exposed?.stop());

    it('an admin sees the user and, on request, the password that the broker accepts; a viewer does not see the card', async () => {
      const generated = exposed.app.broker?.generated;
      expect(generated?.username).toBe('power2mqtt');
      const page = await browser.page(1280, 900);
      await page.goto(`${exposed.webUrl as string}/settings`);
      await signIn(page, 'ada', PASSWORDS.admin);
      const card = page.locator('section, article, div').filter({ has: page.getByRole('heading', { name: 'MQTT broker user' }) }).last();
      await card.getByText('power2mqtt', { exact: true }).waitFor({ timeout: 10_000 });
      const password = card.getByLabel('Broker password');
      expect(await password.textContent()).not.toContain(generated!.password);
      await card.getByRole('button', { name: 'Show password' }).click();
      expect(await password.textContent()).toBe(generated!.password);
      await screenshot(page, 'settings-broker-user');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn(page, 'vera', PASSWORDS.viewer);
      await page.getByRole('heading', { name: 'MQTT', exact: true }).waitFor({ timeout: 10_000 });
      expect(await page.getByRole('heading', { name: 'MQTT broker user' }).count()).toBe(0);
      await page.close();
    });
  });

  describe('first-run page of a locked server (chromium)', () => {
    let locked: TestApp;
    beforeAll(async () => {
      locked = await startTestApp({ web: { bind: '0.0.0.0' } });
    }, 60_000);
    afterAll(() => locked?.stop());

    it('asks for the setup code and the first admin; a wrong code is refused with the server message', async () => {
      const url = `http://127.0.0.1:${new URL(locked.webUrl as string).port}`;
      const page = await browser.page(390, 900);
      await page.goto(url);
      await page.getByRole('heading', { name: 'Welcome to power2mqtt' }).waitFor();
      await screenshot(page, 'first-run');
      await page.getByLabel('Setup code').fill('WRONG-CODE');
      await page.getByLabel('Password', { exact: true }).fill('a-new-admin-password');
      await page.getByLabel('Repeat password').fill('a-new-admin-password');
      await page.getByRole('button', { name: 'Create admin' }).click();
      await page.getByRole('alert').waitFor();
      expect((await page.getByRole('alert').textContent())?.length).toBeGreaterThan(5);
      await page.close();
    });
  });
}
