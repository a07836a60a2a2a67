// The database restarts while a volunteer calls, in Swedish, in a real Chromium against the real
// server and the built app: the save is kept on the screen and in the browser, the screen says the
// database cannot be reached, and the save goes through by itself once PostgreSQL is back — saved
// once. The cluster is the test's own (stopping the shared one would stop every other test).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createDatabase, freePort, type Database } from '../../db/database';
import { EmbeddedPostgres } from '../../db/embedded';
import { migrateToLatest } from '../../db/migrate';
import { buildApp, type App } from '../../server/src/app';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { changeStatus, createCampaign } from '../../server/src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW, DEFAULT_OUTCOMES } from '../../server/src/modules/campaigns/outcomes';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { createGroupAsSystem } from '../../server/src/modules/target-groups/target-groups.service';
import { MEMBER_REGISTER, PASSWORD, root } from '../../server/test/harness';
import { launchBrowser } from './browser';

const SHOTS = path.join(root, 'test-output', 'screenshots');
const CALLER = { name: 'Olle Ringare', email: 'olle@hageby.example' };

let workDir: string;
let postgres: EmbeddedPostgres;
let db: Database;
let app: App;
let url: string;
let browser: Browser;
let campaignId: string;
let callerId: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  workDir = mkdtempSync(path.join(tmpdir(), 'ringa-away-'));
  postgres = new EmbeddedPostgres({ dir: path.join(workDir, 'postgres'), port: await freePort(), password: 'away-test', user: 'postgres', settings: ['fsync=off'], ownProcessGroup: false });
  await postgres.initialise();
  await postgres.start();
  const admin = new pg.Client({ host: '127.0.0.1', port: postgres.options.port, user: 'postgres', password: 'away-test', database: 'postgres' });
  await admin.connect();
  await admin.query('create database ringa');
  await admin.end();
  db = createDatabase(`postgres://postgres:away-test@127.0.0.1:${postgres.options.port}/ringa`, { max: 5, log: () => {} });
  await migrateToLatest(db);
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  app = await buildApp({ db, publicUrl: new URL(url), sessionSecret: 'a'.repeat(40), webRoot: path.join(root, 'web', 'build') });
  await app.listen({ port, host: '127.0.0.1' });
  browser = await launchBrowser();

  const { clock, importer } = app.ctx;
  const org = await insertOrganisation(db, clock, null, { name: 'S-föreningen Hageby', kind: 'association', country: 'SE' }, null);
  const organizer = await createUser(db, clock, { name: 'Karin Sjögren', email: 'karin@hageby.example', password: PASSWORD });
  await addMembership(db, clock, organizer.id, org.id, 'organizer', null);
  const caller = await createUser(db, clock, { ...CALLER, password: PASSWORD });
  await addMembership(db, clock, caller.id, org.id, 'caller', null);
  callerId = caller.id;
  const filePath = path.join(workDir, 'hageby.csv');
  writeFileSync(filePath, ['Förnamn;Efternamn;Mobil', 'Ivar;Isaksson;070-223 49 01', 'Johanna;Jonsson;070-223 49 02', 'Karl;Kvist;070-223 49 03'].join('\n'));
  const listId = await importer.start({ organisationId: org.id, name: 'Hageby', country: 'SE', filePath, originalName: 'hageby.csv', source: MEMBER_REGISTER, createdBy: organizer.id, removeFile: true });
  await importer.wait(listId);
  const group = await createGroupAsSystem(db, clock, org.id, { name: 'Hageby', listIds: [listId], filters: [] });
  const campaign = await createCampaign(db, clock, organizer.id, org.id, {
    name: 'Ringkväll i Hageby',
    callingWindow: ALWAYS_WINDOW,
    targetGroupIds: [group.id],
    script: 'Hej {first_name}! Jag heter {caller_name} och ringer från S-föreningen Hageby.',
    outcomes: DEFAULT_OUTCOMES,
  });
  campaignId = campaign.id;
  await changeStatus(db, clock, organizer.id, campaign.id, 'active');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.destroy();
  await postgres?.stop();
  await rm(workDir, { recursive: true, force: true });
});

test('PostgreSQL restarts while a caller saves: the save waits on the screen with a Swedish message and goes through once it is back', async () => {
  const context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 375, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${url}/login`);
  await page.getByLabel('E-postadress').fill(CALLER.email);
  await page.getByLabel('Lösenord', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Logga in', exact: true }).click();
  await page.getByRole('button', { name: 'Logga ut' }).waitFor();

  await page.goto(`${url}/call/${campaignId}`);
  await page.getByRole('heading', { name: 'Innan du börjar' }).waitFor();
  await page.getByRole('button', { name: 'Börja ringa' }).click();
  const name = page.locator('#person-name');
  await name.waitFor();
  const first = await name.textContent();
  await page.getByRole('button', { name: 'Jag har ringt' }).click();
  await page.locator('[data-outcome="no-answer"]').click();

  await postgres.stop();
  await page.getByRole('button', { name: 'Spara och nästa' }).click();

  const away = page.getByTestId('server-away');
  await away.waitFor({ timeout: 15_000 });
  expect(await away.textContent()).toContain('Ringa når inte sin databas just nu. Inget går förlorat');
  expect(await page.getByTestId('waiting').textContent()).toContain('Ett sparat samtal väntar på att skickas.');
  const kept = await page.evaluate((key) => localStorage.getItem(key), `ringa.outbox.${callerId}.${campaignId}`);
  expect(kept).toContain('no-answer');
  await page.screenshot({ path: path.join(SHOTS, 'caller-database-away-375.png'), fullPage: true });

  await postgres.start();
  // Sent again by itself; the next person comes, and the message goes.
  await expect.poll(async () => ((await name.count()) > 0 ? await name.textContent() : null), { timeout: 20_000 }).not.toBe(first);
  await name.waitFor();
  expect(await away.count()).toBe(0);
  expect(await page.getByTestId('waiting').count()).toBe(0);
  const saved = await db.selectFrom('call').select(['outcome', 'callerId']).where('campaignId', '=', campaignId).execute();
  expect(saved).toEqual([{ outcome: 'no-answer', callerId }]);
  await context.close();
}, 120_000);
