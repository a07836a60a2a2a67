// socket.io with real clients on a real port: only signed-in sockets from the app's own origin get
// in; an organizer who watches an organisation's lists sees each import's progress to its end
// (ready or failed), while callers and other organisations' organizers are refused and see nothing;
// a socket ends the moment its session does (sign-out, a disabled account), and no other does.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ListProgressEvent, ServerToClientEvents } from '../src/contract/realtime';
import { TestContext, errorCode, type TestUser } from './harness';
import { listImport } from './multipart';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const WAIT_MS = 3000;

let t: TestContext;
let url: string;
let district: { id: string };
let orgA: { id: string };
let orgB: { id: string };
const users = {} as Record<'admin' | 'organizerA' | 'callerA' | 'organizerB', TestUser>;
const cookies = {} as Record<keyof typeof users, string>;
const opened: Client[] = [];

beforeAll(async () => {
  t = await TestContext.create();
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  district = await t.newOrg({ name: 'Region Nord', kind: 'district', country: 'SE' });
  orgA = await t.newOrg({ parent: district, name: 'Förening A' });
  orgB = await t.newOrg({ parent: district, name: 'Förening B' });
  users.admin = await t.newUser([{ org: district, role: 'admin' }]);
  users.organizerA = await t.newUser([{ org: orgA, role: 'organizer' }]);
  users.callerA = await t.newUser([{ org: orgA, role: 'caller' }]);
  users.organizerB = await t.newUser([{ org: orgB, role: 'organizer' }]);
  for (const key of Object.keys(users) as (keyof typeof users)[]) cookies[key] = await t.login(users[key]);
});
afterAll(async () => {
  for (const socket of opened) socket.disconnect();
  await t.close();
});

/** A client as the web app opens it (over WebSocket), with the given cookie and Origin header. */
function client(options: { cookie?: string; origin?: string | null } = {}): Client {
  const extraHeaders: Record<string, string> = {};
  if (options.cookie) extraHeaders.cookie = options.cookie;
  if (options.origin !== null) extraHeaders.origin = options.origin ?? t.origin;
  const socket: Client = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders, reconnection: false, forceNew: true, timeout: WAIT_MS });
  opened.push(socket);
  return socket;
}

/** Connects, or answers the connect_error's message. */
function outcome(socket: Client): Promise<{ connected: true } | { connected: false; error: string }> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ connected: true }));
    socket.once('connect_error', (error) => resolve({ connected: false, error: error.message }));
  });
}

async function connected(cookie: string): Promise<Client> {
  const socket = client({ cookie });
  expect(await outcome(socket)).toEqual({ connected: true });
  return socket;
}

function watch(socket: Client, organisationId: string): Promise<Ack<null>> {
  return socket.timeout(WAIT_MS).emitWithAck('lists:watch', { organisationId });
}

/** Every list:progress event a socket receives from now on, and a wait for a list's last one. */
function progressOf(socket: Client) {
  const events: ListProgressEvent[] = [];
  const waiting = new Set<() => void>();
  socket.on('list:progress', (event) => {
    events.push(event);
    for (const wake of waiting) wake();
  });
  /** Resolves when the list's import has been reported finished (ready or failed), even if that came before the call. */
  function end(listId: string): Promise<ListProgressEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const last = events.find((event) => event.listId === listId && (event.phase === 'ready' || event.phase === 'failed'));
        if (!last) return;
        clearTimeout(timer);
        waiting.delete(check);
        resolve(last);
      };
      const timer = setTimeout(() => {
        waiting.delete(check);
        reject(new Error(`no final list:progress event for ${listId}`));
      }, WAIT_MS);
      waiting.add(check);
      check();
    });
  }
  return { events, end };
}

