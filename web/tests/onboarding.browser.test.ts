// Onboarding as people meet it, in a real Chromium against the real server and the built app:
// the first admin sets Ringa up, creates an invitation link, and a volunteer opens it in another
// browser, creates an account and lands on the campaigns to call — in English, then in Swedish. Last, the
// admin disables the volunteer's account, which signs the volunteer out at once.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser } from './browser';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const ORGANISATION = 'Socialdemokraterna i Norrbotten';
const ADMIN = { name: 'Anna Lindqvist', email: 'anna@norrbotten.example', password: 'kvällsringning i Luleå' };
const VOLUNTEER = { name: 'Erik Volontär', email: 'erik@example.org', password: 'ringkväll varje torsdag' };

let server: TestServer;
let browser: Browser;
let admin: BrowserContext;
let adminPage: Page;
/** The English volunteer's browser, left open and signed in until the admin disables the account. */
let volunteerPage: Page;
/** Every Content-Security-Policy complaint any page made: the built app must need no exceptions. */
const cspViolations: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  admin = await newContext('en-GB');
  adminPage = await admin.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function newContext(locale: string): Promise<BrowserContext> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  context.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
  });
  return context;
}

/** Screenshots at desktop and phone width; on the phone, nothing may scroll sideways. */
async function screenshots(page: Page, name: string): Promise<void> {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(100); // let the layout settle after the resize
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(width);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** As an admin on the organisation's page: a new invitation link for a role, as shown once. */
async function createInvite(roleLabel: string, maxUses: string): Promise<string> {
  await adminPage.goto(`${server.url}/`);
  await adminPage.getByRole('link', { name: ORGANISATION }).click();
  await adminPage.getByRole('heading', { level: 1, name: ORGANISATION }).waitFor();
  await adminPage.getByRole('link', { name: 'Invitations' }).click();
  await adminPage.getByLabel('Role', { exact: true }).selectOption({ label: roleLabel });
  await adminPage.getByLabel('Number of people who can use it').fill(maxUses);
  await adminPage.getByRole('button', { name: 'Create link' }).click();
  await expect.poll(() => adminPage.getByText('it will not be shown again').isVisible()).toBe(true);
  const url = await adminPage.getByLabel('Invitation link').inputValue();
  expect(url).toMatch(new RegExp(`^${server.url}/invite#.+`));
  return url;
}

test('first run: the setup link creates the organisation and its admin, who lands on the start page', async () => {
  const page = adminPage;
  await page.goto(await server.setupUrl());
  await page.getByRole('heading', { level: 1, name: 'Set up Ringa' }).waitFor();
  await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');

  await page.getByLabel('Name', { exact: true }).fill(ORGANISATION);
  expect(await page.getByLabel('Kind of organisation').inputValue()).toBe('district');
  await page.getByLabel('Country').selectOption('SE');
  await page.getByLabel('Your name').fill(ADMIN.name);
  await page.getByLabel('Email address').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill('too short');
  await page.getByRole('button', { name: 'Set up Ringa' }).click();
  await expect.poll(() => page.getByText('The password must be at least 10 characters long.').isVisible()).toBe(true);

  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Set up Ringa' }).click();

  await page.getByRole('heading', { level: 1, name: 'Your organisations' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/');
  expect(new URL(page.url()).hash).toBe(''); // the spent token is not left in the address bar
  await expect.poll(() => page.getByRole('navigation', { name: 'Organisation tree' }).getByRole('link', { name: ORGANISATION }).isVisible()).toBe(true);
  await expect.poll(() => page.getByRole('banner').getByText(ADMIN.name, { exact: true }).isVisible()).toBe(true);
  await screenshots(page, 'en-1-home-admin');

  // The link is spent: opening it again says so and points to sign-in.
  const again = await admin.newPage();
  await again.goto(`${server.url}/setup#anything`);
  await again.getByRole('heading', { name: 'Ringa is already set up' }).waitFor();
  await again.close();
});

test('an invitation opened in another browser: create an account, join, and land on the campaigns to call', async () => {
  const inviteUrl = await createInvite('Caller', '5');
  await screenshots(adminPage, 'en-2-invite-created');

  const volunteer = await newContext('en-GB');
  const page = await volunteer.newPage();
  await page.goto(inviteUrl);
  await page.getByText(`You're invited to join ${ORGANISATION} as caller.`).waitFor();
  await screenshots(page, 'en-3-invite-preview');

  await page.getByLabel('Your name').fill(VOLUNTEER.name);
  await page.getByLabel('Email address').fill(VOLUNTEER.email);
  await page.getByLabel('Choose a password', { exact: true }).fill(VOLUNTEER.password);
  await page.getByRole('button', { name: 'Create account and join' }).click();

  // A caller lands on the start page, where their campaigns are, not on the organisation's details.
  await page.getByText(`You are a caller in ${ORGANISATION}.`).waitFor();
  expect(new URL(page.url()).pathname).toBe('/');
  await page.getByText('No campaign is open for calling right now. You will find it here when one is.').waitFor();
  // Their organisation stays chosen, and its page is still theirs to open.
  const chosen = await page.evaluate(() => localStorage.getItem('ringa.currentOrganisation'));
  expect(chosen).toMatch(/^[0-9a-f-]{36}$/);
  await page.goto(`${server.url}/orgs/${chosen}`);
  await page.getByRole('heading', { level: 1, name: ORGANISATION }).waitFor();
  await expect.poll(() => page.getByRole('definition').filter({ hasText: 'Caller' }).isVisible()).toBe(true);
  // A caller sees no members, invitations or audit log.
  expect(await page.getByRole('link', { name: 'Members' }).count()).toBe(0);
  await screenshots(page, 'en-4-volunteer-joined');

  // The admin sees the new member, with the role the link gave.
  await adminPage.getByRole('link', { name: 'Members' }).click();
  const row = adminPage.getByRole('row').filter({ hasText: 'Erik Volontär' });
  await row.waitFor();
  expect(await row.getByLabel('Role for Erik Volontär').inputValue()).toBe('caller');
  await screenshots(adminPage, 'en-5-members');
  volunteerPage = page; // still signed in: the last test disables this account
});

test('the same in Swedish: a browser in sv-SE reads the invitation and the organisation in Swedish', async () => {
  const inviteUrl = await createInvite('Organizer', '1');

  const volunteer = await newContext('sv-SE');
  const page = await volunteer.newPage();
  await page.goto(inviteUrl);
  await page.getByText(`Du är inbjuden till ${ORGANISATION} som organisatör.`).waitFor();
  expect(await page.locator('html').getAttribute('lang')).toBe('sv');
  await page.getByRole('heading', { name: 'Har du redan ett konto i Ringa?' }).waitFor();
  await screenshots(page, 'sv-1-invite-preview');

  await page.getByLabel('Ditt namn').fill('Maja Organisatör');
  await page.getByLabel('E-postadress').fill('maja@example.se');
  await page.getByLabel('Välj ett lösenord', { exact: true }).fill('kort');
  await page.getByRole('button', { name: 'Skapa konto och gå med' }).click();
  await page.getByText('Lösenordet måste vara minst 10 tecken långt.').waitFor();

  await page.getByLabel('Välj ett lösenord', { exact: true }).fill('valrörelse i Norrbotten');
  await page.getByRole('button', { name: 'Skapa konto och gå med' }).click();

  await page.getByRole('heading', { level: 1, name: ORGANISATION }).waitFor();
  await expect.poll(() => page.getByRole('definition').filter({ hasText: 'Organisatör' }).isVisible()).toBe(true);
  // An organizer lands on the campaigns; the members are one tab away.
  await page.getByRole('heading', { level: 2, name: 'Kampanjer' }).waitFor();
  await page.getByRole('link', { name: 'Medlemmar' }).click();
  await page.getByRole('heading', { level: 2, name: 'Medlemmar' }).waitFor();
  // An organizer may change a caller's role, but not their own.
  const erik = page.getByRole('row').filter({ hasText: 'Erik Volontär' });
  await erik.waitFor();
  expect(await erik.getByLabel('Roll för Erik Volontär').inputValue()).toBe('caller');
  const maja = page.getByRole('row').filter({ hasText: 'Maja Organisatör' });
  expect(await maja.innerText()).toContain('(du)');
  expect(await maja.getByRole('combobox').count()).toBe(0);
  await expect.poll(() => page.getByRole('button', { name: 'Logga ut' }).isVisible()).toBe(true);
  await screenshots(page, 'sv-2-organizer-joined');

  // The language is switchable and remembered.
  await page.getByLabel('Språk').selectOption('da');
  await page.getByRole('heading', { level: 2, name: 'Medlemmer' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { level: 2, name: 'Medlemmer' }).waitFor();
  expect(await page.locator('html').getAttribute('lang')).toBe('da');
  await volunteer.close();

  expect(cspViolations).toEqual([]);
});

test('an admin disables the volunteer\'s account: signed out everywhere at once, and signing in again is refused', async () => {
  await adminPage.goto(`${server.url}/`);
  await adminPage.getByRole('link', { name: ORGANISATION }).click();
  await adminPage.getByRole('heading', { level: 1, name: ORGANISATION }).waitFor();
  await adminPage.getByRole('link', { name: 'Members' }).click();
  const row = adminPage.getByRole('row').filter({ hasText: VOLUNTEER.name });
  await row.waitFor();
  // Nobody disables their own account: the admin's own row has no buttons at all.
  const own = adminPage.getByRole('row').filter({ hasText: ADMIN.name });
  expect(await own.getByRole('button').count()).toBe(0);

  // The action asks first, says plainly what happens, and takes the focus; Cancel gives it back.
  const disableButton = row.getByRole('button', { name: `Disable account for ${VOLUNTEER.name}` });
  await disableButton.click();
  const confirmation = row.getByRole('group', { name: `Disable the account of ${VOLUNTEER.name}?` });
  await confirmation
    .getByText(`${VOLUNTEER.name} can no longer sign in, and is signed out everywhere at once. This cannot be undone here.`)
    .waitFor();
  await expect.poll(() => confirmation.evaluate((element) => element === document.activeElement)).toBe(true);
  await screenshots(adminPage, 'en-6-disable-confirm');
  await confirmation.getByRole('button', { name: 'Cancel' }).click();
  await expect.poll(() => disableButton.evaluate((element) => element === document.activeElement)).toBe(true);
  expect(await row.innerText()).not.toContain('Disabled');

  // By keyboard: open the confirmation, Tab to its first button, confirm.
  await adminPage.keyboard.press('Enter');
  await expect.poll(() => confirmation.evaluate((element) => element === document.activeElement)).toBe(true);
  await adminPage.keyboard.press('Tab');
  await expect
    .poll(() => confirmation.getByRole('button', { name: 'Yes, disable account' }).evaluate((element) => element === document.activeElement))
    .toBe(true);
  await adminPage.keyboard.press('Enter');

  await adminPage.getByText(`The account of ${VOLUNTEER.name} was disabled and signed out everywhere.`).waitFor();
  await row.getByText('Disabled', { exact: true }).waitFor();
  expect(await row.getByRole('combobox').count()).toBe(0);
  expect(await row.getByRole('button').count()).toBe(0);
  await screenshots(adminPage, 'en-7-member-disabled');

  // The volunteer's browser is still open on the organisation: its next load finds the session gone.
  await volunteerPage.reload();
  await volunteerPage.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  expect(new URL(volunteerPage.url()).pathname).toBe('/login');

  // And the account no longer signs in, with the right password, saying only what a wrong one would.
  await volunteerPage.getByLabel('Email address').fill(VOLUNTEER.email);
  await volunteerPage.getByLabel('Password', { exact: true }).fill(VOLUNTEER.password);
  await volunteerPage.getByRole('button', { name: 'Sign in', exact: true }).click();
  await volunteerPage.getByText('The email address or password is wrong.').waitFor();
  expect(new URL(volunteerPage.url()).pathname).toBe('/login');
  await volunteerPage.context().close();

  expect(cspViolations).toEqual([]);
});
