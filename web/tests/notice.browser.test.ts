// The first-contact notice (GDPR Art. 14) on the caller's screen, in Swedish, in a real Chromium against
// the real server: a person no one has spoken to gets the notice, filled with the organisation and where
// the number came from, above the script; the caller ticks "Informationen given" and saves, and the
// database holds notice_given = true. A person someone answered before (in an earlier campaign) gets
// no notice, and the call keeps null. A caller who forgot to tick puts it right with "Ändra". A
// person who objects is one click from do-not-call. The
// organisation's notice on its page: the text in effect, where it comes from, a refused placeholder
// named, and the preview filled.
// Screenshots at 1280 and 375 px in test-output/screenshots/notice-*.png.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { changeStatus, createCampaign } from '../../server/src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW } from '../../server/src/modules/campaigns/outcomes';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { createGroupAsSystem } from '../../server/src/modules/target-groups/target-groups.service';
import { PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser } from './browser';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const CALLER = { name: 'Olle Ringare', email: 'olle@hageby.example' };
const ADMIN = { name: 'Karin Sjögren', email: 'karin@hageby.example' };
const FIRST_TIME = 'Anna Andersson';
const CALLED_BEFORE = 'Bertil Berg';
const OBJECTS = 'Cecilia Carlsson';
const FORGOT = 'David Dahl';

