// Calling from a phone, in Swedish, at 375 × 667 px in a real Chromium against the real server and the
// built app. The start page offers to start only the campaign open now: one outside its calling hours
// says when calling opens ("i morgon kl. 10:00"), a paused one says it is paused, and neither has a
// start button; the caller's screen of the closed one says the same. In the open one the header is one
// compact line (no organisation switcher), the outcomes and "Spara och nästa" are in the viewport
// without scrolling while the script is longer than the screen, and a save made so arrives. A person is
// skipped with a reason and goes back to the queue without a call. The offline banner comes the moment
// the browser loses its network. A mis-tapped "Ja" is corrected to "Nej" in the correction dialog and
// the new member is no longer counted. The script editor names an unknown merge field and saves nothing.
// Screenshots of the caller's screen at 375 and 1280 px in docs/screenshots/.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { localTime } from '../../server/src/modules/campaigns/calling-window';
import { changeStatus, createCampaign } from '../../server/src/modules/campaigns/campaigns.service';
import type { CallingWindowValue } from '../../server/src/modules/campaigns/campaigns.schemas';
import { ALWAYS_WINDOW, DEFAULT_OUTCOMES } from '../../server/src/modules/campaigns/outcomes';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { createGroupAsSystem } from '../../server/src/modules/target-groups/target-groups.service';
import { MEMBER_REGISTER, PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser } from './browser';

const DOCS = path.join(root, 'docs', 'screenshots');
const PHONE = { width: 375, height: 667 };
const CALLER = { name: 'Olle Ringare', email: 'olle@telefon.example' };

const CSV = [
  'Förnamn;Efternamn;Mobil;Ort',
  ...['Anna;Andersson', 'Bo;Berg', 'Cecilia;Carlsson', 'David;Dahl', 'Eva;Ek', 'Filip;Fors'].map((name, i) => `${name};070-224 45 0${i + 1};Norrköping`),
].join('\n');

const SCRIPT = [
  'Hej **{first_name}**! Jag heter {caller_name} och ringer från S-föreningen Hageby.',
  '',
  'Vi ringer alla i {attr:Ort} den här veckan för att höra vad som är viktigt för dig inför hösten.',
  '',
  'Vi har ett medlemsmöte den 12 oktober med vår kommunalråd som gäst. Där pratar vi om skolan, äldreomsorgen och bussarna.',
  '',
  '- Fråga vad som är viktigast för hen.',
  '- Berätta om mötet.',
  '- Fråga om hen vill bli medlem.',
  '',
  'Tack för att du tog dig tid! Ha en fin kväll.',
].join('\n');

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const ids = { open: '', closed: '', paused: '' };

/** A window whose only hours are 10:00–12:00 tomorrow (Stockholm): closed now, whenever the test runs. */
function tomorrowOnly(): CallingWindowValue {
  const { day } = localTime(new Date(Date.now() + 86_400_000), 'Europe/Stockholm');
  const window: CallingWindowValue = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
  window[day] = [['10:00', '12:00']];
  return window;
}

