// Norwegian (Bokmål), and a person's language kept on their account, in a real Chromium against the
// real server and the built app. A caller of a Norwegian organisation opens Ringa in a Swedish
// browser, switches to Norsk on the login page, reads it in Norwegian, signs in and finds
// the start page in Norwegian; their account now keeps "nb". In a second, fresh browser (Swedish
// again) the login page is Swedish, and signing in turns the app Norwegian: the choice followed
// them. Switching while signed in saves the new choice; a save that fails still switches. A person
// who never chose gets their browser's language (Nynorsk read as Bokmål) and nothing is saved.
// An organizer of the Norwegian organisation is warned against calling hours outside Norway's usual
// ones (weekdays 09–21, no weekends), and "Bruk de vanlige tidene" sets exactly those.
// Screenshots at 1280 and 375 px in test-output/screenshots/nb-*.png (the 375 px start page is in
// docs/screenshots/).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { changeStatus, createCampaign } from '../../server/src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW } from '../../server/src/modules/campaigns/outcomes';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { createGroupAsSystem } from '../../server/src/modules/target-groups/target-groups.service';
import { PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser, screenshotsAtWidths } from './browser';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const ORGANISATION = 'Grünerløkka Arbeiderlag';
const CAMPAIGN = 'Høstens samtaler på Grünerløkka';
const CALLER = { name: 'Ingrid Ringer', email: 'ingrid@grunerlokka.example' };
const NEWCOMER = { name: 'Nils Nynorsk', email: 'nils@grunerlokka.example' };

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let campaignId = '';

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const { db } = server;
  const { clock, importer } = server.app.ctx;
  const org = await insertOrganisation(db, clock, null, { name: ORGANISATION, kind: 'lokallag', country: 'NO' }, null);
  const organizer = await createUser(db, clock, { name: 'Oda Organisator', email: 'oda@grunerlokka.example', password: PASSWORD });
  await addMembership(db, clock, organizer.id, org.id, 'organizer', null);
  for (const person of [CALLER, NEWCOMER]) {
    const user = await createUser(db, clock, { ...person, password: PASSWORD });
    await addMembership(db, clock, user.id, org.id, 'caller', null);
  }

  const dir = mkdtempSync(path.join(tmpdir(), 'ringa-nb-'));
  const filePath = path.join(dir, 'medlemmer.csv');
  writeFileSync(filePath, ['Fornavn;Etternavn;Mobil', 'Kari;Nordmann;912 34 567', 'Ola;Hansen;412 34 567'].join('\n'));
  const listId = await importer.start({ organisationId: org.id, name: 'Medlemmer', country: 'NO', filePath, originalName: 'medlemmer.csv', source: { kind: 'members', name: '', date: null, basis: 'members' }, createdBy: organizer.id, removeFile: true });
  await importer.wait(listId);
  const group = await createGroupAsSystem(db, clock, org.id, { name: 'Medlemmer', listIds: [listId], filters: [] });
  const campaign = await createCampaign(db, clock, organizer.id, org.id, { name: CAMPAIGN, callingWindow: ALWAYS_WINDOW, targetGroupIds: [group.id], script: 'Hei {first_name}! Jeg heter {caller_name}.' });
  await changeStatus(db, clock, organizer.id, campaign.id, 'active');
  campaignId = campaign.id;
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.close();
});

/** A fresh browser: no cookies, no stored language, the given browser language. */
async function freshPage(locale: string): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  return context.newPage();
}

function accountLanguage(email: string): Promise<string | null> {
  return server.db
    .selectFrom('appUser')
    .select('language')
    .where('email', '=', email)
    .executeTakeFirstOrThrow()
    .then((row) => row.language);
}

async function signIn(page: Page, labels: { email: string; password: string; submit: string }, person: { email: string }): Promise<void> {
  await page.getByLabel(labels.email).fill(person.email);
  await page.getByLabel(labels.password, { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: labels.submit, exact: true }).click();
}

const SWEDISH = { email: 'E-postadress', password: 'Lösenord', submit: 'Logga in' };
const NORWEGIAN = { email: 'E-postadresse', password: 'Passord', submit: 'Logg inn' };

/** The start page in Norwegian, as a caller with an open campaign sees it. */
async function expectNorwegianStartPage(page: Page): Promise<void> {
  await page.getByRole('heading', { name: 'Kampanjer å ringe i' }).waitFor();
  await page.getByRole('heading', { name: CAMPAIGN }).waitFor();
  expect(await page.getByRole('link', { name: new RegExp(`^Begynn å ringe\\s*: ${CAMPAIGN}$`) }).isVisible()).toBe(true);
  expect(await page.getByRole('button', { name: 'Logg ut' }).isVisible()).toBe(true);
  expect(await page.locator('html').getAttribute('lang')).toBe('nb');
}

test('a caller switches to Norwegian on the login page, signs in, and the account keeps it', async () => {
  const page = await freshPage('sv-SE');
  await page.goto(`${server.url}/login`);
  await page.getByRole('heading', { level: 1, name: 'Logga in' }).waitFor();

  // The switcher names each language in itself.
  const names = await page.getByLabel('Språk').locator('option').allInnerTexts();
  expect(names).toEqual(['Svenska', 'Dansk', 'Norsk', 'English']);
  await page.getByLabel('Språk').selectOption('nb');
  await page.getByRole('heading', { level: 1, name: 'Logg inn' }).waitFor();
  await page.getByText('Logg inn i Ringa med e-postadressen og passordet ditt.').waitFor();
  await page.getByText('Har du ikke konto? Be en organisator i laget ditt om en invitasjonslenke.').waitFor();
  expect(await page.locator('html').getAttribute('lang')).toBe('nb');
  await screenshotsAtWidths(page, 'nb login', (width) => path.join(SHOTS, `nb-1-login-${width}.png`));
  // Signed out, the choice stays in this browser only.
  expect(await accountLanguage(CALLER.email)).toBeNull();

  await signIn(page, NORWEGIAN, CALLER);
  await expectNorwegianStartPage(page);
  // Chosen just before signing in: the account keeps it.
  await expect.poll(() => accountLanguage(CALLER.email)).toBe('nb');
  await screenshotsAtWidths(page, 'nb start page', (width) => path.join(SHOTS, `nb-2-start-${width}.png`));
});

