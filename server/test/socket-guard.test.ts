// What every socket goes through, with real socket.io clients on a real port: a few sockets per
// user (the oldest told why and closed), one rate limit for every event (lists:watch and
// stats:watch included), and a session that is looked at again while its sockets live — expired
// (30 days), idle (8 h) or ended, its sockets end within the check with session:ended, and the
// cookie no longer connects. A socket's own events count as the person being there.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { io } from 'socket.io-client';
import type { ConnectionClosedEvent } from '../src/contract/realtime';
import { ABSOLUTE_TIMEOUT_MS, IDLE_TIMEOUT_MS } from '../src/modules/accounts/sessions.service';
import { SOCKETS_PER_USER } from '../src/plugins/socket-guard';
import { ask, type Client } from './ask';
import { TestContext, type TestUser } from './harness';

/** The sessions of open sockets are looked at this often here (30 s in production). */
const CHECK_MS = 200;
const HOUR = 60 * 60 * 1000;

let t: TestContext;
let url: string;
let org: { id: string };
const opened: Client[] = [];

beforeAll(async () => {
  t = await TestContext.create({ socketSessionCheckMs: CHECK_MS });
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  org = await t.newOrg({ name: 'S-föreningen Centrum', country: 'SE' });
});
afterAll(async () => {
  for (const socket of opened) socket.disconnect();
  await t.close();
});

function client(cookie: string): Client {
  const socket: Client = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie, origin: t.origin }, reconnection: false, forceNew: true });
  opened.push(socket);
  return socket;
}

function connect(socket: Client): Promise<{ connected: true } | { connected: false; error: string }> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ connected: true }));
    socket.once('connect_error', (error) => resolve({ connected: false, error: error.message }));
  });
}

async function connected(cookie: string): Promise<Client> {
  const socket = client(cookie);
  expect(await connect(socket)).toEqual({ connected: true });
  return socket;
}

/** What the server did to a socket: the events it was sent, then the disconnect's reason; null if still open after `ms`. */
function ending(socket: Client, ms: number): Promise<string[] | null> {
  const seen: string[] = [];
  socket.on('session:ended', () => seen.push('session:ended'));
  socket.on('connection:closed', (event: ConnectionClosedEvent) => seen.push(`connection:closed ${event.reason}`));
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve([...seen, `disconnect: ${reason}`]);
    });
  });
}

async function organizer(): Promise<{ user: TestUser; cookie: string }> {
  const user = await t.newUser([{ org, role: 'organizer' }]);
  return { user, cookie: await t.login(user) };
}

describe('sockets per user', () => {
  test(`a user's ${SOCKETS_PER_USER + 3}th socket closes their oldest, which is told why; the newest ${SOCKETS_PER_USER} work; another user is untouched`, async () => {
    const { cookie } = await organizer();
    const bystander = await connected((await organizer()).cookie);
    // One after another: handshakes made at once finish in any order, and "oldest" is the server's order.
    const first: Client[] = [];
    for (let i = 0; i < SOCKETS_PER_USER; i++) first.push(await connected(cookie));
    const endings = first.slice(0, 3).map((socket) => ending(socket, 3000));
    const untouched = first.slice(3).map((socket) => ending(socket, 1000));
    const newer = [];
    for (let i = 0; i < 3; i++) newer.push(await connected(cookie));

    expect(await Promise.all(endings)).toEqual(Array(3).fill(['connection:closed too-many-connections', 'disconnect: io server disconnect']));
    expect(await Promise.all(untouched)).toEqual([null, null]);
    for (const socket of [...first.slice(3), ...newer, bystander]) expect(await ask(socket, 'lists:watch', { organisationId: org.id })).toEqual({ ok: true, data: null });
  });
});

