import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { unauthenticated } from '../errors';
import { ABSOLUTE_TIMEOUT_MS, SESSION_COOKIE, type SessionService, type SessionUser } from '../modules/accounts/sessions.service';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, or null. */
    session: SessionUser | null;
  }
}

export interface AuthOptions {
  sessions: SessionService;
  publicUrl: URL;
}

/** Resolves the session cookie on every request; routes call requireUser() for the ones that need a user. */
export default fp<AuthOptions>(
  async function auth(app: FastifyInstance, { sessions, publicUrl }) {
    await app.register(cookie);
    const secure = publicUrl.protocol === 'https:';

    app.decorateRequest('session', null);
    app.addHook('onRequest', async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (!token) return;
      request.session = await sessions.resolve(token);
      if (request.session === null) clearSessionCookie(reply);
    });

    app.decorateReply('startSession', function startSession(this: FastifyReply, token: string) {
      this.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure,
        maxAge: Math.floor(ABSOLUTE_TIMEOUT_MS / 1000),
      });
    });
  },
  { name: 'auth', dependencies: ['security'] },
);

declare module 'fastify' {
  interface FastifyReply {
    startSession(token: string): void;
  }
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

export function requireUser(request: FastifyRequest): SessionUser {
  if (request.session === null) throw unauthenticated();
  return request.session;
}
