// Calling from a phone in Norwegian: a Norwegian association's caller, whose browser speaks Bokmål, at
// 375 × 667 px. The start page says in Norwegian when a campaign closed by its hours opens and offers
// no start; in the open one the outcomes and "Lagre og neste" are in the viewport without scrolling,
// and a save made so arrives; the offline banner comes, in Norwegian, the moment the network goes.
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
const CALLER = { name: 'Ola Nordmann', email: 'ola@telefon.example' };
const CSV = ['Fornavn;Etternavn;Mobil;Sted', ...['Kari;Hansen', 'Per;Olsen', 'Ingrid;Larsen', 'Lars;Berg'].map((name, i) => `${name};412 34 56${i};Tromsø`)].join('\n');
const SCRIPT = Array.from({ length: 12 }, (_, i) => (i === 0 ? 'Hei **{first_name}**! Jeg heter {caller_name} og ringer fra Tromsø Ap.' : `Punkt ${i}: fortell om møtet, spør hva som er viktigst, og om hen vil bli medlem.`)).join('\n\n');

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const ids = { open: '', closed: '' };

/** Hours only tomorrow 10:00–12:00 in Oslo: closed now, whenever the test runs. */
function tomorrowOnly(): CallingWindowValue {
  const { day } = localTime(new Date(Date.now() + 86_400_000), 'Europe/Oslo');
  const window: CallingWindowValue = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
  window[day] = [['10:00', '12:00']];
  return window;
}

async function inViewport(locator: ReturnType<Page['locator']>): Promise<boolean> {
  const box = await locator.boundingBox();
  return box !== null && box.y >= 0 && box.x >= 0 && box.y + box.height <= PHONE.height && box.x + box.width <= PHONE.width;
}

beforeAll(async () => {
  mkdirSync(DOCS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const { db } = server;
  const { clock, importer } = server.app.ctx;
  const org = await insertOrganisation(db, clock, null, { name: 'Tromsø Ap', kind: 'association', country: 'NO' }, null);
  const organizer = await createUser(db, clock, { name: 'Kari Organisator', email: 'kari@telefon.example', password: PASSWORD });
  await addMembership(db, clock, organizer.id, org.id, 'organizer', null);
  const caller = await createUser(db, clock, { ...CALLER, password: PASSWORD });
  await addMembership(db, clock, caller.id, org.id, 'caller', null);
  const dir = mkdtempSync(path.join(tmpdir(), 'ringa-phone-nb-'));
  const filePath = path.join(dir, 'tromso.csv');
  writeFileSync(filePath, CSV);
  const listId = await importer.start({ organisationId: org.id, name: 'Tromsø', country: 'NO', filePath, originalName: 'tromso.csv', source: MEMBER_REGISTER, createdBy: organizer.id, removeFile: true });
  await importer.wait(listId);
  const group = await createGroupAsSystem(db, clock, org.id, { name: 'Tromsø', listIds: [listId], filters: [] });
  const make = async (name: string, callingWindow: CallingWindowValue) => {
    const campaign = await createCampaign(db, clock, organizer.id, org.id, {
      name,
      briefing: 'Vi ringer medlemmer i Tromsø før høstmøtet.',
      callingWindow,
      dialing: 'simulated',
      targetGroupIds: [group.id],
      script: SCRIPT,
      questions: [{ id: 'join', kind: 'yes-no', text: 'Vil du bli medlem?', tags: ['recruit'] }],
      outcomes: DEFAULT_OUTCOMES,
    });
    await changeStatus(db, clock, organizer.id, campaign.id, 'active');
    return campaign.id;
  };
  ids.open = await make('Ringekveld i Tromsø', ALWAYS_WINDOW);
  ids.closed = await make('Formiddagsringing', tomorrowOnly());

  context = await browser.newContext({ locale: 'nb-NO', timezoneId: 'Europe/Oslo', viewport: PHONE });
  page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByLabel('E-postadresse').fill(CALLER.email);
  await page.getByLabel('Passord', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Logg inn', exact: true }).click();
  await page.getByRole('heading', { name: 'Kampanjer å ringe i' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('the start page says in Norwegian when the closed campaign opens, and offers to start only the open one', async () => {
  const card = (id: string) => page.locator(`[data-campaign="${id}"]`);
  await card(ids.open).waitFor();
  await expect(card(ids.open).getByRole('link', { name: /^Begynn å ringe/ }).count()).resolves.toBe(1);
  await expect(card(ids.closed).getByTestId('opens').textContent()).resolves.toBe('Ringingen åpner i morgen kl. 10:00.');
  await expect(card(ids.closed).getByRole('link', { name: /Begynn å ringe/ }).count()).resolves.toBe(0);
});

test('at 375 × 667 the outcomes and "Lagre og neste" are in view without scrolling, and the save arrives', async () => {
  await page.goto(`${server.url}/call/${ids.open}`);
  await page.getByRole('button', { name: 'Begynn å ringe' }).click();
  await page.locator('#person-name').waitFor();
  expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeGreaterThan(PHONE.height * 1.5);
  await page.evaluate(() => window.scrollTo(0, 0));
  for (const name of ['Ikke svar', 'Samtale', 'Opptatt', 'Ring tilbake senere', 'Telefonsvarer']) {
    expect(await inViewport(page.getByRole('button', { name, exact: true })), name).toBe(true);
  }
  const save = page.getByRole('button', { name: 'Lagre og neste' });
  expect(await inViewport(save)).toBe(true);
  await page.screenshot({ path: path.join(DOCS, 'caller-2-person-nb-375.png') });

  const first = (await page.locator('#person-name').textContent())?.trim();
  await page.getByRole('button', { name: 'Opptatt', exact: true }).click();
  await save.click();
  await page.waitForFunction((previous) => document.querySelector('#person-name')?.textContent?.trim() !== previous, first);
  expect(await page.evaluate(() => window.scrollY)).toBe(0);
  const calls = await server.db.selectFrom('call').innerJoin('person', 'person.id', 'call.personId').select(['call.outcome', 'person.firstName', 'person.lastName']).where('call.campaignId', '=', ids.open).execute();
  expect(calls.map((call) => `${call.firstName} ${call.lastName}: ${call.outcome}`)).toEqual([`${first}: busy`]);
});

test('the offline banner comes in Norwegian the moment the network goes, and goes when it is back', async () => {
  const banner = page.getByTestId('offline');
  await context.setOffline(true);
  await banner.waitFor({ timeout: 1_500 });
  await expect(banner.textContent()).resolves.toContain('Du er frakoblet.');
  expect(await inViewport(banner)).toBe(true);
  await context.setOffline(false);
  await banner.waitFor({ state: 'detached', timeout: 10_000 });
});
