import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface WebOptions {
  /** The built SvelteKit app (web/build). */
  root: string;
}

/** Serves the single-page app; any other GET that is not under /api gets index.html, and the app routes itself. */
export default fp<WebOptions>(
  async function web(app: FastifyInstance, { root }) {
    const index = path.join(root, 'index.html');
    if (!existsSync(index)) throw new Error(`The web app is not built (${index} is missing). Run npm run build.`);
    await app.register(fastifyStatic, {
      root,
      wildcard: false,
      index: false,
      setHeaders: (res, filePath) => {
        // Hashed file names under _app/immutable never change; everything else is checked each time.
        res.setHeader('cache-control', filePath.includes(`${path.sep}immutable${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    app.get('/*', { schema: { hide: true } }, async (request, reply) => {
      if (request.url.startsWith('/api/') || request.url === '/api') {
        return reply.status(404).send({ error: { code: 'not_found', message: `No such address: GET ${request.url.split('?')[0]}` } });
      }
      const file = decodeURIComponent(request.url.split('?')[0] ?? '/').replace(/^\/+/, '');
      if (file && !file.includes('..') && existsSync(path.join(root, file)) && path.extname(file)) return reply.sendFile(file);
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    });
  },
  { name: 'web', dependencies: ['security', 'errors'] },
);
