// Launches Chromium for browser tests: the system's /usr/bin/chromium when installed, otherwise
// the build bundled in @sparticuz/chromium.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type LaunchOptions, type Page } from 'playwright-core';
import { expect } from 'vitest';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function chromiumExecutable(): Promise<string> {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  const sparticuz = (await import('@sparticuz/chromium')).default;
  return sparticuz.executablePath();
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumExecutable(),
    ...options,
    args: [...ARGS, ...(options.args ?? [])],
  });
}

/** Signs in on the login page, as a person does, and waits for their organisations. */
export async function signIn(page: Page, serverUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${serverUrl}/login`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  // An organizer lands on it as the page's heading; a caller with campaigns sees it below "Campaigns to call".
  await page.getByRole('heading', { name: 'Your organisations' }).waitFor();
}

/** Full-page screenshots at desktop and phone width (1280 and 375 px); at neither may the page scroll sideways. */
export async function screenshotsAtWidths(page: Page, name: string, file: (width: number) => string): Promise<void> {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(150);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `${name} scrolls sideways at ${width} px`).toBeLessThanOrEqual(width);
    await page.screenshot({ path: file(width), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