let server: TestServer;
let browser: Browser;
let orgId = '';
let campaignId = '';

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  const { db } = server;
  const { clock, importer } = server.app.ctx;
  const org = await insertOrganisation(db, clock, null, { name: 'S-föreningen Hageby', kind: 'association', country: 'SE' }, null);
  orgId = org.id;
  const admin = await createUser(db, clock, { ...ADMIN, password: PASSWORD });
  await addMembership(db, clock, admin.id, org.id, 'admin', null);
  const caller = await createUser(db, clock, { ...CALLER, password: PASSWORD });
  await addMembership(db, clock, caller.id, org.id, 'caller', null);

  const dir = mkdtempSync(path.join(tmpdir(), 'ringa-notice-'));
  const filePath = path.join(dir, 'hageby.csv');
  writeFileSync(filePath, ['Förnamn;Efternamn;Mobil', 'Anna;Andersson;070-223 49 01', 'Bertil;Berg;070-223 49 02', 'Cecilia;Carlsson;070-223 49 03', 'David;Dahl;070-223 49 04'].join('\n'));
  const listId = await importer.start({ organisationId: org.id, name: 'Köpt lista Hageby', country: 'SE', filePath, originalName: 'hageby.csv', source: { kind: 'broker', name: 'Adressbolaget AB', date: '2026-03-01', basis: 'legitimate-interest' }, createdBy: admin.id, removeFile: true });
  await importer.wait(listId);
  const group = await createGroupAsSystem(db, clock, org.id, { name: 'Hageby', listIds: [listId], filters: [] });
  const campaign = (name: string) =>
    createCampaign(db, clock, admin.id, org.id, {
      name,
      callingWindow: ALWAYS_WINDOW,
      targetGroupIds: [group.id],
      script: 'Hej {first_name}! Jag heter {caller_name}. Vi bjuder in till höstmötet den 12 oktober.',
    });

  // Bertil answered a call in the spring's campaign: he has heard the notice already.
  const spring = await campaign('Vårens ringkväll');
  const version = await db.selectFrom('campaignVersion').select('id').where('campaignId', '=', spring.id).executeTakeFirstOrThrow();
  const bertil = await db.selectFrom('person').select('id').where('firstName', '=', 'Bertil').executeTakeFirstOrThrow();
  await db
    .insertInto('call')
    .values({
      campaignId: spring.id,
      organisationId: org.id,
      personId: bertil.id,
      callerId: caller.id,
      versionId: version.id,
      idempotencyKey: 'spring-bertil',
      leaseId: '00000000-0000-4000-8000-000000000001',
      outcome: 'conversation',
      reached: true,
      noticeGiven: true,
      createdAt: new Date(clock.now().getTime() - 180 * 86_400_000),
    })
    .execute();

  const autumn = await campaign('Höstens ringkväll');
  campaignId = autumn.id;
  await changeStatus(db, clock, admin.id, campaignId, 'active');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signedIn(email: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByLabel('E-postadress').fill(email);
  await page.getByLabel('Lösenord', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Logga in', exact: true }).click();
  await page.getByRole('button', { name: 'Logga ut' }).waitFor();
  return page;
}

async function screenshots(page: Page, name: string): Promise<void> {
  for (const [width, height] of [[1280, 900], [375, 812]] as const) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(150);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(width);
    await page.screenshot({ path: path.join(SHOTS, `notice-${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

const personName = (page: Page) => page.locator('#person-name');
const notice = (page: Page) => page.getByTestId('first-contact-notice');

async function nextPerson(page: Page, previous: string | null): Promise<string> {
  await expect.poll(async () => ((await personName(page).count()) > 0 ? await personName(page).textContent() : null), { timeout: 15_000 }).not.toBe(previous);
  return (await personName(page).textContent()) ?? '';
}

async function callOf(name: string) {
  const [firstName = '', lastName = ''] = name.split(' ');
  return server.db
    .selectFrom('call')
    .innerJoin('person', 'person.id', 'call.personId')
    .select(['call.outcome', 'call.noticeGiven'])
    .where('call.campaignId', '=', campaignId)
    .where('person.firstName', '=', firstName)
    .where('person.lastName', '=', lastName)
    .execute();
}

test('a first-time person gets the notice above the script, ticked and saved; a person spoken to before gets none; an objection is one click', async () => {
  const page = await signedIn(CALLER.email);
  await page.goto(`${server.url}/call/${campaignId}`);
  await page.getByRole('button', { name: 'Börja ringa' }).click();

  const seen = new Set<string>();
  let name: string | null = null;
  for (let i = 0; i < 4; i++) {
    name = await nextPerson(page, name);
    seen.add(name);
    if (name === FIRST_TIME) {
      await notice(page).waitFor();
      await expect.poll(() => notice(page).textContent()).toContain(
        'Jag ringer från S-föreningen Hageby. Vi har ditt nummer från en adresslista som vi köpt från Adressbolaget AB.',
      );
      await page.getByRole('heading', { name: 'Berätta först' }).waitFor();
      // Above the script.
      const [noticeBox, scriptBox] = await Promise.all([notice(page).boundingBox(), page.locator('#script-title').boundingBox()]);
      expect(noticeBox && scriptBox && noticeBox.y < scriptBox.y).toBe(true);
      const given = page.getByRole('checkbox', { name: 'Informationen given' });
      expect(await given.isChecked()).toBe(false);
      await screenshots(page, 'caller-1-first-time');
      // On a phone the number to call stays on the first screen: the notice comes after the person.
      await page.setViewportSize({ width: 375, height: 812 });
      const phone = await page.getByTestId('phone-number').boundingBox();
      expect(phone && phone.y + phone.height).toBeLessThan(812);
      await page.setViewportSize({ width: 1280, height: 900 });

      await given.check();
      await page.getByRole('button', { name: 'Jag har ringt' }).click();
      await page.locator('[data-outcome="conversation"]').click();
      await screenshots(page, 'caller-2-given');
      await page.getByRole('button', { name: 'Spara och nästa' }).click();
      await expect.poll(() => callOf(FIRST_TIME)).toEqual([{ outcome: 'conversation', noticeGiven: true }]);
    } else if (name === CALLED_BEFORE) {
      await page.getByRole('heading', { name: 'Samtalsmanus' }).waitFor();
      expect(await notice(page).count()).toBe(0);
      await screenshots(page, 'caller-3-called-before');
      await page.getByRole('button', { name: 'Jag har ringt' }).click();
      await page.locator('[data-outcome="conversation"]').click();
      await page.getByRole('button', { name: 'Spara och nästa' }).click();
      await expect.poll(() => callOf(CALLED_BEFORE)).toEqual([{ outcome: 'conversation', noticeGiven: null }]);
    } else if (name === FORGOT) {
      // Saved without ticking: false; then put right with "Ändra" within ten minutes.
      await notice(page).waitFor();
      await page.getByRole('button', { name: 'Jag har ringt' }).click();
      await page.locator('[data-outcome="conversation"]').click();
      await page.getByRole('button', { name: 'Spara och nästa' }).click();
      await expect.poll(() => callOf(FORGOT)).toEqual([{ outcome: 'conversation', noticeGiven: false }]);
      await page.getByRole('button', { name: 'Ändra', exact: true }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('checkbox', { name: 'Informationen given' }).check();
      await dialog.getByRole('button', { name: 'Spara ändringen' }).click();
      await expect.poll(() => callOf(FORGOT)).toEqual([{ outcome: 'conversation', noticeGiven: true }]);
    } else {
      expect(name).toBe(OBJECTS);
      await notice(page).waitFor();
      // One click: the call is saved as do-not-call and the number goes on the register.
      await page.getByRole('button', { name: 'Vill inte bli uppringd' }).click();
      await expect.poll(() => callOf(OBJECTS)).toEqual([{ outcome: 'do-not-call', noticeGiven: true }]);
      const register = await server.db.selectFrom('doNotCall').select('phone').where('organisationId', '=', orgId).execute();
      expect(register).toEqual([{ phone: '+46702234903' }]);
    }
  }
  expect([...seen].sort()).toEqual([FIRST_TIME, CALLED_BEFORE, OBJECTS, FORGOT].sort());
  await page.getByText('Det finns ingen kvar att ringa just nu.', { exact: false }).waitFor();
  await page.context().close();
});

test('the organisation’s notice: where it comes from, a refused placeholder named in Swedish, saved, previewed; the campaign’s figure', async () => {
  const page = await signedIn(ADMIN.email);
  await page.goto(`${server.url}/orgs/${orgId}?tab=notice`);
  await page.getByRole('heading', { name: 'Information vid första kontakten' }).waitFor();
  await expect.poll(() => page.getByTestId('notice-from').textContent()).toBe('Ringas standardtext: ingen organisation ovanför har skrivit en egen.');
  await expect.poll(() => page.getByTestId('notice-preview').textContent()).toContain('Vi har ditt nummer från en adresslista som vi köpt från Företaget AB.');

  const text = page.getByLabel('Informationstext', { exact: true });
  await text.fill('Hej! Det här är {organisation}. Vi fick ditt nummer från {källa}. Säg till om du inte vill bli uppringd.');
  await page.getByRole('button', { name: 'Spara informationstexten' }).click();
  await page.getByText('Ringa kan inte fylla i ”{källa}”.', { exact: false }).waitFor();
  expect((await server.db.selectFrom('organisation').select('notice').where('id', '=', orgId).executeTakeFirstOrThrow()).notice).toBeNull();

  await text.fill('Hej! Det här är {organisation}. Vi fick ditt nummer från {source}. Säg till om du inte vill bli uppringd.');
  await page.getByLabel('Så hör den som fått sitt nummer från').selectOption({ label: 'medlemsregistret' });
  await expect.poll(() => page.getByTestId('notice-preview').textContent()).toBe(
    'Hej! Det här är S-föreningen Hageby. Vi fick ditt nummer från vårt medlemsregister. Säg till om du inte vill bli uppringd.',
  );
  await page.getByRole('button', { name: 'Spara informationstexten' }).click();
  await expect.poll(() => page.getByTestId('notice-from').textContent()).toBe('Organisationens egen text.');
  // At the top of the tree, giving up its own text means Ringa's standard text.
  await page.getByRole('button', { name: 'Använd Ringas standardtext' }).waitFor();
  expect((await server.db.selectFrom('organisation').select('notice').where('id', '=', orgId).executeTakeFirstOrThrow()).notice).toBe(
    'Hej! Det här är {organisation}. Vi fick ditt nummer från {source}. Säg till om du inte vill bli uppringd.',
  );
  await screenshots(page, 'organisation');

  // The campaign's figures: Anna, Cecilia and David were first calls, all with the notice given in the end.
  await page.goto(`${server.url}/campaigns/${campaignId}`);
  await expect.poll(() => page.locator('[data-figure="notice-share"]').textContent()).toContain('Informationen given vid 3 av 3 första samtal (100 %)');

  // The campaign's settings show the organisation's notice it uses; a notice of its own is checked as the organisation's is.
  await page.goto(`${server.url}/campaigns/${campaignId}?tab=settings`);
  await expect.poll(() => page.getByTestId('campaign-inherited-notice').textContent()).toContain('Vi fick ditt nummer från {source}.');
  await page.getByLabel('Kampanjen har en egen informationstext').check();
  const own = page.locator('#settings-notice');
  await own.fill('Hej {förnamn}, det är {organisation} som ringer. Numret kommer från {source}.');
  await page.getByRole('button', { name: 'Spara inställningarna' }).click();
  await page.getByText('Ringa kan inte fylla i ”{förnamn}”.', { exact: false }).waitFor();
  await own.fill('Hej, det är {organisation} som ringer inför höstmötet. Numret kommer från {source}.');
  await page.getByRole('button', { name: 'Spara inställningarna' }).click();
  const campaignNotice = async () => (await server.db.selectFrom('campaign').select('notice').where('id', '=', campaignId).executeTakeFirstOrThrow()).notice;
  await expect.poll(campaignNotice).toBe('Hej, det är {organisation} som ringer inför höstmötet. Numret kommer från {source}.');
  await page.context().close();
});
