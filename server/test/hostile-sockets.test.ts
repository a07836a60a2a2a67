// Sockets that never read their answers cannot grow the server without end. The server runs as a
// process of its own (as npm start runs it); 30 callers, each signed in on their own account, speak
// the engine.io/socket.io protocol by hand over raw WebSockets, then stop reading: each asks
// campaign:join (a 49,000-character script in every answer) 10 times a second for a minute, answers
// the server's heartbeat blindly so that it cannot time them out, and connects again whenever it is
// cut. The server's resident memory, read from /proc, grows by less than 100 MB, the sockets are cut,
// and a caller who reads is served all along. Without the outgoing-buffer cap: +774 MB in the minute,
// none cut.
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { startServer, stopServer } from '../../scripts/bench/server-process';
import { changeStatus, createCampaign } from '../src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW } from '../src/modules/campaigns/outcomes';
import { ask, type Client } from './ask';
import { PASSWORD, TestContext, type TestUser } from './harness';
import { listImport } from './multipart';

const ATTACKERS = 30;
const REQUESTS_PER_SECOND = 10;
const ATTACK_MS = 60_000;
const LIMIT_MB = 100;

let t: TestContext;
let server: { child: ChildProcess; url: string };
let dataDir: string;
let campaignId: string;
const callers: TestUser[] = [];

beforeAll(async () => {
  t = await TestContext.create();
  const district = await t.newOrg({ name: 'Region Nord', kind: 'district', country: 'SE' });
  const association = await t.newOrg({ parent: district, name: 'S-föreningen Centrum' });
  const organizer = await t.newUser([{ org: association, role: 'organizer' }]);
  for (let i = 0; i <= ATTACKERS; i++) callers.push(await t.newUser([{ org: association, role: 'caller' }]));
  const cookie = await t.login(organizer);
  const body = listImport({ name: 'Lista' }, { field: 'file', filename: 'lista.csv', content: 'Förnamn;Mobil\r\nAnna;0703000001\r\n' });
  const list = await t.request('POST', `/api/orgs/${association.id}/lists`, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
  const { id: listId } = list.json<{ id: string }>();
  await t.app.ctx.importer.wait(listId);
  const group = await t.request('POST', `/api/orgs/${association.id}/target-groups`, { cookie, body: { name: 'Grupp', listIds: [listId], filters: [] } });
  // The script of the first report: 49,000 characters in every campaign:join answer.
  const campaign = await createCampaign(t.db, t.clock, organizer.id, association.id, {
    name: 'Höstkampanj',
    callingWindow: ALWAYS_WINDOW,
    script: 'Hej {first_name}! Jag ringer från S-föreningen Centrum. '.repeat(875),
    targetGroupIds: [group.json<{ id: string }>().id],
  });
  await changeStatus(t.db, t.clock, organizer.id, campaign.id, 'active');
  campaignId = campaign.id;

  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ringa-hostile-'));
  server = await startServer(t.databaseUrl, randomBytes(32).toString('hex'), dataDir, () => {});
}, 120_000);

afterAll(async () => {
  if (server) await stopServer(server.child);
  await rm(dataDir, { recursive: true, force: true });
  await t.close();
});

function residentMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/mu.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match?.[1]) throw new Error('no VmRSS');
  return Number(match[1]) / 1024;
}

