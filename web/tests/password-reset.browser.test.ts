// A forgotten password in a real Chromium, in Swedish on a phone (375 × 667): "Glömt lösenordet?" on
// the sign-in page, the mail read from a real SMTP server, its link opened, a new password chosen,
// and the person signed in. The link then no longer works. Then an admin, also in Swedish, mails an
// invitation and makes a member's link for a new password in the web app.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { PASSWORD, root, startTestServer, type TestServer } from '../../server/test/harness';
import { startMailServer, type TestMailServer } from '../../server/test/mail-server';
import { launchBrowser } from './browser';

const DOCS = path.join(root, 'docs', 'screenshots');
const PERSON = { name: 'Stina Ström', email: 'stina@hageby.example' };
const NEW_PASSWORD = 'hjortronsylt på fredagar';

let smtp: TestMailServer;
let server: TestServer;
let browser: Browser;
let page: Page;
let orgId: string;
const ADMIN = { name: 'Anna Admin', email: 'anna@hageby.example' };

beforeAll(async () => {
  mkdirSync(DOCS, { recursive: true });
  smtp = await startMailServer();
  [server, browser] = await Promise.all([startTestServer({ mail: smtp.settings }), launchBrowser()]);
  const { db, clock } = { db: server.db, clock: server.app.ctx.clock };
  const org = await insertOrganisation(db, clock, null, { name: 'S-föreningen Hageby', kind: 'S-förening', country: 'SE' }, null);
  const user = await createUser(db, clock, { ...PERSON, password: PASSWORD });
  await addMembership(db, clock, user.id, org.id, 'caller', null);
  const admin = await createUser(db, clock, { ...ADMIN, password: PASSWORD });
  await addMembership(db, clock, admin.id, org.id, 'admin', null);
  orgId = org.id;
  const context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 375, height: 667 } });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await smtp?.close();
});

/** Nothing scrolls sideways on the phone. */
async function fitsThePhone(): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
}

test('Glömt lösenordet? → mejl → länken → nytt lösenord → inloggad; länken fungerar bara en gång', async () => {
  await page.goto(`${server.url}/login`);
  await page.getByRole('link', { name: 'Glömt lösenordet?' }).click();
  await page.getByRole('heading', { level: 1, name: 'Glömt lösenordet?' }).waitFor();
  await page.getByLabel('E-postadress').fill(PERSON.email);
  await page.getByRole('button', { name: 'Skicka länken' }).click();
  await page.getByText(`Om ${PERSON.email} har ett konto i Ringa är ett mejl med en länk på väg.`).waitFor();
  await fitsThePhone();
  await page.screenshot({ path: path.join(DOCS, 'forgot-password-sv-375.png'), fullPage: true });

  const mail = await smtp.next(PERSON.email);
  expect(mail.subject).toBe('Välj ett nytt lösenord till Ringa');
  expect(mail.text).toContain('Hej Stina Ström!');
  expect(mail.link.startsWith(`${server.url}/reset-password#`)).toBe(true);

  await page.goto(mail.link);
  await page.getByRole('heading', { level: 1, name: 'Välj ett nytt lösenord' }).waitFor();
  // The token leaves the address bar at once (history, bookmarks, a shared screen).
  expect(new URL(page.url()).hash).toBe('');
  await page.getByLabel('Nytt lösenord').fill(NEW_PASSWORD);
  await fitsThePhone();
  await page.screenshot({ path: path.join(DOCS, 'reset-password-sv-375.png'), fullPage: true });
  await page.getByRole('button', { name: 'Spara det nya lösenordet' }).click();
  await page.getByRole('heading', { name: 'Dina organisationer' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/');

  // Signed in with the new password, and the same link again is refused in Swedish.
  const me = await page.evaluate(async () => (await fetch('/api/me')).json() as Promise<{ user: { email: string } }>);
  expect(me.user.email).toBe(PERSON.email);
  await page.goto(mail.link);
  await page.getByLabel('Nytt lösenord').fill('ett annat långt lösenord');
  await page.getByRole('button', { name: 'Spara det nya lösenordet' }).click();
  await page.getByText('Länken för nytt lösenord är redan använd, har gått ut eller stämmer inte.').waitFor();
  await page.getByRole('link', { name: 'Be om en ny länk' }).waitFor();
});

test('en administratör mejlar en inbjudan och skapar en länk för nytt lösenord åt en medlem', async () => {
  const context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 1280, height: 900 } });
  const admin = await context.newPage();
  await admin.goto(`${server.url}/login`);
  await admin.getByLabel('E-postadress').fill(ADMIN.email);
  await admin.getByLabel('Lösenord', { exact: true }).fill(PASSWORD);
  await admin.getByRole('button', { name: 'Logga in', exact: true }).click();
  await admin.getByRole('heading', { name: 'Dina organisationer' }).waitFor();

  await admin.goto(`${server.url}/orgs/${orgId}`);
  await admin.getByRole('link', { name: 'Inbjudningar' }).click();
  await admin.getByLabel('E-postadress (frivilligt)').fill('ny.ringare@hageby.example');
  expect(await admin.getByLabel('Mejlets språk').inputValue()).toBe('sv');
  await admin.getByRole('button', { name: 'Skapa länk' }).click();
  await admin.getByText('Inbjudan har mejlats till ny.ringare@hageby.example.').waitFor();
  const invitation = await smtp.next('ny.ringare@hageby.example');
  expect(invitation.subject).toBe('Anna Admin bjuder in dig till S-föreningen Hageby i Ringa');
  expect(invitation.link).toBe(await admin.getByLabel('Inbjudningslänk').inputValue());
  await admin.getByRole('button', { name: 'Klar' }).click();

  await admin.getByRole('link', { name: 'Medlemmar' }).click();
  await admin.getByRole('button', { name: `Skapa en länk för nytt lösenord åt ${PERSON.name}` }).click();
  await admin.getByRole('heading', { name: `Länk för ${PERSON.name} att välja ett nytt lösenord` }).waitFor();
  const link = await admin.getByLabel('Länk för nytt lösenord', { exact: true }).inputValue();
  expect(link).toMatch(new RegExp(`^${server.url}/reset-password#[A-Za-z0-9_-]{43}$`));
  await context.close();
});

test('utan SMTP säger "Glömt lösenordet?" vem man ska fråga, och det finns inget formulär', async () => {
  const plain = await startTestServer();
  try {
    const context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 375, height: 667 } });
    const visitor = await context.newPage();
    await visitor.goto(`${plain.url}/login`);
    await visitor.getByRole('link', { name: 'Glömt lösenordet?' }).click();
    await visitor.getByText('Den här Ringa skickar inga mejl. Be en organisatör eller administratör i din förening om en länk för nytt lösenord').waitFor();
    expect(await visitor.getByRole('button', { name: 'Skicka länken' }).count()).toBe(0);
    await context.close();
  } finally {
    await plain.close();
  }
});
