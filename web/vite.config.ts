import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

/** The Ringa server that `vite dev` in web/ talks to; its PUBLIC_URL must be this address. */
const api = process.env.RINGA_API ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [sveltekit()],
  ssr: {
    // Kit's build renders the fallback page in Node. The server's dependencies hoist cookie@2 to the
    // top of node_modules; bundling `cookie` makes kit use its own nested cookie@0.6.
    noExternal: ['cookie'],
  },
  build: {
    // Kit writes the static site in a late callback, which rolldown reports as slow on every build.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: {
    // The one server file the app imports at run time: the campaign defaults, constants only.
    fs: { allow: ['../server/src/modules/campaigns/outcomes.ts'] },
    proxy: {
      '/api': {
        target: api,
        // The server accepts changes only from its own origin (its CSRF rule), so speak as it.
        configure: (proxy) => proxy.on('proxyReq', (request) => request.setHeader('origin', new URL(api).origin)),
      },
    },
  },
});
