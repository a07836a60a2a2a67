import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { readFileSync } from 'node:fs';
import { externalBoot } from './scripts/external-boot.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // A static SPA served by the Ringa server, which answers unknown paths with index.html.
    // The boot script kit would inline is moved to a file, so the CSP can say `script-src 'self'`.
    adapter: externalBoot(adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true })),
    // Kit's default version is Date.now(), taken separately by each process of the build; when two
    // differ, the fallback page's boot script names a different global than the app and nothing starts.
    version: { name: process.env.RINGA_VERSION ?? version },
    alias: {
      // The API payload types, shared with the server (types only, no runtime code).
      $contract: '../server/src/contract',
    },
  },
};

export default config;