describe('one rate limit for every event', () => {
  test('lists:watch, stats:watch and calling events share it: a burst past 30 is refused rate_limited, and a second later it lets events through again', async () => {
    const socket = await connected((await organizer()).cookie);
    const events = ['lists:watch', 'stats:watch'] as const;
    const codes: string[] = [];
    for (let i = 0; i < 40; i++) {
      const answer = await ask(socket, events[i % 2] ?? 'lists:watch', { organisationId: org.id });
      codes.push(answer.ok ? 'ok' : answer.error.code);
    }
    expect(codes.filter((code) => code === 'ok').length).toBeGreaterThanOrEqual(30);
    expect(codes.filter((code) => code === 'rate_limited').length).toBeGreaterThan(0);
    expect(codes.every((code) => code === 'ok' || code === 'rate_limited')).toBe(true);
    const refusedCalling = await ask(socket, 'campaign:watch', { campaignId: '00000000-0000-4000-8000-000000000000' });
    expect(refusedCalling).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await ask(socket, 'stats:watch', { organisationId: org.id })).toEqual({ ok: true, data: null });
  });

  test('lists:watch and stats:watch check their payload like every event: another shape is invalid_payload', async () => {
    const socket = await connected((await organizer()).cookie);
    for (const event of ['lists:watch', 'stats:watch'] as const) {
      expect(await ask(socket, event, { organisationId: 'not-an-id' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
      expect(await ask(socket, event, { organisationId: org.id, extra: 1 } as never)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    }
  });
});

describe('sockets follow their session', () => {
  test('idle for 8 hours: the socket ends with session:ended within the check, and the cookie no longer connects', async () => {
    const { cookie } = await organizer();
    const socket = await connected(cookie);
    const ended = ending(socket, 5000);
    t.clock.advance(IDLE_TIMEOUT_MS + 60_000);
    expect(await ended).toEqual(['session:ended', 'disconnect: io server disconnect']);
    expect(await connect(client(cookie))).toEqual({ connected: false, error: 'unauthenticated' });
    expect((await t.request('GET', '/api/me', { cookie })).statusCode).toBe(401);
  });

  test('a socket’s own events count as the person being there: active over 10 hours, the session lives; then silent for 8 hours, it ends', async () => {
    const { cookie } = await organizer();
    const socket = await connected(cookie);
    const still = ending(socket, 60_000);
    let ended = false;
    socket.on('disconnect', () => (ended = true));
    for (let hour = 0; hour < 10; hour += 2) {
      t.clock.advance(2 * HOUR);
      expect(await ask(socket, 'stats:watch', { organisationId: org.id })).toEqual({ ok: true, data: null });
      // Let a check pass, which records the activity.
      await new Promise((resolve) => setTimeout(resolve, 2 * CHECK_MS));
    }
    expect(ended).toBe(false);
    expect((await t.request('GET', '/api/me', { cookie })).statusCode).toBe(200);

    // A socket merely open does not keep the session: 8 hours without an event, it ends.
    t.clock.advance(IDLE_TIMEOUT_MS + 60_000);
    expect(await still).toEqual(['session:ended', 'disconnect: io server disconnect']);
  });

  test('30 days after sign-in the session ends however active it was; a fresh session’s socket stays', async () => {
    const { cookie } = await organizer();
    const socket = await connected(cookie);
    // Active until a minute ago (written as the activity would have), 30 days after sign-in.
    t.clock.advance(ABSOLUTE_TIMEOUT_MS + 60_000);
    await t.db.updateTable('session').set({ lastSeenAt: new Date(t.clock.now().getTime() - 60_000) }).execute();
    const ended = ending(socket, 5000);
    expect(await ended).toEqual(['session:ended', 'disconnect: io server disconnect']);
    const fresh = await connected((await organizer()).cookie);
    expect(await ending(fresh, 4 * CHECK_MS)).toBeNull();
  });

  test('a session ended without a broadcast (its row deleted, as another process or an operator would) ends its sockets within the check', async () => {
    const { cookie, user } = await organizer();
    const socket = await connected(cookie);
    const ended = ending(socket, 5000);
    await t.db.deleteFrom('session').where('userId', '=', user.id).execute();
    expect(await ended).toEqual(['session:ended', 'disconnect: io server disconnect']);
  });
});