/** Resolves with what happened to a socket the server ends: the session:ended event, then the disconnect's reason. */
function ended(socket: Client): Promise<string[]> {
  const seen: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the socket was not ended (saw: ${seen.join(', ')})`)), WAIT_MS);
    socket.once('session:ended', () => seen.push('session:ended'));
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      seen.push(`disconnect: ${reason}`);
      resolve(seen);
    });
  });
}

async function importList(orgId: string, cookie: string, content: string): Promise<string> {
  const body = listImport({ name: 'Medlemmar' }, { field: 'file', filename: 'medlemmar.csv', content });
  const response = await t.request('POST', `/api/orgs/${orgId}/lists`, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(response.statusCode, response.body).toBe(202);
  return response.json<{ id: string }>().id;
}

describe('who may connect', () => {
  test('a signed-in user from the app’s origin connects', async () => {
    const socket = client({ cookie: cookies.callerA });
    expect(await outcome(socket)).toEqual({ connected: true });
    socket.disconnect();
  });

  test.each([
    ['no session cookie', () => client({})],
    ['a made-up session cookie', () => client({ cookie: 'ringa_session=not-a-session' })],
  ])('%s: refused as unauthenticated', async (_what, open) => {
    expect(await outcome(open())).toEqual({ connected: false, error: 'unauthenticated' });
  });

  test.each([
    ['another site', 'http://evil.example'],
    ['the same host on another scheme', 'https://ringa.test'],
  ] as const)('from %s, even with a valid session: refused before any socket exists', async (_what, origin) => {
    const before = t.app.io.sockets.sockets.size;
    const socket = client({ cookie: cookies.organizerA, origin });
    const result = await outcome(socket);
    expect(result.connected).toBe(false);
    expect(t.app.io.sockets.sockets.size).toBe(before);
  });

  test('without an Origin header (a same-origin polling request from the browser) a signed-in socket connects', async () => {
    const socket = client({ cookie: cookies.organizerA, origin: null });
    expect(await outcome(socket)).toEqual({ connected: true });
    socket.disconnect();
  });
});

describe('following imports', () => {
  let organizer: Client;
  let caller: Client;
  let sibling: Client;

  beforeAll(async () => {
    [organizer, caller, sibling] = await Promise.all([connected(cookies.organizerA), connected(cookies.callerA), connected(cookies.organizerB)]);
  });
  afterAll(() => {
    for (const socket of [organizer, caller, sibling]) socket.disconnect();
  });

  test('an organizer may watch their organisation; a caller may not (forbidden); another association’s organizer finds no organisation', async () => {
    expect(await watch(organizer, orgA.id)).toEqual({ ok: true, data: null });
    const refusedCaller = await watch(caller, orgA.id);
    expect(refusedCaller).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const refusedSibling = await watch(sibling, orgA.id);
    expect(refusedSibling).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await watch(sibling, 'not-an-id')).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });

  test('the watching organizer sees an import read, merge and end ready; the refused sockets see nothing', async () => {
    const seen = { organizer: progressOf(organizer), caller: progressOf(caller), sibling: progressOf(sibling) };
    // 25 000 rows: the importer reports reading every 20 000.
    const rows = Array.from({ length: 25_000 }, (_, i) => `070${String(2_000_000 + i)}\r\n`).join('');
    const listId = await importList(orgA.id, cookies.organizerA, `Mobil\r\n${rows}`);
    await t.app.ctx.importer.wait(listId);
    expect(await seen.organizer.end(listId)).toEqual({ listId, organisationId: orgA.id, phase: 'ready', rowsRead: 25_000, fraction: 1 });

    const mine = seen.organizer.events;
    expect(mine.map((event) => [event.phase, event.rowsRead])).toEqual([
      ['reading', 20_000],
      ['merging', 25_000],
      ['ready', 25_000],
    ]);
    // The file is read ahead of the rows parsed, so the fraction may already be 1.
    expect(mine[0]?.fraction).toBeGreaterThan(0.5);
    expect(mine[0]?.fraction).toBeLessThanOrEqual(1);

    // A round trip on each refused socket: anything sent to it before would have arrived first.
    await watch(caller, orgA.id);
    await watch(sibling, orgA.id);
    expect(seen.caller.events).toEqual([]);
    expect(seen.sibling.events).toEqual([]);
    const list = await t.request('GET', `/api/lists/${listId}`, { cookie: cookies.organizerA });
    expect(list.json()).toMatchObject({ status: 'ready', counts: { imported: 25_000 } });
  });

  test('an import that breaks in the middle of the file ends failed for the watcher', async () => {
    const seen = progressOf(organizer);
    // The first rows read; then a quote opens and never closes.
    const listId = await importList(orgA.id, cookies.organizerA, `Förnamn;Mobil;Ort\r\n${'Olle;0703000001;Umeå\r\n'.repeat(5)}Per;0703000002;"Umeå\r\nEva;0703000003;Luleå\r\n`);
    await t.app.ctx.importer.wait(listId);
    expect(await seen.end(listId)).toMatchObject({ listId, organisationId: orgA.id, phase: 'failed' });
    expect(seen.events.map((event) => event.phase)).toEqual(['failed']);
    const list = await t.request('GET', `/api/lists/${listId}`, { cookie: cookies.organizerA });
    expect(list.json()).toMatchObject({ status: 'failed', error: expect.stringContaining('row 7') as string });
  });

  test('an import in another organisation is not sent to A’s watcher; B’s own organizer, once watching B, sees it', async () => {
    expect(await watch(sibling, orgB.id)).toEqual({ ok: true, data: null });
    const seen = { organizer: progressOf(organizer), sibling: progressOf(sibling) };
    const listId = await importList(orgB.id, cookies.organizerB, 'Mobil\r\n0704000001\r\n');
    expect(await seen.sibling.end(listId)).toMatchObject({ listId, organisationId: orgB.id, phase: 'ready' });
    await watch(organizer, orgA.id);
    expect(seen.organizer.events).toEqual([]);
    expect(seen.sibling.events.map((event) => event.phase)).toEqual(['merging', 'ready']);
  });

  test('rooms are per organisation: the district’s admin watching the district gets none of A’s imports; watching A as well, each event once', async () => {
    const admin = await connected(cookies.admin);
    expect(await watch(admin, district.id)).toEqual({ ok: true, data: null });
    const seen = progressOf(admin);
    const watcher = progressOf(organizer);
    const first = await importList(orgA.id, cookies.admin, 'Mobil\r\n0704000002\r\n');
    await watcher.end(first);
    await watch(admin, district.id);
    expect(seen.events).toEqual([]);

    expect(await watch(admin, orgA.id)).toEqual({ ok: true, data: null });
    const listId = await importList(orgA.id, cookies.admin, 'Mobil\r\n0704000003\r\n');
    await seen.end(listId);
    expect(seen.events.map((event) => [event.listId, event.phase])).toEqual([
      [listId, 'merging'],
      [listId, 'ready'],
    ]);
    admin.disconnect();
  });
});

