// The demo as a newcomer opens it, in Swedish, in a real Chromium against the real server and the built
// app: the district admin's Results tab has figures, a chart and the year's goals (400 new members, 25
// callers); a demo caller has the open campaign on the start page and calls in it at once on the
// simulated line. Screenshots at 1280 px in docs/screenshots/ for the README.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../../server/src/modules/demo/demo.service';
import { root, startTestServer, type TestServer } from '../../server/test/harness';
import { launchBrowser } from './browser';

const SHOTS = path.join(root, 'docs', 'screenshots');

let server: TestServer;
let browser: Browser;
const ids = { district: '', open: '' };

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  await seedDemo(server.db, server.app.ctx.clock);
  await server.app.ctx.stats.flush();
  ids.district = (await server.db.selectFrom('organisation').select('id').where('name', '=', 'Socialdemokraterna i Norrbotten').executeTakeFirstOrThrow()).id;
  ids.open = (await server.db.selectFrom('campaign').select('id').where('name', '=', 'Decemberringning: akutsjukvården i hela länet').executeTakeFirstOrThrow()).id;
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signInSwedish(email: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'sv-SE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByLabel('E-postadress').fill(email);
  await page.getByLabel('Lösenord', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Logga in', exact: true }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  return page;
}

test("the district's Results tab: figures, the goals of 400 new members and 25 active callers", async () => {
  const page = await signInSwedish('admin@demo.ringa.local');
  await page.goto(`${server.url}/orgs/${ids.district}?tab=results`);
  await page.getByText('Nya medlemmar i år').first().waitFor();
  await page.getByText('Aktiva ringare i år').first().waitFor();
  await page.getByRole('cell', { name: 'Luleå arbetarekommun' }).or(page.getByRole('link', { name: 'Luleå arbetarekommun' })).first().waitFor();
  // No figure of the funnel is zero: the demo has weeks of calls.
  const text = await page.locator('main').innerText();
  expect(text).toMatch(/400/);
  expect(text).toMatch(/25/);
  expect(text).not.toMatch(/Inga samtal än/);
  await page.waitForTimeout(500); // the chart draws
  await page.screenshot({ path: path.join(SHOTS, 'demo-dashboard-1280.png'), fullPage: true });

  // Drilling down to Luleå, the district's 400 new members are still there, with Luleå's share of them.
  const lulea = (await server.db.selectFrom('organisation').select('id').where('name', '=', 'Luleå arbetarekommun').executeTakeFirstOrThrow()).id;
  await page.goto(`${server.url}/orgs/${lulea}?tab=results`);
  await page.getByRole('heading', { name: 'Mål för organisationerna ovanför' }).waitFor();
  const above = page.locator('.goals-above li', { hasText: 'Socialdemokraterna i Norrbotten' }).filter({ hasText: 'Nya medlemmar i år' });
  await expect(above.locator('.above-share').innerText()).resolves.toMatch(/^Luleå arbetarekommun står för \d+ av de 400 \(\d+\s%\)\.$/);
  await page.screenshot({ path: path.join(SHOTS, 'goals-above-1280.png'), fullPage: true });
});

test('a demo caller finds the open campaign on the start page and calls at once', async () => {
  const page = await signInSwedish('ringare@demo.ringa.local');
  await page.getByText('Decemberringning: akutsjukvården i hela länet').first().waitFor();
  expect(await page.getByText('Ingen kampanj är öppen').count()).toBe(0);
  await page.goto(`${server.url}/call/${ids.open}`);
  await page.getByRole('heading', { name: 'Innan du börjar' }).waitFor();
  await page.getByRole('button', { name: 'Börja ringa' }).click();
  await page.getByText('Jag heter Rikard Ringare').waitFor();
  await page.getByText('Vill du bli medlem?').first().waitFor();
  await page.getByRole('button', { name: 'Ring', exact: true }).click();
  await page.getByText('Samtal pågår', { exact: true }).waitFor({ timeout: 10_000 });
  await page.screenshot({ path: path.join(SHOTS, 'demo-caller-1280.png'), fullPage: true });
});
