import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors';
import { SESSION_COOKIE } from '../modules/accounts/sessions.service';

export interface SecurityOptions {
  publicUrl: URL;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Security headers (CSP without inline scripts, no framing), `no-store` on API answers, and the
 * CSRF rule: a request that changes state must come from PUBLIC_URL's origin.
 */
export default fp<SecurityOptions>(
  async function security(app: FastifyInstance, { publicUrl }) {
    const publicOrigin = publicUrl.origin;

    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
          'font-src': ["'self'"],
          'connect-src': ["'self'"],
          'object-src': ["'none'"],
          'base-uri': ["'self'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
          ...(publicUrl.protocol === 'https:' ? { 'upgrade-insecure-requests': [] } : {}),
        },
      },
      strictTransportSecurity: publicUrl.protocol === 'https:',
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'same-origin' },
      crossOriginEmbedderPolicy: false,
    });

    app.addHook('onRequest', async (request) => {
      if (SAFE_METHODS.has(request.method)) return;
      const origin = request.headers.origin;
      // Browsers send Origin on every cross-site and same-site state-changing fetch; a cookie without one is refused.
      if (origin === undefined) {
        if (request.headers.cookie?.includes(`${SESSION_COOKIE}=`)) {
          throw new AppError(403, 'origin_required', 'This request has no Origin header, so it cannot be trusted. Use the web app.');
        }
        return;
      }
      if (origin !== publicOrigin) {
        throw new AppError(
          403,
          'origin_mismatch',
          `This request came from ${origin}, but Ringa only accepts changes from ${publicOrigin} (PUBLIC_URL). Open Ringa at that address.`,
        );
      }
    });

    app.addHook('onSend', async (request, reply, payload) => {
      if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
      return payload;
    });
  },
  { name: 'security' },
);