beforeAll(async () => {
  mkdirSync(DOCS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const { db } = server;
  const { clock, importer } = server.app.ctx;
  const org = await insertOrganisation(db, clock, null, { name: 'S-föreningen Hageby', kind: 'association', country: 'SE' }, null);
  const organizer = await createUser(db, clock, { name: 'Karin Sjögren', email: 'karin@telefon.example', password: PASSWORD });
  await addMembership(db, clock, organizer.id, org.id, 'organizer', null);
  const caller = await createUser(db, clock, { ...CALLER, password: PASSWORD });
  await addMembership(db, clock, caller.id, org.id, 'caller', null);
  const dir = mkdtempSync(path.join(tmpdir(), 'ringa-phone-'));
  const filePath = path.join(dir, 'hageby.csv');
  writeFileSync(filePath, CSV);
  const listId = await importer.start({ organisationId: org.id, name: 'Hageby', country: 'SE', filePath, originalName: 'hageby.csv', source: MEMBER_REGISTER, createdBy: organizer.id, removeFile: true });
  await importer.wait(listId);
  const group = await createGroupAsSystem(db, clock, org.id, { name: 'Hageby', listIds: [listId], filters: [] });
  const make = async (name: string, callingWindow: CallingWindowValue, status: 'active' | 'paused') => {
    const campaign = await createCampaign(db, clock, organizer.id, org.id, {
      name,
      briefing: 'Vi ringer medlemmar i Hageby inför höstmötet.',
      callingWindow,
      dialing: 'simulated',
      shownAttributes: ['Ort'],
      targetGroupIds: [group.id],
      script: SCRIPT,
      questions: [
        { id: 'join', kind: 'yes-no', text: 'Vill du bli medlem?', tags: ['recruit'] },
        { id: 'topics', kind: 'text', text: 'Vad är viktigast för hen?' },
      ],
      outcomes: DEFAULT_OUTCOMES,
    });
    await changeStatus(db, clock, organizer.id, campaign.id, 'active');
    if (status === 'paused') await changeStatus(db, clock, organizer.id, campaign.id, 'paused');
    return campaign.id;
  };
  ids.open = await make('Ringkväll i Hageby', ALWAYS_WINDOW, 'active');
  ids.closed = await make('Förmiddagsringning', tomorrowOnly(), 'active');
  ids.paused = await make('Vårens värvning', ALWAYS_WINDOW, 'paused');

  context = await browser.newContext({ locale: 'sv-SE', timezoneId: 'Europe/Stockholm', viewport: PHONE });
  page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(`${server.url}/login`);
  await page.getByLabel('E-postadress').fill(CALLER.email);
  await page.getByLabel('Lösenord', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Logga in', exact: true }).click();
  await page.getByRole('heading', { name: 'Kampanjer att ringa i' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Whether the element is wholly inside the viewport as it stands (nothing scrolled). */
async function inViewport(selector: ReturnType<Page['locator']>): Promise<boolean> {
  const box = await selector.boundingBox();
  return box !== null && box.y >= 0 && box.x >= 0 && box.y + box.height <= PHONE.height && box.x + box.width <= PHONE.width;
}

const scrollY = () => page.evaluate(() => window.scrollY);

test('the start page offers to start only the campaign open now; the others say when calling opens, with no start button', async () => {
  const card = (id: string) => page.locator(`[data-campaign="${id}"]`);
  await card(ids.open).waitFor();
  await expect(card(ids.open).getByRole('link', { name: /^Börja ringa/ }).count()).resolves.toBe(1);

  await expect(card(ids.closed).getByTestId('opens').textContent()).resolves.toBe('Ringningen öppnar i morgon kl. 10:00.');
  await expect(card(ids.closed).getByRole('link', { name: /Börja ringa/ }).count()).resolves.toBe(0);
  await expect(card(ids.closed).getByRole('link', { name: /^Läs om kampanjen/ }).count()).resolves.toBe(1);

  await expect(card(ids.paused).getByTestId('opens').textContent()).resolves.toBe('Kampanjledaren har pausat kampanjen. Ringningen öppnar igen när kampanjen återupptas.');
  await expect(card(ids.paused).getByRole('link', { name: /Börja ringa/ }).count()).resolves.toBe(0);
});

test('the caller’s screen of a campaign outside its hours says when calling opens and offers no start', async () => {
  await page.goto(`${server.url}/call/${ids.closed}`);
  await page.getByRole('heading', { name: 'Innan du börjar' }).waitFor();
  await expect(page.getByTestId('closed').textContent()).resolves.toBe('Ringningen öppnar i morgon kl. 10:00.');
  await expect(page.getByRole('button', { name: 'Börja ringa' }).count()).resolves.toBe(0);
});

test('at 375 × 667 the header is one compact line, and an outcome is chosen and saved without scrolling', async () => {
  await page.goto(`${server.url}/call/${ids.open}`);
  await page.getByRole('button', { name: 'Börja ringa' }).click();
  await page.locator('#person-name').waitFor();
  // While calling, no organisation switcher; the header is a single line.
  await expect(page.locator('#org-switcher').count()).resolves.toBe(0);
  const header = await page.locator('header.site-header').boundingBox();
  expect(header?.height).toBeLessThan(70);
  // The script and questions are longer than the screen …
  expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeGreaterThan(PHONE.height * 1.5);
  await page.evaluate(() => window.scrollTo(0, 0));
  // … yet the common outcomes and "Spara och nästa" are in the viewport as it stands.
  for (const name of ['Inget svar', 'Samtal', 'Upptaget', 'Ring tillbaka senare', 'Röstbrevlåda']) {
    expect(await inViewport(page.getByRole('button', { name, exact: true })), name).toBe(true);
  }
  const save = page.getByRole('button', { name: 'Spara och nästa' });
  expect(await inViewport(save)).toBe(true);
  // The rest are one tap away.
  await expect(page.getByRole('button', { name: 'Fel nummer', exact: true }).isVisible()).resolves.toBe(false);
  await page.getByTestId('more-outcomes').click();
  await expect(page.getByRole('button', { name: 'Fel nummer', exact: true }).isVisible()).resolves.toBe(true);
  await page.getByTestId('more-outcomes').click();

  mkdirSync(DOCS, { recursive: true });
  await page.screenshot({ path: path.join(DOCS, 'caller-2-person-375.png') });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(DOCS, 'caller-2-person-1280.png'), fullPage: true });
  // At 1280 the outcomes and the save stand in the form's column, all of them, beside the script.
  await expect(page.getByRole('button', { name: 'Fel nummer', exact: true }).isVisible()).resolves.toBe(true);
  // The form's column is sticky and fits the screen: once the person is scrolled to, the save is in sight.
  const form = await page.locator('form.outcome-form').boundingBox();
  expect(form?.height).toBeLessThanOrEqual(900 - 16);
  await page.setViewportSize(PHONE);
  await page.evaluate(() => window.scrollTo(0, 0));

  const first = (await page.locator('#person-name').textContent())?.trim();
  await page.getByRole('button', { name: 'Inget svar', exact: true }).click();
  await save.click();
  await page.waitForFunction((previous) => document.querySelector('#person-name')?.textContent?.trim() !== previous, first);
  expect(await scrollY()).toBe(0);
  const calls = await server.db.selectFrom('call').innerJoin('person', 'person.id', 'call.personId').select(['call.outcome', 'person.firstName', 'person.lastName']).where('call.campaignId', '=', ids.open).execute();
  expect(calls.map((call) => `${call.firstName} ${call.lastName}: ${call.outcome}`)).toEqual([`${first}: no-answer`]);
});

test('"Hoppa över" with a reason: the person goes back to the queue without a call, and the next one comes', async () => {
  const skipped = (await page.locator('#person-name').textContent())?.trim() ?? '';
  await page.getByRole('button', { name: 'Hoppa över', exact: true }).click();
  await page.getByLabel('Jag känner personen').check();
  await page.getByRole('button', { name: 'Hoppa över och ta nästa' }).click();
  await expect(page.getByTestId('skipped').textContent()).resolves.toBe(`${skipped} gick tillbaka till kön.`);
  expect((await page.locator('#person-name').textContent())?.trim()).not.toBe(skipped);
  const [firstName = '', lastName = ''] = skipped.split(' ');
  const row = await server.db
    .selectFrom('campaignContact')
    .innerJoin('person', 'person.id', 'campaignContact.personId')
    .select(['campaignContact.state', 'campaignContact.attempts', 'campaignContact.skipReason', 'campaignContact.skips'])
    .where('campaignContact.campaignId', '=', ids.open)
    .where('person.firstName', '=', firstName)
    .where('person.lastName', '=', lastName)
    .executeTakeFirstOrThrow();
  expect(row).toEqual({ state: 'queued', attempts: 0, skipReason: 'knows-person', skips: 1 });
  expect(await server.db.selectFrom('call').select('id').where('campaignId', '=', ids.open).execute()).toHaveLength(1);
});

test('the offline banner comes the moment the browser loses its network, before any save, and goes when it is back', async () => {
  const banner = page.getByTestId('offline');
  await expect(banner.count()).resolves.toBe(0);
  await context.setOffline(true);
  await banner.waitFor({ timeout: 1500 });
  await expect(banner.textContent()).resolves.toContain('Du är offline.');
  expect(await inViewport(banner)).toBe(true);
  await page.screenshot({ path: path.join(DOCS, 'caller-5-offline-375.png') });
  await context.setOffline(false);
  await banner.waitFor({ state: 'detached', timeout: 10_000 });
});

test('a mis-tapped "Ja" to "Vill du bli medlem?" is corrected to "Nej" in the dialog, and the new member is no longer counted', async () => {
  await page.locator('#person-name').waitFor();
  const recruits = page.locator('[data-figure="recruits"] dd');
  const before = Number(await recruits.textContent());
  const questions = page.locator('section[aria-labelledby="questions-title"]');
  await page.getByRole('button', { name: 'Samtal', exact: true }).click();
  await questions.getByLabel('Ja', { exact: true }).check();
  await page.getByRole('button', { name: 'Spara och nästa' }).click();
  await page.waitForFunction((count) => document.querySelector('[data-figure="recruits"] dd')?.textContent?.trim() === String(count), before + 1);
  await page.getByTestId('last-call').getByRole('button', { name: 'Ändra' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Nej', { exact: true }).check();
  await dialog.getByRole('button', { name: 'Spara ändringen' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.waitForFunction((count) => document.querySelector('[data-figure="recruits"] dd')?.textContent?.trim() === String(count), before);
  const last = await server.db.selectFrom('call').select(['answers', 'tags']).where('campaignId', '=', ids.open).orderBy('createdAt', 'desc').executeTakeFirstOrThrow();
  expect(last).toEqual({ answers: { join: false }, tags: [] });
});

test('the script editor names an unknown merge field and the known ones, and does not save the script', async () => {
  const organizer = await browser.newContext({ locale: 'sv-SE', timezoneId: 'Europe/Stockholm', viewport: { width: 1280, height: 900 } });
  const editor = await organizer.newPage();
  await editor.goto(`${server.url}/login`);
  await editor.getByLabel('E-postadress').fill('karin@telefon.example');
  await editor.getByLabel('Lösenord', { exact: true }).fill(PASSWORD);
  await editor.getByRole('button', { name: 'Logga in', exact: true }).click();
  await editor.getByRole('heading', { name: 'Dina organisationer' }).waitFor();
  await editor.goto(`${server.url}/campaigns/${ids.open}?tab=script`);
  const versions = () => server.db.selectFrom('campaignVersion').select('id').where('campaignId', '=', ids.open).execute();
  const before = (await versions()).length;
  await editor.locator('#script-text').fill('Hej {förnamn}! Du bor i {attr:Ort}.');
  const warning = editor.getByTestId('unknown-fields');
  await expect(warning.textContent()).resolves.toContain('Ringa kan inte fylla i {förnamn}.');
  await expect(warning.textContent()).resolves.toContain('Fälten som går att använda: {first_name}, {last_name}, {caller_name}, {attr:Ort}.');
  await editor.getByRole('button', { name: /^Spara som version/ }).click();
  await editor.getByText('Manuset sparades inte: Ringa kan inte fylla i {förnamn}. Rätta fältet eller ta bort det.').waitFor();
  expect((await versions()).length).toBe(before);
  await organizer.close();
});
