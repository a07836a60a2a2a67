import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { registerAjvFormats, TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { noteDatabaseError, type Database } from '../../db/database';
import { systemClock, type Clock } from './clock';
import type { MailSettings, TwilioCredentials } from './config';
import type { AppContext } from './context';
import { accountsRoutes } from './modules/accounts/accounts.routes';
import { LoginService } from './modules/accounts/accounts.service';
import { SessionService } from './modules/accounts/sessions.service';
import { passwordResetRoutes } from './modules/accounts/password-reset.routes';
import { PasswordResets } from './modules/accounts/password-reset.service';
import { Mailer } from './modules/mail/mailer';
import { auditRoutes } from './modules/audit/audit.routes';
import { campaignsRoutes } from './modules/campaigns/campaigns.routes';
import { callingRoutes } from './modules/calling/calling.routes';
import { exportsRoutes } from './modules/exports/exports.routes';
import { invitesRoutes } from './modules/invites/invites.routes';
import { ListImporter } from './modules/lists/lists.import';
import { CallingEngine } from './modules/calling/calling.service';
import { listsRoutes } from './modules/lists/lists.routes';
import { prepareUploadDir } from './modules/lists/uploads';
import { organisationsRoutes } from './modules/organisations/organisations.routes';
import { noticeRoutes } from './modules/privacy/notice.routes';
import { peopleRoutes } from './modules/people/people.routes';
import { privacyRoutes } from './modules/privacy/privacy.routes';
import { PrivacyPurger } from './modules/privacy/retention';
import { targetGroupsRoutes } from './modules/target-groups/target-groups.routes';
import { systemRoutes } from './modules/system/system.routes';
import { statsRoutes } from './modules/stats/stats.routes';
import { StatsService } from './modules/stats/stats.service';
import { recordOfProcessingRoutes } from './modules/privacy/record-of-processing.routes';
import type { Hosting } from './modules/privacy/record-of-processing.service';
import { telephonyRoutes } from './modules/telephony/telephony.routes';
import { DialerService } from './modules/dialer/dialer.service';
import { SimulatedNetwork } from './modules/dialer/network';
import { Pacer } from './modules/dialer/pacing';
import { realScheduler } from './modules/dialer/scheduler';
import { SimulatedDialer } from './modules/dialer/simulated-dialer';
import { TelephonyService, type DialerSeat, type SeatLookup } from './modules/telephony/telephony.service';
import { TwilioDialer } from './modules/dialer/twilio-dialer';
import auth from './plugins/auth';
import errors from './plugins/errors';
import metrics from './plugins/metrics';
import realtime from './plugins/realtime';
import security from './plugins/security';
import textGuard from './plugins/text-guard';
import web from './plugins/web';

export interface AppDeps {
  db: Database;
  publicUrl: URL;
  sessionSecret: string;
  clock?: Clock;
  /** The built web app to serve; without it only the API is served (integration tests). */
  webRoot?: string | undefined;
  logger?: FastifyServerOptions['logger'];
  trustProxy?: FastifyServerOptions['trustProxy'];
  /** The largest list file taken (default 200 MB). */
  importMaxBytes?: number;
  /** Where uploads are kept while they are read (main.ts: DATA_DIR/uploads); without it a folder of the app's own in the system's temporary folder, removed on close (tests). */
  uploadDir?: string;
  /** How often open sockets' sessions are looked at again (default 30 s); tests make it short. */
  socketSessionCheckMs?: number;
  /** Share socket.io broadcasts with other server processes on the same database (PostgreSQL LISTEN/NOTIFY). */
  shareBroadcasts?: boolean;
  /** Key for secrets kept in the database (SECRETS_KEY); without it a random one, good until the app stops (tests). */
  secretsKey?: Buffer;
  /** Twilio from the environment, for organisations without settings of their own. */
  twilio?: TwilioCredentials | undefined;
  /** The bearer token GET /metrics asks for (METRICS_TOKEN); without it /metrics answers 404. */
  metricsToken?: string | undefined;
  /** Who runs this server (HOSTING_OPERATOR) and where its database is; unknown when left out (tests). */
  hosting?: Hosting;
  /** The SMTP server mail goes out through (SMTP_URL, MAIL_FROM); without it Ringa sends no mail. */
  mail?: MailSettings | undefined;
  /** The dialer (power and predictive campaigns). */
  dialer?: {
    /** How many times faster than real time calls run on the simulated network (tests); default 1. */
    simulatedSpeed?: number;
    /** The simulated network's seed (default 1: the same fates every run). */
    simulatedSeed?: number;
  };
  telephony?: {
    /** Country calling codes calls may go to besides the organisation's own (default 46 and 45). */
    countryCodes?: string[];
    /** How long the simulated line rings before it connects (default 1500 ms). */
    simulatedConnectMs?: number;
    /** The dialer's seats: whose each is (a browser call with a seatId joins that seat's conference only for its caller). */
    seatOf?: SeatLookup;
    /** Twilio's REST API at another address (tests: a local fake of it). */
    twilioApiBaseUrl?: string;
  };
}

export type App = FastifyInstance & { ctx: AppContext };

/** The one Fastify app, used by main.ts and by every test. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    logger: deps.logger ?? false,
    // Our own one-line log per request names the route pattern, never the URL with its ids.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    trustProxy: deps.trustProxy ?? false,
    // An address that does not decode (a lone surrogate's bytes, say) is bad input in the one error shape.
    frameworkErrors: (error, _request, reply) => {
      const badUrl = error.code === 'FST_ERR_BAD_URL';
      void (reply as unknown as FastifyReply)
        .status(badUrl ? 400 : (error.statusCode ?? 400))
        .send({ error: badUrl ? { code: 'invalid_payload', message: 'The address contains characters that are not valid text.' } : { code: 'bad_request', message: error.message } });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // TypeBox checks bodies exactly as typed (Ajv's coercion turned ["admin"] into "admin" and true into 1);
  // only params and query strings, which arrive as text, are converted.
  registerAjvFormats();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

  const clock = deps.clock ?? systemClock;
  // What a background task's failure is, never its details (a database error's can hold a person's number);
  // PostgreSQL being away is logged once for the outage, not by every task every time it tries.
  const failed = (what: string) => (error: unknown) => {
    if (!noteDatabaseError(deps.db, error)) app.log.error({ name: error instanceof Error ? error.name : typeof error }, what);
  };
  const uploadDir = deps.uploadDir ?? (await mkdtemp(path.join(os.tmpdir(), 'ringa-uploads-')));
  await prepareUploadDir(uploadDir);
  if (deps.uploadDir === undefined) app.addHook('onClose', () => rm(uploadDir, { recursive: true, force: true }));
  const sessions = new SessionService(deps.db, clock, deps.sessionSecret);
  // Its heartbeat and reaper are started by the calling socket (with the callers connected here) and stopped before the sockets end.
  const calling = new CallingEngine(deps.db, clock, failed('the calling heartbeat failed'));
  // Only the error's code: a mail server's answer can quote the recipient's address.
  const mailer = new Mailer(deps.mail, (reason) => app.log.error({ mail: reason.code }, 'a mail could not be sent'));
  const telephony = new TelephonyService(deps.db, clock, calling, {
    secretsKey: deps.secretsKey ?? randomBytes(32),
    sessionSecret: deps.sessionSecret,
    publicUrl: deps.publicUrl,
    environment: deps.twilio,
    countryCodes: deps.telephony?.countryCodes,
    simulatedConnectMs: deps.telephony?.simulatedConnectMs,
    // A caller's seat, for their browser's line into their conference: the dialer's (a test may give its own).
    seatOf: deps.telephony?.seatOf ?? ((seatId): Promise<DialerSeat | null> => dialer.seatOf(seatId)),
    onSeatLine: (seatId) => dialer.twilioSeats.joined(seatId),
    onError: failed('a simulated call failed'),
  });
  const twilioDialer = new TwilioDialer(deps.db, clock, telephony, { publicUrl: deps.publicUrl, apiBaseUrl: deps.telephony?.twilioApiBaseUrl });
  const dialer = new DialerService(deps.db, clock, calling, {
    processId: calling.processId,
    scheduler: realScheduler,
    pacer: () => new Pacer(),
    provider: (line, sink) =>
      line === 'simulated'
        ? new SimulatedDialer(new SimulatedNetwork(deps.dialer?.simulatedSeed ?? 1), realScheduler, sink, failed('a simulated dialer call failed'), deps.dialer?.simulatedSpeed ?? 1)
        : twilioDialer,
    callBackNumber: async (organisationId) => (await telephony.twilioAccount(organisationId))?.credentials.callerId ?? null,
    onError: failed('the dialer failed'),
  });
  // Twilio's webhooks for the dialer's calls go to the campaign's dialer, whichever it is.
  twilioDialer.attach(dialer.twilioSink, dialer.twilioSeats);
  const ctx: AppContext = {
    db: deps.db,
    clock,
    publicUrl: deps.publicUrl,
    sessions,
    logins: new LoginService(deps.db, clock, sessions, deps.sessionSecret),
    mailer,
    passwordResets: new PasswordResets(deps.db, clock, sessions, mailer, deps.publicUrl, deps.sessionSecret, failed('sending a password link failed')),
    calling,
    telephony,
    twilioDialer,
    importer: new ListImporter(deps.db, clock, deps.importMaxBytes ?? 200 * 1024 * 1024, (failure) => app.log.error({ failure }, 'list import failed')),
    importMaxBytes: deps.importMaxBytes ?? 200 * 1024 * 1024,
    uploadDir,
    hosting: deps.hosting ?? { operator: null, database: null },
    stats: new StatsService(deps.db, clock, failed('folding statistics failed')),
    // Counts only: what a purge deleted is never named in the log.
    dialer,
    purger: new PrivacyPurger({ db: deps.db, clock, calling }, (summary) => app.log.info({ purge: { answers: summary.answers, people: summary.people } }, 'retention purge'), failed('the retention purge failed')),
  };
  // Pacing runs once a second in the process that holds the campaign; it lets go before the database closes.
  ctx.dialer.start();
  app.addHook('preClose', () => ctx.dialer.close());
  // Saved calls reach the figures within a second (a few folds a second; one process folds at a time).
  ctx.stats.start();
  app.addHook('onClose', () => ctx.stats.close());
  // Retention is enforced daily by whichever process gets there first.
  ctx.purger.start();
  app.addHook('onClose', () => ctx.purger.close());
  // Running imports roll back when the app closes; their lists are marked failed.
  app.addHook('onClose', () => ctx.importer.close());
  app.addHook('onClose', async () => ctx.telephony.close());
  app.addHook('onClose', async () => ctx.twilioDialer.close());
  // Mails already promised go out before the connection to the mail server closes.
  app.addHook('onClose', async () => {
    await ctx.passwordResets.settled();
    ctx.mailer.close();
  });

  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { method: request.method, route: request.routeOptions.url ?? '(none)', status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  await app.register(errors, { db: deps.db });
  await app.register(textGuard);
  await app.register(security, { publicUrl: deps.publicUrl });
  await app.register(auth, { sessions, publicUrl: deps.publicUrl });
  await app.register(multipart);
  await app.register(realtime, { ctx, shareBroadcasts: deps.shareBroadcasts ?? false, sessionCheckMs: deps.socketSessionCheckMs });
  await app.register(metrics, { ctx, token: deps.metricsToken });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Ringa API', version: '0.1.0', description: 'Phone banking for member organisations.' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'ringa_session' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  await app.register(
    async (api) => {
      await api.register(systemRoutes(ctx));
      await api.register(accountsRoutes(ctx));
      await api.register(passwordResetRoutes(ctx));
      await api.register(organisationsRoutes(ctx));
      await api.register(invitesRoutes(ctx));
      await api.register(auditRoutes(ctx));
      await api.register(listsRoutes(ctx));
      await api.register(targetGroupsRoutes(ctx));
      await api.register(campaignsRoutes(ctx));
      await api.register(callingRoutes(ctx));
      await api.register(telephonyRoutes(ctx));
      await api.register(exportsRoutes(ctx));
      await api.register(statsRoutes(ctx));
      await api.register(noticeRoutes(ctx));
      await api.register(recordOfProcessingRoutes(ctx));
      await api.register(peopleRoutes(ctx));
      await api.register(privacyRoutes(ctx));
    },
    { prefix: '/api' },
  );

  if (deps.webRoot) await app.register(web, { root: deps.webRoot });

  app.decorate('ctx', ctx);
  return app as unknown as App;
}
