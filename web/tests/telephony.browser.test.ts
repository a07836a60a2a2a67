// An admin's Twilio settings, in a real Chromium against the real server and the built app: with
// nothing set up the page says callers use their own phone or the practice line; the admin saves
// valid settings, reloads and sees them with the secrets marked as saved but never sent to the page;
// a caller ID not in international form is refused next to its field; removing the settings works.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser, signIn } from './browser';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const ORGANISATION = 'S-föreningen Telefonvägen';
const ADMIN = { name: 'Maria Admin', email: 'maria@telefon.example' };
const HEX = '0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'Tok3nTok3nTok3nTok3nTok3nTok3n12';
const API_SECRET = 'S3cretS3cretS3cretS3cretS3cret12';

let server: TestServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const { db } = server;
  const { clock } = server.app.ctx;
  const org = await insertOrganisation(db, clock, null, { name: ORGANISATION, kind: 'association', country: 'SE' }, null);
  const admin = await createUser(db, clock, { ...ADMIN, password: PASSWORD });
  await addMembership(db, clock, admin.id, org.id, 'admin', null);

  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await signIn(page, server.url, ADMIN.email, PASSWORD);
  await page.getByRole('navigation', { name: 'Organisation tree' }).getByRole('link', { name: ORGANISATION }).click();
  await page.getByRole('heading', { level: 1, name: ORGANISATION }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openTab(): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Telephony' }).click();
  await page.getByRole('heading', { level: 2, name: 'Telephony' }).waitFor();
  await page.getByRole('button', { name: 'Save settings' }).waitFor();
}

test('an admin saves, sees and removes the Twilio settings', async () => {
  await openTab();
  await expect.poll(() => page.getByTestId('telephony-source').textContent()).toContain('callers call from their own phone or the practice line');

  await page.getByLabel('Account SID').fill(`AC${HEX}`);
  await page.getByLabel('Auth token').fill(AUTH_TOKEN);
  await page.getByLabel('API key SID').fill(`SK${HEX}`);
  await page.getByLabel('API secret').fill(API_SECRET);
  await page.getByLabel('TwiML app SID').fill(`AP${HEX}`);
  await page.getByLabel('Caller ID').fill('+46701234567');
  // Twilio's limits: its default rate is filled in; the cap is empty (none) until set.
  expect(await page.getByLabel('Calls per second').inputValue()).toBe('1');
  expect(await page.getByLabel('Most calls at once').inputValue()).toBe('');
  await page.getByLabel('Calls per second').fill('3');
  await page.getByLabel('Most calls at once').fill('25');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Telephony settings saved.').waitFor();

  await page.reload();
  await page.getByRole('button', { name: 'Save settings' }).waitFor();
  await expect.poll(() => page.getByLabel('Account SID').inputValue()).toBe(`AC${HEX}`);
  expect(await page.getByLabel('API key SID').inputValue()).toBe(`SK${HEX}`);
  expect(await page.getByLabel('TwiML app SID').inputValue()).toBe(`AP${HEX}`);
  expect(await page.getByLabel('Caller ID').inputValue()).toBe('+46701234567');
  expect(await page.getByLabel('Calls per second').inputValue()).toBe('3');
  expect(await page.getByLabel('Most calls at once').inputValue()).toBe('25');
  expect(await page.getByTestId('telephony-source').textContent()).toContain('saved here');
  const token = page.getByLabel('Auth token');
  expect(await token.getAttribute('type')).toBe('password');
  expect(await token.inputValue()).toBe('');
  expect(await page.getByLabel('API secret').inputValue()).toBe('');
  await expect.poll(() => page.locator('#telephony-authToken-hint').textContent()).toContain('Saved — leave empty to keep.');
  expect(await page.locator('#telephony-apiSecret-hint').textContent()).toContain('Saved — leave empty to keep.');
  const html = await page.content();
  expect(html).not.toContain(AUTH_TOKEN);
  expect(html).not.toContain(API_SECRET);

  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(150);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `scrolls sideways at ${width} px`).toBeLessThanOrEqual(width);
    await page.screenshot({ path: path.join(SHOTS, `telephony-settings-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });

  // A caller ID not in international form is refused next to its field; the secrets kept are not asked for again.
  await page.getByLabel('Caller ID').fill('0701234567');
  await page.getByRole('button', { name: 'Save settings' }).click();
  const callerError = page.locator('#telephony-callerId-error');
  await callerError.waitFor();
  expect(await callerError.textContent()).toContain('international form');
  expect(await page.getByLabel('Caller ID').getAttribute('aria-invalid')).toBe('true');
  await page.getByLabel('Caller ID').fill('+46701234568');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Telephony settings saved.').waitFor();
  expect(await callerError.count()).toBe(0);

  // A rate that is not a whole number from 1 to 100 is refused next to its field, and so is a cap of 0.
  for (const [label, field, value, words] of [
    ['Calls per second', 'callsPerSecond', '1.5', 'whole number from 1 to 100'],
    ['Calls per second', 'callsPerSecond', '500', 'whole number from 1 to 100'],
    ['Most calls at once', 'maxConcurrentCalls', '0', 'or leave it empty'],
  ] as const) {
    await page.getByLabel(label).fill(value);
    await page.getByRole('button', { name: 'Save settings' }).click();
    const fieldError = page.locator(`#telephony-${field}-error`);
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toContain(words);
    expect(await page.getByLabel(label).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Calls per second').fill('3');
    await page.getByLabel('Most calls at once').fill('25');
  }
  // Emptied, the cap is lifted.
  await page.getByLabel('Most calls at once').fill('');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Telephony settings saved.').waitFor();
  await page.reload();
  await page.getByRole('button', { name: 'Save settings' }).waitFor();
  await expect.poll(() => page.getByLabel('Calls per second').inputValue()).toBe('3');
  expect(await page.getByLabel('Most calls at once').inputValue()).toBe('');

  await page.getByRole('button', { name: 'Remove this organisation’s settings' }).click();
  await page.getByRole('button', { name: 'Yes, remove' }).click();
  await page.getByText('Telephony settings removed.').waitFor();
  expect(await page.getByTestId('telephony-source').textContent()).toContain('practice line');
  expect(await page.getByLabel('Account SID').inputValue()).toBe('');
  expect(await page.locator('#telephony-authToken-hint').textContent()).not.toContain('Saved');
});