test('in a second, fresh browser the login page is the browser\'s language, and signing in brings Norwegian back', async () => {
  const page = await freshPage('sv-SE');
  await page.goto(`${server.url}/login`);
  await page.getByRole('heading', { level: 1, name: 'Logga in' }).waitFor();
  expect(await page.locator('html').getAttribute('lang')).toBe('sv');

  await signIn(page, SWEDISH, CALLER);
  await expectNorwegianStartPage(page);
  // A reload with the session: still Norwegian.
  await page.reload();
  await expectNorwegianStartPage(page);

  // Signed in, a switch is saved at once.
  await page.getByLabel('Språk').selectOption('sv');
  await page.getByRole('heading', { name: 'Kampanjer att ringa i' }).waitFor();
  await expect.poll(() => accountLanguage(CALLER.email)).toBe('sv');

  // A save that fails still switches; the account keeps its earlier language.
  let refused = 0;
  await page.route('**/api/me', (route) => {
    if (route.request().method() !== 'PUT') return route.continue();
    refused += 1;
    return route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'database_unavailable', message: 'Try again.' } }) });
  });
  await page.getByLabel('Språk').selectOption('nb');
  await page.getByRole('heading', { name: 'Kampanjer å ringe i' }).waitFor();
  await expect.poll(() => refused).toBe(1);
  expect(await page.locator('html').getAttribute('lang')).toBe('nb');
  expect(await page.getByRole('button', { name: 'Logg ut' }).isVisible()).toBe(true);
  expect(await accountLanguage(CALLER.email)).toBe('sv');
  await page.unroute('**/api/me');

  // Choosing again when the server answers keeps it.
  await page.getByLabel('Språk').selectOption('en');
  await page.getByRole('heading', { name: 'Campaigns to call' }).waitFor();
  await page.getByLabel('Language').selectOption('nb');
  await page.getByRole('heading', { name: 'Kampanjer å ringe i' }).waitFor();
  await expect.poll(() => accountLanguage(CALLER.email)).toBe('nb');
});

test('a person who never chose reads their browser\'s language (Nynorsk as Bokmål), and nothing is saved', async () => {
  const page = await freshPage('nn-NO');
  await page.goto(`${server.url}/login`);
  await page.getByRole('heading', { level: 1, name: 'Logg inn' }).waitFor();
  await signIn(page, NORWEGIAN, NEWCOMER);
  await expectNorwegianStartPage(page);
  expect(await accountLanguage(NEWCOMER.email)).toBeNull();

  // A Swedish browser for the same account: Swedish, since the account has no language of its own.
  const swedish = await freshPage('sv-SE');
  await swedish.goto(`${server.url}/login`);
  await signIn(swedish, SWEDISH, NEWCOMER);
  await swedish.getByRole('heading', { name: 'Kampanjer att ringa i' }).waitFor();
  expect(await accountLanguage(NEWCOMER.email)).toBeNull();
});

test('an organizer in Norway is warned against hours outside weekdays 09–21, and the usual hours are Norway\'s', async () => {
  const page = await freshPage('nb-NO');
  await page.goto(`${server.url}/login`);
  await signIn(page, NORWEGIAN, { email: 'oda@grunerlokka.example' });
  await page.getByRole('heading', { name: 'Organisasjonene dine' }).waitFor();
  await page.goto(`${server.url}/campaigns/${campaignId}`);
  await page.getByRole('heading', { level: 1, name: CAMPAIGN }).waitFor();
  await page.getByRole('link', { name: 'Innstillinger' }).click();
  await page.getByText('Ringetider', { exact: true }).waitFor();

  // The campaign calls around the clock: outside Norway's usual hours, said in Norwegian.
  await page.getByText('Disse tidene går utenfor de vanlige mandag–fredag 09–21 og ingen samtaler i helgene').waitFor();
  await page.getByRole('button', { name: 'Bruk de vanlige tidene' }).click();
  expect(await page.getByText('Disse tidene går utenfor').count()).toBe(0);
  for (const day of ['mon', 'tue', 'wed', 'thu', 'fri']) {
    expect([await page.locator(`#window-${day}-0-from`).inputValue(), await page.locator(`#window-${day}-0-to`).inputValue()]).toEqual(['09:00', '21:00']);
  }
  expect(await page.locator('#window-sat-0-from').count()).toBe(0);
  expect(await page.getByText('Ingen ringing', { exact: true }).count()).toBe(2);

  await page.getByRole('button', { name: 'Lagre innstillingene' }).click();
  await page.getByText('Innstillingene er lagret.').waitFor();
  const saved = await server.db.selectFrom('campaign').select('callingWindow').where('id', '=', campaignId).executeTakeFirstOrThrow();
  expect(saved.callingWindow).toMatchObject({ mon: [['09:00', '21:00']], fri: [['09:00', '21:00']], sat: [], sun: [] });
});
