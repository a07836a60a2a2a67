// The world of `npm run bench:callers`: an organisation with a list of N people (written straight
// into the tables an import fills, with generate_series: an import is bench:import's business), a
// target group over it and an open campaign made through the services, so that the engine fills its
// own queue; callers with sessions; and the campaign brought to 90 % done through the engine's tables.
import { sql } from 'kysely';
import type { Database } from '../../db/database';
import { systemClock } from '../../server/src/clock';
import { hashPassword } from '../../server/src/modules/accounts/passwords';
import { SessionService } from '../../server/src/modules/accounts/sessions.service';
import { changeStatusAsSystem, createCampaignAsSystem } from '../../server/src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW } from '../../server/src/modules/campaigns/outcomes';
import { insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { createGroupAsSystem } from '../../server/src/modules/target-groups/target-groups.service';

const FIRST_NAMES = ['Anna', 'Erik', 'Maria', 'Lars', 'Karin', 'Anders', 'Eva', 'Johan', 'Sara', 'Mikael', 'Lena', 'Per'];
const LAST_NAMES = ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Gustafsson'];
const MUNICIPALITIES = ['Stockholm', 'Göteborg', 'Malmö', 'Uppsala', 'Västerås', 'Örebro', 'Linköping', 'Umeå', 'Luleå', 'Kiruna'];

export interface World {
  organisationId: string;
  campaignId: string;
  /** Contacts in the campaign's queue after it opened. */
  queued: number;
}

export async function seedCampaign(db: Database, people: number): Promise<World> {
  const organisation = await insertOrganisation(db, systemClock, null, { name: 'Benchmark district', kind: 'district', country: 'SE' }, null);
  const now = new Date();
  const list = await db
    .insertInto('targetList')
    .values({ organisationId: organisation.id, name: 'Medlemmar', country: 'SE', status: 'ready', sourceKind: 'members', legalBasis: 'members', fileName: 'medlemmar.csv', rows: people, imported: people, createdAt: now, finishedAt: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  // Swedish mobiles in E.164 (+46 70 …), as the importer stores them; two attributes, one of them shown to callers.
  await sql`
    insert into person (organisation_id, phone, phone_type, first_name, last_name, attributes, created_at, updated_at)
    select ${organisation.id}::uuid, '+4670' || lpad(g::text, 7, '0'), 'mobile',
      (${FIRST_NAMES}::text[])[1 + g % ${FIRST_NAMES.length}], (${LAST_NAMES}::text[])[1 + (g / 7) % ${LAST_NAMES.length}],
      jsonb_build_object('Kommun', (${MUNICIPALITIES}::text[])[1 + (g / 3) % ${MUNICIPALITIES.length}], 'Medlem sedan', (1990 + g % 35)::text),
      ${now}, ${now}
    from generate_series(1, ${people}::int) g`.execute(db);
  await sql`insert into list_person (list_id, person_id) select ${list.id}::uuid, id from person where organisation_id = ${organisation.id}`.execute(db);

  const group = await createGroupAsSystem(db, systemClock, organisation.id, { name: 'Alla medlemmar', listIds: [list.id], filters: [] });
  const campaign = await createCampaignAsSystem(db, systemClock, organisation.id, {
    name: 'Medlemsringning',
    callingWindow: ALWAYS_WINDOW,
    targetGroupIds: [group.id],
    shownAttributes: ['Kommun', 'Medlem sedan'],
    script: 'Hej, jag heter … och ringer från föreningen.',
    questions: [
      { id: 'volunteer', kind: 'yes-no', text: 'Vill du hjälpa till i valrörelsen?', tags: ['volunteer'] },
      {
        id: 'issue',
        kind: 'single',
        text: 'Vilken fråga är viktigast för dig?',
        choices: [
          { value: 'housing', label: 'Bostäder', tags: [] },
          { value: 'schools', label: 'Skolan', tags: [] },
          { value: 'care', label: 'Vården', tags: [] },
        ],
      },
    ],
  });
  // Opening the campaign fills its queue from the target group, as it does for an organizer.
  await changeStatusAsSystem(db, systemClock, campaign.id, 'active');
  const queued = await db.selectFrom('campaignContact').select((eb) => eb.fn.countAll<number>().as('n')).where('campaignId', '=', campaign.id).executeTakeFirstOrThrow();
  return { organisationId: organisation.id, campaignId: campaign.id, queued: Number(queued.n) };
}

export interface Caller {
  userId: string;
  cookie: string;
}

/**
 * Callers of the organisation, each with a session. The password is hashed once for all of them (a
 * thousand argon2 hashes would take a minute and measure nothing here); sessions are started by the
 * server's own SessionService with the server's secret, as a sign-in would.
 */
export async function seedCallers(db: Database, organisationId: string, count: number, sessionSecret: string): Promise<Caller[]> {
  const passwordHash = await hashPassword('bench callers do not sign in');
  const users = await sql<{ id: string }>`
    insert into app_user (email, name, password_hash, created_at)
    select 'ringare' || g || '@bench.example', 'Ringare ' || g, ${passwordHash}, now() from generate_series(1, ${count}::int) g
    returning id`.execute(db);
  await sql`
    insert into membership (user_id, organisation_id, role, created_at)
    select id, ${organisationId}::uuid, 'caller', now() from unnest(${users.rows.map((user) => user.id)}::uuid[]) as id`.execute(db);
  const sessions = new SessionService(db, systemClock, sessionSecret);
  return Promise.all(
    users.rows.map(async ({ id }) => {
      const { token } = await sessions.start(id);
      return { userId: id, cookie: `ringa_session=${token}` };
    }),
  );
}

/**
 * Brings the campaign to `fraction` done, as weeks of calling would have left it: the never-called
 * contacts first in the claim's order are done (reached and final, or given up after the maximum
 * attempts), each with its calls and, for objections, its entry on the register; a third of those
 * left were tried once or twice and are due again now. Contacts held by callers stay theirs.
 */
export async function drainCampaign(db: Database, campaignId: string, fraction: number, callerIds: string[]): Promise<{ done: number; retries: number; calls: number }> {
  return db.transaction().execute(async (trx) => {
    const { rows: [counts] } = await sql<{ total: number; done: number }>`
      select count(*)::int as total, (count(*) filter (where state = 'done'))::int as done from campaign_contact where campaign_id = ${campaignId}`.execute(trx);
    const toFinish = Math.max(0, Math.round((counts?.total ?? 0) * fraction) - (counts?.done ?? 0));
    // A fixed pseudo-random draw per person (Knuth's multiplicative hash), so that two runs drain alike.
    const draw = sql`((c.person_id * 2654435761) % 1000)`;
    const finished = await sql<{ personId: number }>`
      with picked as (
        select person_id from campaign_contact
        where campaign_id = ${campaignId} and state = 'queued' and priority = 1
        order by due_at, person_id
        limit ${toFinish}
      )
      update campaign_contact c set
        state = 'done',
        last_outcome = case when ${draw} < 350 then 'conversation' when ${draw} < 450 then 'refused' when ${draw} < 500 then 'wrong-number'
                            when ${draw} < 510 then 'do-not-call' when ${draw} < 750 then 'no-answer' when ${draw} < 850 then 'voicemail' else 'busy' end,
        done_reason = case when ${draw} < 350 then 'conversation' when ${draw} < 450 then 'refused' when ${draw} < 500 then 'wrong-number'
                           when ${draw} < 510 then 'do-not-call' else 'max-attempts' end,
        -- Reached people took one to three tries; the unreachable all three.
        attempts = case when ${draw} < 510 then 1 + c.person_id % 3 else 3 end,
        last_call_at = now() - interval '1 hour' - make_interval(mins => (c.person_id % 20000)::int),
        priority = 2
      from picked p where c.campaign_id = ${campaignId} and c.person_id = p.person_id
      returning c.person_id as "personId"`.execute(trx);
    // Numbers that objected went on the register, as a do-not-call outcome puts them.
    await sql`
      insert into do_not_call (organisation_id, phone, reason, source, created_at)
      select organisation_id, phone, '', 'call', last_call_at from campaign_contact
      where campaign_id = ${campaignId} and done_reason = 'do-not-call'
      on conflict do nothing`.execute(trx);
    // A third of those left were tried once or twice, unanswered, and are due for another try now.
    const retried = await sql<{ personId: number }>`
      update campaign_contact c set priority = 2, attempts = 1 + c.person_id % 2, last_outcome = 'no-answer',
        last_call_at = now() - interval '5 hours', due_at = now() - interval '1 hour'
      where c.campaign_id = ${campaignId} and c.state = 'queued' and c.priority = 1 and c.person_id % 3 = 0
      returning c.person_id as "personId"`.execute(trx);
    // Weeks on, the retries the earlier phases booked (4 hours ahead) are due too.
    await sql`
      update campaign_contact set due_at = now() - interval '1 hour'
      where campaign_id = ${campaignId} and state = 'queued' and priority = 2 and due_at > now()`.execute(trx);
    // Every attempt is a call: the last with the contact's outcome, the earlier ones unanswered, 4 hours apart.
    const ids = [...finished.rows, ...retried.rows].map((row) => row.personId);
    const calls = await sql`
      insert into call (campaign_id, organisation_id, person_id, caller_id, version_id, idempotency_key, lease_id, outcome, answers, created_at)
      select c.campaign_id, c.organisation_id, c.person_id, (${callerIds}::uuid[])[1 + (c.person_id + k) % ${callerIds.length}],
        (select max(id) from campaign_version where campaign_id = ${campaignId}),
        'drained-' || c.person_id || '-' || k, gen_random_uuid(),
        case when k = c.attempts then c.last_outcome else 'no-answer' end,
        case when k = c.attempts and c.last_outcome = 'conversation' then '{"volunteer": false, "issue": "care"}'::jsonb else '{}'::jsonb end,
        c.last_call_at - make_interval(hours => 4 * (c.attempts - k))
      from campaign_contact c cross join lateral generate_series(1, c.attempts::int) k
      where c.campaign_id = ${campaignId} and c.person_id = any(${ids}::bigint[])`.execute(trx);
    return { done: finished.rows.length, retries: retried.rows.length, calls: Number(calls.numAffectedRows ?? 0) };
  });
}