describe('a socket ends with its session', () => {
  test('signing out ends that session’s socket at once; the same user’s other session stays connected', async () => {
    const user = await t.newUser([{ org: orgA, role: 'organizer' }]);
    const [first, second] = [await t.login(user), await t.login(user)];
    const [a1, a2, b] = [await connected(first), await connected(first), await connected(second)];
    const other = await connected(cookies.organizerA);
    const endings = [ended(a1), ended(a2)];
    let bEnded = false;
    b.on('session:ended', () => (bEnded = true));
    b.on('disconnect', () => (bEnded = true));

    const logout = await t.request('POST', '/api/auth/logout', { cookie: first });
    expect(logout.statusCode).toBe(204);
    expect(await Promise.all(endings)).toEqual([
      ['session:ended', 'disconnect: io server disconnect'],
      ['session:ended', 'disconnect: io server disconnect'],
    ]);

    // The other session's socket still works, and so does another user's.
    expect(await watch(b, orgA.id)).toEqual({ ok: true, data: null });
    expect(await watch(other, orgA.id)).toEqual({ ok: true, data: null });
    expect([b.connected, other.connected, bEnded]).toEqual([true, true, false]);
    // The signed-out cookie no longer connects.
    expect(await outcome(client({ cookie: first }))).toEqual({ connected: false, error: 'unauthenticated' });
    b.disconnect();
    other.disconnect();
  });

  test('disabling an account ends every socket of it; other users stay connected', async () => {
    const victim = await t.newUser([{ org: orgA, role: 'organizer' }]);
    const [first, second] = [await t.login(victim), await t.login(victim)];
    const sockets = [await connected(first), await connected(first), await connected(second)];
    const bystander = await connected(cookies.organizerA);
    const endings = sockets.map(ended);

    const disabled = await t.request('POST', `/api/orgs/${orgA.id}/users/${victim.id}/disable`, { cookie: cookies.admin });
    expect(disabled.statusCode, disabled.body).toBe(204);
    expect(await Promise.all(endings)).toEqual(Array(3).fill(['session:ended', 'disconnect: io server disconnect']));
    expect(await watch(bystander, orgA.id)).toEqual({ ok: true, data: null });
    expect(await outcome(client({ cookie: second }))).toEqual({ connected: false, error: 'unauthenticated' });
    bystander.disconnect();
  });

  test('a refused disable ends nothing', async () => {
    const user = await t.newUser([{ org: orgA, role: 'organizer' }]);
    const socket = await connected(await t.login(user));
    let endedEvents = 0;
    socket.on('session:ended', () => (endedEvents += 1));
    socket.on('disconnect', () => (endedEvents += 1));
    // An organizer may not disable anyone.
    const refused = await t.request('POST', `/api/orgs/${orgA.id}/users/${user.id}/disable`, { cookie: cookies.organizerA });
    expect(refused.statusCode).toBe(403);
    expect(errorCode(refused)).toBe('forbidden');
    expect(await watch(socket, orgA.id)).toEqual({ ok: true, data: null });
    expect([socket.connected, endedEvents]).toEqual([true, 0]);
    socket.disconnect();
  });
});
