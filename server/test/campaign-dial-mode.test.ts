// How a campaign's calls are dialled (issue 15): preview by default, power or predictive only on a line the
// server dials on (Twilio or the simulated network), lines per caller 1–3. Refusals change nothing, and the
// caller's screen learns the mode when it joins.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { io } from 'socket.io-client';
import type { CampaignView } from '../src/contract/api';
import type { Ack, JoinAnswer } from '../src/contract/realtime';
import { ask, type Client } from './ask';
import { TestContext, errorCode, type TestUser } from './harness';

let t: TestContext;
let url: string;
let org: { id: string };
let organizer: TestUser;
let caller: TestUser;
let cookie: string;
let groupId: string;
const opened: Client[] = [];

beforeAll(async () => {
  t = await TestContext.create();
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  org = await t.newOrg({ name: 'S-föreningen Söder', country: 'SE' });
  organizer = await t.newUser([{ org, role: 'organizer' }]);
  caller = await t.newUser([{ org, role: 'caller' }]);
  cookie = await t.login(organizer);
  const seeded = await t.newOpenCampaign(org, organizer, { people: 3, firstNumber: 1200001 });
  groupId = (await get(seeded)).targetGroupIds[0] as string;
});
afterAll(async () => {
  for (const socket of opened) socket.disconnect();
  await t.close();
});

async function get(campaignId: string): Promise<CampaignView> {
  const response = await t.request('GET', `/api/campaigns/${campaignId}`, { cookie });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<CampaignView>();
}

function create(body: Record<string, unknown>) {
  return t.request('POST', `/api/orgs/${org.id}/campaigns`, { cookie, body: { name: 'Ringkväll', targetGroupIds: [groupId], ...body } });
}

function change(campaignId: string, body: Record<string, unknown>) {
  return t.request('PUT', `/api/campaigns/${campaignId}`, { cookie, body });
}

function expectRefused(response: LightMyRequestResponse, code: string): void {
  expect(response.statusCode, response.body).toBe(400);
  expect(errorCode(response)).toBe(code);
}

async function campaignCount(): Promise<number> {
  return Number((await t.db.selectFrom('campaign').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
}

describe('a new campaign', () => {
  test('dials in preview by default, with 2 lines per caller ready for when it changes', async () => {
    const response = await create({});
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json<CampaignView>()).toMatchObject({ dialing: 'own-phone', dialMode: 'preview', linesPerCaller: 2 });
  });

  test('keeps power or predictive with its lines on the simulated network or Twilio', async () => {
    const power = await create({ dialing: 'simulated', dialMode: 'power', linesPerCaller: 3 });
    expect(power.statusCode, power.body).toBe(201);
    expect(power.json<CampaignView>()).toMatchObject({ dialing: 'simulated', dialMode: 'power', linesPerCaller: 3 });
    const predictive = await create({ dialing: 'twilio', dialMode: 'predictive' });
    expect(predictive.statusCode, predictive.body).toBe(201);
    expect(await get(predictive.json<CampaignView>().id)).toMatchObject({ dialing: 'twilio', dialMode: 'predictive', linesPerCaller: 2 });
  });

  const refusals = [
    { what: 'power on the callers’ own phones', body: { dialMode: 'power' }, code: 'dial_mode_needs_browser_line' },
    { what: 'predictive on the callers’ own phones, said outright', body: { dialing: 'own-phone', dialMode: 'predictive' }, code: 'dial_mode_needs_browser_line' },
    { what: 'no lines per caller', body: { dialing: 'simulated', dialMode: 'power', linesPerCaller: 0 }, code: 'validation' },
    { what: 'four lines per caller', body: { dialing: 'simulated', dialMode: 'power', linesPerCaller: 4 }, code: 'validation' },
    { what: 'half a line', body: { dialing: 'simulated', linesPerCaller: 1.5 }, code: 'validation' },
    { what: 'an unknown mode', body: { dialing: 'simulated', dialMode: 'robocall' }, code: 'validation' },
  ];
  test.each(refusals)('$what answers 400 $code and makes no campaign', async ({ body, code }) => {
    const before = await campaignCount();
    const response = await create(body);
    expectRefused(response, code);
    expect(await campaignCount()).toBe(before);
  });

  test('the refusal of a dialling mode says what to do', async () => {
    const response = await create({ dialMode: 'power' });
    expect(response.json<{ error: { message: string } }>().error.message).toMatch(/browser.*Twilio or the simulated network/);
  });
});

describe('changing it', () => {
  test('mode and lines change alone; the line may not go to own phones while the server dials; refusals change nothing', async () => {
    const campaign = (await create({ dialing: 'simulated' })).json<CampaignView>();
    const power = await change(campaign.id, { dialMode: 'power', linesPerCaller: 1 });
    expect(power.statusCode, power.body).toBe(200);
    const changed = power.json<CampaignView>();
    expect(changed).toMatchObject({ dialing: 'simulated', dialMode: 'power', linesPerCaller: 1 });

    const refused: [Record<string, unknown>, string][] = [
      [{ dialing: 'own-phone' }, 'dial_mode_needs_browser_line'],
      [{ dialing: 'own-phone', dialMode: 'predictive' }, 'dial_mode_needs_browser_line'],
      [{ linesPerCaller: 4 }, 'validation'],
      [{ linesPerCaller: 0 }, 'validation'],
      [{ dialMode: 'fast' }, 'validation'],
    ];
    for (const [body, code] of refused) {
      expectRefused(await change(campaign.id, body), code);
      expect(await get(campaign.id)).toEqual(changed);
    }

    // Back to preview and own phones in one change is fine; then power alone is refused again.
    const back = await change(campaign.id, { dialing: 'own-phone', dialMode: 'preview' });
    expect(back.json<CampaignView>()).toMatchObject({ dialing: 'own-phone', dialMode: 'preview', linesPerCaller: 1 });
    const own = await get(campaign.id);
    expectRefused(await change(campaign.id, { dialMode: 'power' }), 'dial_mode_needs_browser_line');
    expect(await get(campaign.id)).toEqual(own);
  });

  test('is a setting, not a script version: changing it leaves the version as it is', async () => {
    const campaign = (await create({ dialing: 'twilio' })).json<CampaignView>();
    const changed = (await change(campaign.id, { dialMode: 'predictive', linesPerCaller: 3 })).json<CampaignView>();
    expect([changed.version, changed.dialMode, changed.linesPerCaller]).toEqual([campaign.version, 'predictive', 3]);
  });
});

describe("the caller's screen", () => {
  test('learns the mode and the lines per caller when it joins the campaign', async () => {
    const campaignId = await t.newOpenCampaign(org, organizer, { people: 2, firstNumber: 1200101 });
    const response = await change(campaignId, { dialing: 'simulated', dialMode: 'power', linesPerCaller: 3 });
    expect(response.statusCode, response.body).toBe(200);
    const callerCookie = await t.login(caller);
    const socket: Client = io(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: callerCookie, origin: t.origin }, reconnection: false, forceNew: true });
    opened.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const answer: Ack<JoinAnswer> = await ask(socket, 'campaign:join', { campaignId });
    if (!answer.ok) throw new Error(answer.error.code);
    expect(answer.data.campaign).toMatchObject({ dialing: 'simulated', dialMode: 'power', linesPerCaller: 3 });
  });
});
