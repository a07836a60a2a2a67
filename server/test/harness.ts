// Test helpers: a database of the test file's own (cloned from the migrated template), the real
// buildApp on it, and seeders that keep tests short. Used by integration and browser tests.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { inject } from 'vitest';
import { createDatabase, freePort, withDatabase, type Database } from '../../db/database';
import { buildApp, type App, type AppDeps } from '../src/app';
import { ManualClock } from '../src/clock';
import type { Country, Me, Role } from '../src/contract/api';
import { createSetupLink, createUser } from '../src/modules/accounts/accounts.service';
import type { ListSourceValue } from '../src/modules/lists/list-source';
import { addMembership, insertOrganisation } from '../src/modules/organisations/organisations.service';
import { changeStatus, createCampaign } from '../src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW } from '../src/modules/campaigns/outcomes';
import { listImport } from './multipart';

/** The source of a list seeded straight through the importer: the party's own member register, on the members' basis (the safe ground). */
export const MEMBER_REGISTER = { kind: 'members', name: null, date: null, basis: 'members' } as const satisfies ListSourceValue;

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PASSWORD = 'correct horse battery';
const SESSION_SECRET = 'x'.repeat(40);

/** A fresh database cloned from the migrated template. */
export async function createTestDatabase(): Promise<{ db: Database; url: string; drop: () => Promise<void> }> {
  const clusterUrl = inject('clusterUrl');
  const name = `ringa_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${inject('templateDatabase')}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(clusterUrl, name);
  const db = createDatabase(url, { max: 5 });
  return {
    db,
    url,
    drop: async () => {
      await db.destroy();
      const client = new pg.Client({ connectionString: clusterUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

export interface TestUser {
  id: string;
  email: string;
  name: string;
}

/** A test file's world: its database, a manual clock, the real app, and seeders. */
export class TestContext {
  private counter = 0;
  readonly publicUrl = new URL('http://ringa.test');
  readonly origin = this.publicUrl.origin;

  private constructor(
    readonly db: Database,
    readonly app: App,
    readonly clock: ManualClock,
    /** The connection string of this file's database, for processes the test starts. */
    readonly databaseUrl: string,
    private readonly dropDatabase: () => Promise<void>,
    /** SECRETS_KEY, the same in every server of the context (each reads the secrets the others saved). */
    private readonly secretsKey: Buffer,
  ) {}

  static async create(
    options: {
      trustProxy?: boolean | string[];
      shareBroadcasts?: boolean;
      telephony?: AppDeps['telephony'];
      dialer?: AppDeps['dialer'];
      socketSessionCheckMs?: number;
      /** An SMTP server to send mail through (server/test/mail-server.ts); without it Ringa sends none. */
      mail?: AppDeps['mail'];
      /** A migrated database of the test's own (another cluster) instead of a clone in the test cluster; it is not dropped. */
      databaseUrl?: string;
      /** The test clock's start (default 2026-10-04 17:00 UTC). */
      now?: Date;
    } = {},
  ): Promise<TestContext> {
    const { databaseUrl, now, ...appOptions } = options;
    const own = databaseUrl ? createDatabase(databaseUrl, { max: 5 }) : undefined;
    const { db, url, drop } = own && databaseUrl ? { db: own, url: databaseUrl, drop: () => own.destroy() } : await createTestDatabase();
    const clock = new ManualClock(now ?? new Date('2026-10-04T17:00:00Z'));
    const secretsKey = randomBytes(32);
    const app = await buildApp({ db, clock, publicUrl: new URL('http://ringa.test'), sessionSecret: SESSION_SECRET, secretsKey, ...appOptions });
    await app.ready();
    return new TestContext(db, app, clock, url, drop, secretsKey);
  }

  private readonly others: { app: App; db: Database }[] = [];

  /**
   * Another server on this file's database, as a second process behind a load balancer would be: its
   * own connection pool, engine, socket.io server and timers; broadcasts meet the first's through
   * PostgreSQL. It shares the test clock and SECRETS_KEY; telephony and dialer as the first's were given
   * (e.g. the same fake Twilio). Listens on a free port; returns its address.
   */
  async anotherServer(options: { telephony?: AppDeps['telephony']; dialer?: AppDeps['dialer'] } = {}): Promise<{ url: string; app: App }> {
    const db = createDatabase(this.databaseUrl, { max: 5 });
    const app = await buildApp({ db, clock: this.clock, publicUrl: this.publicUrl, sessionSecret: SESSION_SECRET, secretsKey: this.secretsKey, shareBroadcasts: true, ...options });
    this.others.push({ app, db });
    return { url: await app.listen({ port: 0, host: '127.0.0.1' }), app };
  }

  /** Stops a server anotherServer() started, as a process that ends would; the database stays. */
  async stopServer(app: App): Promise<void> {
    const index = this.others.findIndex((other) => other.app === app);
    const [other] = index < 0 ? [] : this.others.splice(index, 1);
    if (!other) throw new Error('not a server of this test context');
    await other.app.close();
    await other.db.destroy();
  }

  async close(): Promise<void> {
    for (const other of this.others) {
      await other.app.close();
      await other.db.destroy();
    }
    await this.app.close();
    await this.dropDatabase();
  }

  private unique(prefix: string): string {
    this.counter += 1;
    return `${prefix}-${this.counter}`;
  }

  async newOrg(options: { parent?: { id: string }; name?: string; kind?: string; country?: Country } = {}) {
    return insertOrganisation(
      this.db,
      this.clock,
      options.parent?.id ?? null,
      { name: options.name ?? this.unique('Org'), kind: options.kind ?? 'association', country: options.country ?? (options.parent ? undefined : 'SE') },
      null,
    );
  }

  async newUser(memberships: { org: { id: string }; role: Role }[] = [], options: { email?: string; name?: string } = {}): Promise<TestUser> {
    const email = options.email ?? `${this.unique('user')}@example.org`;
    const user = await createUser(this.db, this.clock, { email, name: options.name ?? this.unique('Person'), password: PASSWORD });
    for (const { org, role } of memberships) await addMembership(this.db, this.clock, user.id, org.id, role, null);
    return { id: user.id, email, name: user.name };
  }

  /** An open campaign of `people` people (numbers from 070-`firstNumber` on), imported through the API, calling at any hour. */
  async newOpenCampaign(org: { id: string }, organizer: TestUser, options: { people: number; firstNumber: number; name?: string }): Promise<string> {
    const name = options.name ?? this.unique('Ringkväll');
    const cookie = await this.login(organizer);
    const rows = Array.from({ length: options.people }, (_, i) => `P${i};070${String(options.firstNumber + i)}`).join('\r\n');
    const body = listImport({ name }, { field: 'file', filename: 'alla.csv', content: `Förnamn;Mobil\r\n${rows}\r\n` });
    const imported = await this.request('POST', `/api/orgs/${org.id}/lists`, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
    await this.app.ctx.importer.wait(imported.json<{ id: string }>().id);
    const group = await this.request('POST', `/api/orgs/${org.id}/target-groups`, { cookie, body: { name, listIds: [imported.json<{ id: string }>().id], filters: [] } });
    const campaign = await createCampaign(this.db, this.clock, organizer.id, org.id, { name, callingWindow: ALWAYS_WINDOW, targetGroupIds: [group.json<{ id: string }>().id] });
    await changeStatus(this.db, this.clock, organizer.id, campaign.id, 'active');
    return campaign.id;
  }

  /** Signs in through the API and returns the session cookie header. */
  async login(user: { email: string }, password = PASSWORD): Promise<string> {
    const response = await this.request('POST', '/api/auth/login', { body: { email: user.email, password } });
    if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
    return sessionCookie(response);
  }

  /** An API request from the web app's origin, optionally with a session cookie. */
  request(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    options: { cookie?: string; body?: unknown; origin?: string | null; headers?: Record<string, string>; remoteAddress?: string } = {},
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.cookie) headers.cookie = options.cookie;
    if (options.origin !== null && method !== 'GET') headers.origin = options.origin ?? this.origin;
    return this.app.inject({
      method,
      url,
      headers,
      // The client's IP address (default 127.0.0.1), for the per-address sign-in limit.
      ...(options.remoteAddress !== undefined ? { remoteAddress: options.remoteAddress } : {}),
      ...(options.body !== undefined ? { payload: options.body as object } : {}),
    });
  }

  async me(cookie: string): Promise<Me> {
    const response = await this.request('GET', '/api/me', { cookie });
    return response.json<Me>();
  }

  /** Row counts of every table, to show that a refused request wrote nothing. */
  async tableCounts(): Promise<Record<string, number>> {
    const tables = ['organisation', 'organisation_closure', 'app_user', 'membership', 'session', 'invite', 'setup_token', 'audit_event', 'goal'];
    // One round trip: refused requests are checked with this before and after, hundreds of times per file.
    const counts = await this.db
      .selectNoFrom((eb) => tables.map((table, i) => eb.selectFrom(table as 'organisation').select(eb.fn.countAll<number>().as('n')).as(`c${i}`)))
      .executeTakeFirstOrThrow();
    return Object.fromEntries(tables.map((table, i) => [table, Number((counts as Record<string, unknown>)[`c${i}`])]));
  }
}

/** `npm run cli -- …` as a real process on the given database: its exit status and output. */
export function runCli(databaseUrl: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['scripts/cli.ts', ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function sessionCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === 'ringa_session');
  if (!cookie) throw new Error('no session cookie in the response');
  return `ringa_session=${cookie.value}`;
}

export function errorCode(response: LightMyRequestResponse): string | undefined {
  try {
    return response.json<{ error?: { code?: string } }>().error?.code;
  } catch {
    return undefined;
  }
}

export interface TestServer {
  url: string;
  app: App;
  db: Database;
  /** A fresh one-time first-run link (as the server prints at start). */
  setupUrl(): Promise<string>;
  close(): Promise<void>;
}

/** The whole app, web included, listening on 127.0.0.1 with a database of its own: for browser tests. */
export async function startTestServer(options: { mail?: AppDeps['mail']; dialer?: AppDeps['dialer'] } = {}): Promise<TestServer> {
  const { db, drop } = await createTestDatabase();
  const port = await freePort();
  const publicUrl = new URL(`http://127.0.0.1:${port}`);
  const app = await buildApp({ db, publicUrl, sessionSecret: 'y'.repeat(40), webRoot: path.join(root, 'web', 'build'), mail: options.mail, dialer: options.dialer });
  await app.listen({ port, host: '127.0.0.1' });
  return {
    url: publicUrl.origin,
    app,
    db,
    setupUrl: () => createSetupLink(db, app.ctx.clock, publicUrl),
    close: async () => {
      await app.close();
      await drop();
    },
  };
}
