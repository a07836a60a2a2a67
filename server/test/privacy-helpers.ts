// Helpers of the erasure and retention tests: a campaign with questions from an imported list, calls made
// through the real socket protocol, and the statistics API once every saved call is folded in.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { io } from 'socket.io-client';
import { expect } from 'vitest';
import type { Ack, Assignment, ClientToServerEvents, CompleteAnswer, NextAnswer } from '../src/contract/realtime';
import { changeStatus, createCampaign } from '../src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW } from '../src/modules/campaigns/outcomes';
import { ask, type Client } from './ask';
import type { TestContext, TestUser } from './harness';
import { listImport } from './multipart';

export const QUESTIONS = [
  { id: 'member', kind: 'yes-no' as const, text: 'Vill du bli medlem?', tags: ['recruit' as const] },
  { id: 'why', kind: 'text' as const, text: 'Varför?' },
];

/** Imports `rows` (Förnamn;Efternamn;Mobil;Ort) into the organisation as a list; returns its id. */
export async function importList(t: TestContext, org: { id: string }, organizer: TestUser, name: string, rows: string[]): Promise<string> {
  const cookie = await t.login(organizer);
  const body = listImport({ name }, { field: 'file', filename: 'lista.csv', content: `Förnamn;Efternamn;Mobil;Ort\r\n${rows.join('\r\n')}\r\n` });
  const imported = await t.request('POST', `/api/orgs/${org.id}/lists`, { cookie, body: body.payload, headers: { 'content-type': body.contentType } });
  expect(imported.statusCode, imported.body).toBe(202);
  const listId = imported.json<{ id: string }>().id;
  await t.app.ctx.importer.wait(listId);
  return listId;
}

/** An open campaign with two questions calling the lists, through `dialing`. */
export async function openCampaign(t: TestContext, org: { id: string }, organizer: TestUser, name: string, listIds: string[], dialing: 'own-phone' | 'simulated' = 'own-phone'): Promise<string> {
  const cookie = await t.login(organizer);
  const group = await t.request('POST', `/api/orgs/${org.id}/target-groups`, { cookie, body: { name, listIds, filters: [] } });
  expect(group.statusCode, group.body).toBe(201);
  const campaign = await createCampaign(t.db, t.clock, organizer.id, org.id, {
    name,
    callingWindow: ALWAYS_WINDOW,
    dialing,
    script: 'Hej {first_name}!',
    questions: QUESTIONS,
    targetGroupIds: [group.json<{ id: string }>().id],
  });
  await changeStatus(t.db, t.clock, organizer.id, campaign.id, 'active');
  return campaign.id;
}

/** A socket.io client of the server listening on `url`, signed in with `cookie`; closed by `closeAll`. */
export function connect(t: TestContext, url: string, cookie: string, opened: Client[]): Promise<Client> {
  const socket: Client = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie, origin: t.origin }, reconnection: false, forceNew: true });
  opened.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

export function data<T>(answer: Ack<T>): T {
  if (!answer.ok) throw new Error(`${answer.error.code}: ${answer.error.message}`);
  return answer.data;
}

export const complete = (socket: Client, request: Parameters<ClientToServerEvents['call:complete']>[0]): Promise<Ack<CompleteAnswer>> => ask(socket, 'call:complete', request);

export async function next(socket: Client, campaignId: string): Promise<Assignment | null> {
  return data<NextAnswer>(await ask(socket, 'contact:next', { campaignId })).assignment;
}

/** Calls through the queue (no answer) until the person with this last name is held; returns that assignment. */
export async function claimPerson(socket: Client, campaignId: string, lastName: string): Promise<Assignment> {
  let assignment = await next(socket, campaignId);
  for (let i = 0; i < 20 && assignment && assignment.contact.lastName !== lastName; i++) {
    assignment = data(await complete(socket, { assignmentId: assignment.id, key: randomUUID(), outcome: 'no-answer', answers: {}, next: true })).next ?? null;
  }
  if (!assignment || assignment.contact.lastName !== lastName) throw new Error(`${lastName} was not claimed`);
  return assignment;
}

export async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The answers of GET requests (each with the cookie of someone who may read it), once every saved call has been folded into the figures. */
export async function foldedFigures(t: TestContext, reads: Record<string, { url: string; cookie: string }>): Promise<Record<string, unknown>> {
  await until(async () => Number((await sql<{ n: number }>`select count(*)::int as n from stat_delta`.execute(t.db)).rows[0]?.n) === 0);
  const answers: Record<string, unknown> = {};
  for (const [name, { url, cookie }] of Object.entries(reads)) {
    const response = await t.request('GET', url, { cookie });
    expect(response.statusCode, response.body).toBe(200);
    answers[name] = response.json<unknown>();
  }
  return answers;
}
