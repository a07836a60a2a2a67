// Text PostgreSQL cannot store — a NUL character, half of a surrogate pair — is bad input wherever
// it comes: every route the app has (enumerated from the app itself, not picked by hand) answers
// 400 invalid_payload naming the field, for the body, the query string and the path; every socket
// event of the contract answers { ok: false, error: { code: 'invalid_payload' } } naming the field;
// and nothing in the database changes. Before, these were 500s (PostgreSQL 22021 and 22P02).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { io } from 'socket.io-client';
import type { Ack, Assignment, ClientToServerEvents } from '../src/contract/realtime';
import { changeStatus, createCampaign } from '../src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW } from '../src/modules/campaigns/outcomes';
import { ask, type Client } from './ask';
import { errorCode, TestContext, type TestUser } from './harness';
import { listImport } from './multipart';

const BAD = [
  ['a NUL character', 'Anna\u0000'],
  ['a lone surrogate', 'Anna\ud800'],
] as const;

let t: TestContext;
let url: string;
let district: { id: string };
let association: { id: string };
let admin: TestUser;
let adminCookie: string;
let callerCookie: string;
let campaignId: string;
const opened: Client[] = [];

beforeAll(async () => {
  t = await TestContext.create();
  // Today's retention purge, which the app's timer runs 10 s after start, is done before anything is
  // compared: it would otherwise write its record in the middle of a "nothing written" check.
  await t.app.ctx.purger.runDue();
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  district = await t.newOrg({ name: 'Region Nord', kind: 'district', country: 'SE' });
  association = await t.newOrg({ parent: district, name: 'S-föreningen Centrum' });
  admin = await t.newUser([{ org: district, role: 'admin' }]);
  adminCookie = await t.login(admin);
  const caller = await t.newUser([{ org: association, role: 'caller' }]);
  callerCookie = await t.login(caller);

  const rows = Array.from({ length: 5 }, (_, i) => `Person;${i};070300000${i}`).join('\r\n');
  const body = listImport({ name: 'Lista' }, { field: 'file', filename: 'lista.csv', content: `Förnamn;Efternamn;Mobil\r\n${rows}\r\n` });
  const list = await t.request('POST', `/api/orgs/${association.id}/lists`, { cookie: adminCookie, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(list.statusCode, list.body).toBe(202);
  const { id: listId } = list.json<{ id: string }>();
  await t.app.ctx.importer.wait(listId);
  const group = await t.request('POST', `/api/orgs/${association.id}/target-groups`, { cookie: adminCookie, body: { name: 'Grupp', listIds: [listId], filters: [] } });
  expect(group.statusCode, group.body).toBe(201);
  const campaign = await createCampaign(t.db, t.clock, admin.id, association.id, {
    name: 'Kampanj',
    callingWindow: ALWAYS_WINDOW,
    script: 'Hej {first_name}!',
    questions: [{ id: 'why', kind: 'text', text: 'Varför?' }],
    targetGroupIds: [group.json<{ id: string }>().id],
  });
  await changeStatus(t.db, t.clock, admin.id, campaign.id, 'active');
  campaignId = campaign.id;
});
afterAll(async () => {
  for (const socket of opened) socket.disconnect();
  await t.close();
});

/** A digest of every table's rows: equal before and after means nothing was written. */
async function snapshot(): Promise<Record<string, string>> {
  await t.app.ctx.stats.flush();
  // Every table but the server processes' own heartbeat, which a timer writes every few seconds whatever the requests do.
  const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'server_process' order by 1`.execute(t.db);
  const digests = await sql<{ name: string; digest: string }>`${sql.join(
    tables.rows.map(({ name }) => sql`select ${name} as name, md5(coalesce(string_agg(x::text, ',' order by x::text), '')) as digest from ${sql.table(name)} x`),
    sql` union all `,
  )}`.execute(t.db);
  return Object.fromEntries(digests.rows.map((row) => [row.name, row.digest]));
}

// --- HTTP --------------------------------------------------------------------------------------

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Operation {
  method: Method;
  path: string;
  pathParams: string[];
  queryParams: string[];
  bodyFields: string[];
}
interface OpenApiSchema {
  type?: string;
  anyOf?: OpenApiSchema[];
  properties?: Record<string, OpenApiSchema>;
}
interface OpenApi {
  paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content: Record<string, { schema: OpenApiSchema }> } }>>;
}

const takesText = (schema: OpenApiSchema): boolean => schema.type === 'string' || (schema.anyOf ?? []).some(takesText);

/** Every route of the app, from its OpenAPI description: the path, its parameters, and the body's text fields. */
function operations(): Operation[] {
  const spec = t.app.swagger() as unknown as OpenApi;
  return Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => {
      const parameters = operation.parameters ?? [];
      const body = operation.requestBody?.content['application/json']?.schema;
      return {
        method: method.toUpperCase() as Method,
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        bodyFields: Object.entries(body?.properties ?? {})
          .filter(([, schema]) => takesText(schema))
          .map(([name]) => name),
      };
    }),
  );
}

/** The routes as Fastify has them (printRoutes' tree, without HEAD, the API docs and /metrics): the description must hold them all. */
function registeredRoutes(): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of t.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+) \(([^)]+)\)/u.exec(line);
    if (!match) continue;
    const [, indent = '', segment = '', methods = ''] = match;
    const depth = indent.length / 4;
    stack.length = depth;
    stack.push(segment);
    const path = stack.join('').replace(/:(\w+)/gu, '{$1}');
    // /metrics is for Prometheus, outside the API's description; it reads a header only.
    for (const method of methods.split(', ')) if (method !== 'HEAD' && !path.startsWith('/api/docs') && path !== '/metrics') routes.push(`${method} ${path}`);
  }
  return routes.sort();
}

function urlOf(operation: Operation, params: Record<string, string> = {}, query = ''): string {
  const path = operation.path.replace(/\{(\w+)\}/gu, (_whole, name: string) => params[name] ?? randomUUID());
  return query ? `${path}?${query}` : path;
}

/** Sends the request as the district's admin and expects 400 invalid_payload naming `field`, with nothing written. */
async function refused(method: Method, target: string, field: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<void> {
  const before = await snapshot();
  const response = await t.request(method, target, { cookie: adminCookie, ...options });
  expect(response.statusCode, `${method} ${target}: ${response.body}`).toBe(400);
  expect(errorCode(response)).toBe('invalid_payload');
  expect(response.json<{ error: { message: string } }>().error.message).toContain(`"${field}"`);
  expect(await snapshot()).toEqual(before);
}

describe('every route', () => {
  test('the routes enumerated are every route the app serves, of every module', () => {
    const described = operations().map((operation) => `${operation.method} ${operation.path}`);
    expect(described.sort()).toEqual(registeredRoutes());
    // Each module's routes are among them: at least the ~60 of today.
    expect(described.length).toBeGreaterThan(60);
  });

  test.each(BAD)('%s in any text field of any JSON body: 400 invalid_payload naming the field, nothing written', async (_what, bad) => {
    let cases = 0;
    for (const operation of operations()) {
      if (operation.method === 'GET') continue;
      // Bodies without a text field of their own (an action, an upload) still go through the same check.
      for (const field of operation.bodyFields.length > 0 ? operation.bodyFields : ['text']) {
        await refused(operation.method, urlOf(operation), `body.${field}`, { body: { [field]: bad } });
        cases += 1;
      }
      // Nested text too: a list of them, and a record of answers.
      await refused(operation.method, urlOf(operation), 'body.items[1].label', { body: { items: [{ label: 'ok' }, { label: bad }] } });
    }
    expect(cases).toBeGreaterThan(50);
  });

  test('a NUL character in any query parameter or path parameter of any route: 400 invalid_payload naming it, nothing written', async () => {
    for (const operation of operations()) {
      for (const name of operation.queryParams.length > 0 ? operation.queryParams : ['q']) {
        await refused(operation.method, urlOf(operation, {}, `${name}=Anna%00`), `query.${name}`, operation.method === 'GET' ? {} : { body: {} });
      }
      for (const name of operation.pathParams) {
        await refused(operation.method, urlOf(operation, { [name]: 'x%00' }), `params.${name}`, operation.method === 'GET' ? {} : { body: {} });
      }
    }
  });

  test('a lone surrogate cannot be written in an address (it has no UTF-8): its bytes answer 400 invalid_payload in the one error shape', async () => {
    const response = await t.request('GET', `/api/orgs/%ED%A0%80`, { cookie: adminCookie });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: { code: 'invalid_payload', message: expect.any(String) as string } });
  });

  // A form's fields travel as UTF-8, which has no lone surrogates (they arrive as U+FFFD, which is storable): NUL only.
  test('a NUL character in a text field of an upload form (list import, preview, do-not-call file): 400 invalid_payload, nothing kept', async () => {
    const bad = 'Anna\u0000';
    for (const path of [`/api/orgs/${association.id}/lists`, `/api/orgs/${association.id}/lists/preview`, `/api/orgs/${association.id}/do-not-call/file`]) {
      const body = listImport({ name: bad }, { field: 'file', filename: 'lista.csv', content: 'Mobil\r\n0703999999\r\n' });
      await refused('POST', path, 'body.name', { body: body.payload, headers: { 'content-type': body.contentType } });
    }
    const body = listImport({ name: 'Lista', mapping: JSON.stringify({ columns: [{ header: bad, field: 'phone' }] }) }, { field: 'file', filename: 'lista.csv', content: 'Mobil\r\n0703999999\r\n' });
    await refused('POST', `/api/orgs/${association.id}/lists`, 'body.mapping.columns[0].header', { body: body.payload, headers: { 'content-type': body.contentType } });
  });

  test('the named fields of the first reports: sign-in email (no sign-in needed), names, a do-not-call reason, the script', async () => {
    for (const [, bad] of BAD) {
      const before = await snapshot();
      const login = await t.request('POST', '/api/auth/login', { body: { email: `kim${bad}@example.org`, password: 'correct horse battery' } });
      expect([login.statusCode, errorCode(login)]).toEqual([400, 'invalid_payload']);
      const child = await t.request('POST', `/api/orgs/${district.id}/children`, { cookie: adminCookie, body: { name: `Förening ${bad}`, kind: 'association' } });
      expect([child.statusCode, errorCode(child)]).toEqual([400, 'invalid_payload']);
      const dnc = await t.request('POST', `/api/orgs/${association.id}/do-not-call`, { cookie: adminCookie, body: { phone: '0703999998', reason: bad } });
      expect([dnc.statusCode, errorCode(dnc)]).toEqual([400, 'invalid_payload']);
      const script = await t.request('PUT', `/api/campaigns/${campaignId}/script`, { cookie: adminCookie, body: { script: `Hej ${bad}`, questions: [], outcomes: [] } });
      expect([script.statusCode, errorCode(script)]).toEqual([400, 'invalid_payload']);
      expect(await snapshot()).toEqual(before);
    }
  });
});

// --- sockets -----------------------------------------------------------------------------------

function client(cookie: string): Promise<Client> {
  const socket: Client = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie, origin: t.origin }, reconnection: false, forceNew: true });
  opened.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

describe('every socket event', () => {
  let caller: Client;
  let assignment: Assignment;
  let lastCallId: string;

  beforeAll(async () => {
    caller = await client(callerCookie);
    expect(await ask(caller, 'campaign:join', { campaignId })).toMatchObject({ ok: true });
    // One call saved (for call:correct), and a person held (for call:complete and contact:release).
    const first = await ask(caller, 'contact:next', { campaignId });
    if (!first.ok || !first.data.assignment) throw new Error('no one to call');
    const saved = await ask(caller, 'call:complete', { assignmentId: first.data.assignment.id, key: randomUUID(), outcome: 'no-answer', answers: {}, next: true });
    if (!saved.ok || !saved.data.next) throw new Error('the first call was not saved');
    lastCallId = saved.data.callId;
    assignment = saved.data.next;
  });

  type Case = { field: string; request: (bad: string) => unknown };
  // Every event of the contract (a missing one fails the typecheck), each of its text fields.
  const cases: Record<keyof ClientToServerEvents, Case[]> = {
    'lists:watch': [{ field: 'organisationId', request: (bad) => ({ organisationId: bad }) }],
    'stats:watch': [{ field: 'organisationId', request: (bad) => ({ organisationId: bad }) }],
    'campaign:watch': [{ field: 'campaignId', request: (bad) => ({ campaignId: bad }) }],
    'campaign:join': [{ field: 'campaignId', request: (bad) => ({ campaignId: bad }) }],
    'contact:next': [{ field: 'campaignId', request: (bad) => ({ campaignId: bad }) }],
    'call:complete': ['key', 'notes', 'noteForNext', 'flag', 'answers.why', 'outcome', 'callbackAt'].map((field) => ({
      field,
      request: (bad: string) => {
        const request: Record<string, unknown> = { assignmentId: assignment.id, key: randomUUID(), outcome: 'conversation', answers: { why: 'Bra' }, notes: 'Trevlig' };
        if (field === 'answers.why') request.answers = { why: bad };
        else request[field] = bad;
        return request;
      },
    })),
    'call:correct': ['notes', 'noteForNext', 'flag', 'answers.why'].map((field) => ({
      field,
      request: (bad: string) => {
        const request: Record<string, unknown> = { callId: lastCallId, outcome: 'conversation', answers: { why: 'Bra' } };
        if (field === 'answers.why') request.answers = { why: bad };
        else request[field] = bad;
        return request;
      },
    })),
    'contact:release': [{ field: 'assignmentId', request: (bad) => ({ assignmentId: bad }) }],
    'contact:skip': [{ field: 'note', request: (bad) => ({ assignmentId: assignment.id, reason: 'other', note: bad }) }],
    // The dialer's events (issue 15): their handlers come with the dialer core.
    'dialer:start': [{ field: 'campaignId', request: (bad) => ({ campaignId: bad }) }],
    'dialer:pause': [{ field: 'campaignId', request: (bad) => ({ campaignId: bad }) }],
    'dialer:hangup': [{ field: 'campaignId', request: (bad) => ({ campaignId: bad }) }],
  };
  const rows = (Object.entries(cases) as [keyof ClientToServerEvents, Case[]][]).flatMap(([event, list]) =>
    list.flatMap(({ field, request }) => BAD.map(([what, bad]) => ({ event, field, what, request: () => request(bad) }))),
  );

  test.each(rows)('$event, $what in $field: invalid_payload naming it, nothing written', async ({ event, field, request }) => {
    // A socket of its own for each row: the refusals are not to meet the rate limit.
    const socket = await client(event === 'lists:watch' || event === 'stats:watch' || event === 'campaign:watch' ? adminCookie : callerCookie);
    const before = await snapshot();
    const answer = (await ask(socket, event, request() as never)) as Ack<unknown>;
    expect(answer).toEqual({ ok: false, error: { code: 'invalid_payload', message: expect.stringContaining(`"${field}"`) as string } });
    expect(await snapshot()).toEqual(before);
    socket.disconnect();
  });

  test('after the refusals the caller still holds the person and saves the call with clean text', async () => {
    const saved = await ask(caller, 'call:complete', { assignmentId: assignment.id, key: randomUUID(), outcome: 'conversation', answers: { why: 'Bra' }, notes: 'Trevlig' });
    expect(saved).toMatchObject({ ok: true });
  });
});