async function signIn(user: TestUser): Promise<string> {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url },
    body: JSON.stringify({ email: user.email, password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  const cookie = response.headers.getSetCookie().find((value) => value.startsWith('ringa_session='));
  if (!cookie) throw new Error('no session cookie');
  return cookie.split(';')[0] ?? '';
}

/**
 * One hostile caller until `until`: connects over a raw WebSocket, completes the socket.io handshake,
 * then stops reading and sends campaign:join 10 times a second, and a heartbeat answer every 20 s
 * without having read the server's. Connects again whenever the connection ends. Answers how many
 * connections it made and how many requests it sent.
 */
async function attacker(cookie: string, until: number): Promise<{ connections: number; sent: number }> {
  const counts = { connections: 0, sent: 0 };
  const wsUrl = `${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`;
  while (Date.now() < until) {
    await new Promise<void>((resolve) => {
      const ws = new WebSocket(wsUrl, { headers: { cookie, origin: server.url } });
      const timers: NodeJS.Timeout[] = [];
      const done = () => {
        for (const timer of timers) clearInterval(timer);
        ws.terminate();
        resolve();
      };
      ws.once('close', done);
      ws.once('error', done);
      timers.push(setTimeout(done, Math.max(0, until - Date.now())));
      ws.on('message', (data: Buffer) => {
        const text = data.toString();
        if (text.startsWith('0')) ws.send('40'); // engine.io open: connect to the namespace
        if (!text.startsWith('40')) return;
        // Connected: from now on nothing is read.
        counts.connections += 1;
        ws.pause();
        let id = 0;
        timers.push(
          setInterval(() => {
            id += 1;
            counts.sent += 1;
            ws.send(`42${id}["campaign:join",{"campaignId":"${campaignId}"}]`);
          }, 1000 / REQUESTS_PER_SECOND),
          setInterval(() => ws.send('3'), 20_000),
        );
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return counts;
}

test(`${ATTACKERS} sockets that never read, ${REQUESTS_PER_SECOND} requests a second each for a minute: the server grows by less than ${LIMIT_MB} MB, cuts them, and serves a caller who reads`, async () => {
  const pid = server.child.pid;
  if (pid === undefined) throw new Error('no server process');
  const cookies = await Promise.all(callers.map(signIn));
  const [readerCookie, ...attackerCookies] = cookies;

  // A caller who reads, before and throughout: joined once, the server warmed up.
  const reader: Client = io(server.url, { transports: ['websocket'], extraHeaders: { cookie: readerCookie ?? '', origin: server.url }, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    reader.once('connect', resolve);
    reader.once('connect_error', reject);
  });
  expect(await ask(reader, 'campaign:join', { campaignId })).toMatchObject({ ok: true });
  const baseline = residentMb(pid);

  const until = Date.now() + ATTACK_MS;
  let peak = baseline;
  const readerAnswers: boolean[] = [];
  const sampler = setInterval(() => {
    peak = Math.max(peak, residentMb(pid));
  }, 250);
  const readerLoop = (async () => {
    while (Date.now() < until) {
      const answer = await ask(reader, 'campaign:join', { campaignId }, 10_000).catch(() => null);
      readerAnswers.push(answer?.ok === true);
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
  })();
  const results = await Promise.all(attackerCookies.map((cookie) => attacker(cookie, until)));
  await readerLoop;
  clearInterval(sampler);
  peak = Math.max(peak, residentMb(pid));
  reader.disconnect();

  const growth = peak - baseline;
  const connections = results.reduce((sum, r) => sum + r.connections, 0);
  const sent = results.reduce((sum, r) => sum + r.sent, 0);
  console.log(JSON.stringify({ baselineMb: Math.round(baseline), peakMb: Math.round(peak), growthMb: Math.round(growth), connections, sent }));
  expect(server.child.exitCode).toBeNull();
  // Every attacker was cut and came back, more than once (each connection after its first is one more
  // cut); between cuts it sent its 10 a second (a cut account's next socket waits 10 s to get in).
  for (const result of results) expect(result.connections).toBeGreaterThanOrEqual(3);
  expect(sent).toBeGreaterThan(ATTACKERS * REQUESTS_PER_SECOND * 10);
  expect(growth).toBeLessThan(LIMIT_MB);
  // The caller who reads was answered every time.
  expect(readerAnswers.length).toBeGreaterThanOrEqual(10);
  expect(readerAnswers.every(Boolean)).toBe(true);
}, 180_000);
