// The world of `npm run bench:stats`: a district with 20 municipalities of 9 associations each (201
// organisations), 500 campaigns spread over them and over the year, and N saved calls written straight
// into the call table with generate_series (calling is bench:callers' business), a tenth of them in
// one big campaign of the district for the export. The figures are then folded from those calls by
// the statistics roller's own fold, as saved calls would have been, a large batch at a time.
import { sql } from 'kysely';
import type { Database } from '../../db/database';
import { systemClock } from '../../server/src/clock';
import { ALWAYS_WINDOW, DEFAULT_OUTCOMES } from '../../server/src/modules/campaigns/outcomes';
import { insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { fold } from '../../server/src/modules/stats/stats.repository';

const MUNICIPALITIES = 20;
const ASSOCIATIONS_PER_MUNICIPALITY = 9;
export const CAMPAIGNS = 500;
const QUESTIONS = [
  { id: 'member', kind: 'yes-no' as const, text: 'Vill du bli medlem?', tags: ['recruit' as const] },
  {
    id: 'help',
    kind: 'multiple' as const,
    text: 'Vad kan du tänka dig?',
    choices: [
      { value: 'knock', label: 'Knacka dörr', tags: ['volunteer' as const] },
      { value: 'meeting', label: 'Komma på mötet', tags: ['event' as const] },
    ],
  },
  { id: 'issue', kind: 'text' as const, text: 'Vilken fråga är viktigast?' },
];

export interface StatsWorld {
  districtId: string;
  municipalityId: string;
  associationId: string;
  /** The district's own campaign with a tenth of the calls. */
  bigCampaignId: string;
  calls: number;
}

/** Organisations and campaigns under `districtId` (the district itself is made by the caller). */
export async function seedTree(db: Database, districtId: string): Promise<{ municipalities: string[]; associations: string[]; campaigns: string[] }> {
  const municipalities: string[] = [];
  const associations: string[] = [];
  for (let m = 0; m < MUNICIPALITIES; m++) {
    const municipality = await insertOrganisation(db, systemClock, districtId, { name: `Arbetarekommun ${m + 1}`, kind: 'municipality', country: 'SE' }, null);
    municipalities.push(municipality.id);
    for (let a = 0; a < ASSOCIATIONS_PER_MUNICIPALITY; a++) {
      const association = await insertOrganisation(db, systemClock, municipality.id, { name: `S-förening ${m + 1}.${a + 1}`, kind: 'association', country: 'SE' }, null);
      associations.push(association.id);
    }
  }
  // The district's big campaign first, then the rest over the associations and municipalities.
  const owners = [districtId, ...Array.from({ length: CAMPAIGNS - 1 }, (_, i) => (i % 10 === 9 ? municipalities[i % municipalities.length] : associations[i % associations.length]) as string)];
  // Written straight into the tables (the services want a target group per organisation, which the
  // figures do not need): each campaign with its one version of the questions and the built-in outcomes.
  const now = new Date();
  const rows = await db
    .insertInto('campaign')
    .values(
      owners.map((organisationId, index) => ({
        organisationId,
        name: index === 0 ? 'Distriktets stora ringning' : `Ringkampanj ${index}`,
        callingWindow: JSON.stringify(ALWAYS_WINDOW),
        goals: JSON.stringify([{ metric: 'recruits', target: 50 }]),
        createdAt: now,
        updatedAt: now,
      })),
    )
    .returning('id')
    .execute();
  const campaigns = rows.map((row) => row.id);
  await db
    .insertInto('campaignVersion')
    .values(campaigns.map((campaignId) => ({ campaignId, version: 1, script: 'Hej {first_name}!', questions: JSON.stringify(QUESTIONS), outcomes: JSON.stringify(DEFAULT_OUTCOMES), createdAt: now })))
    .execute();
  await sql`update campaign set status = 'finished' where id = any(${campaigns.slice(1)}::uuid[])`.execute(db);
  await sql`update campaign set status = 'active' where id = ${campaigns[0]}`.execute(db);
  return { municipalities, associations, campaigns };
}

/**
 * `calls` calls over the campaigns (a tenth in the first), by the callers, to the people, on evenings
 * of each campaign's three weeks in 2026 up to `until`; outcomes and answers drawn as a phone bank
 * sees them (about a fifth reached). The trigger that feeds the figures is off while they are written;
 * the deltas are then made from the calls in one statement and folded by the roller's fold.
 */
export async function seedCalls(db: Database, options: { campaigns: string[]; callers: string[]; people: number[]; calls: number; until: Date; log: (line: string) => void }): Promise<void> {
  const { campaigns, callers, people, calls, until } = options;
  const big = Math.floor(calls / 10);
  await sql`alter table call disable trigger call_stats`.execute(db);
  try {
    const chunk = 1_000_000;
    for (let from = 1; from <= calls; from += chunk) {
      const to = Math.min(calls, from + chunk - 1);
      const started = performance.now();
      await sql`
        with k as (
          select c0.ord - 1 as ord, c.id as campaign_id, c.organisation_id, v.id as version_id,
            -- Each campaign runs three weeks, starting somewhere between January and three weeks before today.
            date '2026-01-05' + (((c0.ord - 1) * 37) % greatest(1, ${until}::date - date '2026-01-05' - 21))::int as first_day
          from unnest(${campaigns}::uuid[]) with ordinality as c0(id, ord)
          join campaign c on c.id = c0.id
          join lateral (select id from campaign_version where campaign_id = c.id order by version desc limit 1) v on true
        ),
        g as (
          select g, ((g * 2654435761) % 100)::int as draw,
            case when g <= ${big} then 0 else 1 + (g % (${campaigns.length} - 1)) end as ord
          from generate_series(${from}::bigint, ${to}::bigint) g
        ),
        made as (
          select g.g, k.*, g.draw,
            case when draw < 45 then 'no-answer' when draw < 55 then 'busy' when draw < 62 then 'voicemail' when draw < 65 then 'wrong-number'
              when draw < 85 then 'conversation' when draw < 90 then 'callback' when draw < 98 then 'refused' else 'do-not-call' end as outcome
          from g join k on k.ord = g.ord
        )
        insert into call (campaign_id, organisation_id, person_id, caller_id, version_id, idempotency_key, lease_id, created_at,
          outcome, reached, tags, answers, notes)
        select campaign_id, organisation_id,
          (${people}::bigint[])[(1 + (g * 7919) % ${people.length})::int],
          (${callers}::uuid[])[(1 + (g * 104729) % ${callers.length})::int],
          version_id, 'bench-key-' || g, gen_random_uuid(),
          -- An evening between 17:00 and 20:00 Swedish time on one of the campaign's 21 days.
          ((first_day + (g % 21)::int) + time '16:00' + ((g * 13) % 180)::int * interval '1 minute') at time zone 'UTC',
          outcome, draw >= 65,
          case when outcome = 'conversation' then array_remove(array[case when g % 4 = 0 then 'recruit' end, case when g % 7 = 0 then 'volunteer' end,
            case when g % 9 = 0 then 'event' end], null) else '{}' end,
          case when outcome = 'conversation' then jsonb_build_object('member', g % 4 = 0, 'help', case when g % 7 = 0 then '["knock"]'::jsonb else '[]'::jsonb end)
            else '{}'::jsonb end,
          case when g % 3 = 0 then 'Ring efter 18' else '' end
        from made`.execute(db);
      options.log(`  calls ${to.toLocaleString('en')} of ${calls.toLocaleString('en')} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }
  } finally {
    await sql`alter table call enable trigger call_stats`.execute(db);
  }
  options.log('Making the figures’ deltas from the calls…');
  await sql`
    insert into stat_delta (organisation_id, campaign_id, caller_id, at, dials, reached, conversations, recruits, volunteers, events, supporters, do_not_call, wrong_numbers)
    select organisation_id, campaign_id, caller_id, created_at, 1, reached::int, (outcome = 'conversation')::int, ('recruit' = any (tags))::int,
      ('volunteer' = any (tags))::int, ('event' = any (tags))::int, ('supporter' = any (tags))::int, (outcome = 'do-not-call')::int, (outcome = 'wrong-number')::int
    from call`.execute(db);
  options.log('Folding them as the roller does…');
  const started = performance.now();
  let folded = 0;
  for (;;) {
    const result = await fold(db, 500_000);
    folded += result.folded;
    if (result.folded === 0) break;
  }
  const seconds = (performance.now() - started) / 1000;
  options.log(`  ${folded.toLocaleString('en')} deltas folded in ${seconds.toFixed(1)} s (${Math.round(folded / seconds).toLocaleString('en')} /s)`);
}
