import { sql, type Kysely } from 'kysely';

// Frozen: statistics. Figures are kept incrementally, never counted from the calls on a request:
//
// - every saved call, and every correction of one, writes its change to the figures (+1, or the
//   difference) into stat_delta, by a trigger in the same transaction as the call: nothing saved can
//   be missed and nothing counted that was not saved;
// - the stats roller folds stat_delta into the roll-ups a few times a second and deletes what it
//   folded, in one statement: per campaign, caller and hour (calling evenings, callers' figures), and
//   per organisation, campaign and the organisation's local day (the dashboards; a district sums its
//   subtree through organisation_closure);
// - talk time arrives later than the call (Twilio's status callbacks); the roller adds it once the
//   call is saved, marking the telephony call counted.
//
// `call.reached` records whether the outcome meant someone answered, as the call's version said.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table call add column reached boolean not null default false;
    update call set reached = exists (
      select 1 from campaign_version v, jsonb_array_elements(v.outcomes) o
      where v.id = call.version_id and o ->> 'code' = call.outcome and (o ->> 'reached')::boolean
    );

    create table stat_delta (
      id bigint generated always as identity primary key,
      organisation_id uuid not null references organisation (id) on delete cascade,
      campaign_id uuid not null references campaign (id) on delete cascade,
      caller_id uuid,
      at timestamptz not null,
      dials integer not null default 0,
      reached integer not null default 0,
      conversations integer not null default 0,
      recruits integer not null default 0,
      volunteers integer not null default 0,
      events integer not null default 0,
      supporters integer not null default 0,
      do_not_call integer not null default 0,
      wrong_numbers integer not null default 0,
      talk_seconds integer not null default 0
    );

    create table stat_hour (
      campaign_id uuid not null references campaign (id) on delete cascade,
      -- The caller as they were: kept when their account goes (no reference), a zero id when unknown.
      caller_id uuid not null,
      hour timestamptz not null,
      organisation_id uuid not null references organisation (id) on delete cascade,
      dials integer not null default 0,
      reached integer not null default 0,
      conversations integer not null default 0,
      recruits integer not null default 0,
      volunteers integer not null default 0,
      events integer not null default 0,
      supporters integer not null default 0,
      do_not_call integer not null default 0,
      wrong_numbers integer not null default 0,
      talk_seconds bigint not null default 0,
      primary key (campaign_id, caller_id, hour)
    );
    create index stat_hour_organisation on stat_hour (organisation_id, hour);

    create table stat_day (
      organisation_id uuid not null references organisation (id) on delete cascade,
      campaign_id uuid not null references campaign (id) on delete cascade,
      day date not null,
      dials integer not null default 0,
      reached integer not null default 0,
      conversations integer not null default 0,
      recruits integer not null default 0,
      volunteers integer not null default 0,
      events integer not null default 0,
      supporters integer not null default 0,
      do_not_call integer not null default 0,
      wrong_numbers integer not null default 0,
      talk_seconds bigint not null default 0,
      -- Hours in which a caller made at least one call (for calls per caller-hour).
      caller_hours integer not null default 0,
      primary key (organisation_id, day, campaign_id)
    );
    create index stat_day_campaign on stat_day (campaign_id, day);

    create function call_stat_delta() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into stat_delta (organisation_id, campaign_id, caller_id, at, dials, reached, conversations, recruits,
          volunteers, events, supporters, do_not_call, wrong_numbers)
        values (new.organisation_id, new.campaign_id, new.caller_id, new.created_at, 1, new.reached::int,
          (new.outcome = 'conversation')::int, ('recruit' = any (new.tags))::int, ('volunteer' = any (new.tags))::int,
          ('event' = any (new.tags))::int, ('supporter' = any (new.tags))::int, (new.outcome = 'do-not-call')::int,
          (new.outcome = 'wrong-number')::int);
      elsif (old.outcome, old.reached, old.tags) is distinct from (new.outcome, new.reached, new.tags) then
        insert into stat_delta (organisation_id, campaign_id, caller_id, at, reached, conversations, recruits,
          volunteers, events, supporters, do_not_call, wrong_numbers)
        values (new.organisation_id, new.campaign_id, old.caller_id, old.created_at,
          new.reached::int - old.reached::int,
          (new.outcome = 'conversation')::int - (old.outcome = 'conversation')::int,
          ('recruit' = any (new.tags))::int - ('recruit' = any (old.tags))::int,
          ('volunteer' = any (new.tags))::int - ('volunteer' = any (old.tags))::int,
          ('event' = any (new.tags))::int - ('event' = any (old.tags))::int,
          ('supporter' = any (new.tags))::int - ('supporter' = any (old.tags))::int,
          (new.outcome = 'do-not-call')::int - (old.outcome = 'do-not-call')::int,
          (new.outcome = 'wrong-number')::int - (old.outcome = 'wrong-number')::int);
      end if;
      return null;
    end $$;
    create trigger call_stats after insert or update of outcome, reached, tags on call
      for each row execute function call_stat_delta();

    -- The calls made before this migration, as deltas: the roller folds them in like any other.
    insert into stat_delta (organisation_id, campaign_id, caller_id, at, dials, reached, conversations, recruits,
      volunteers, events, supporters, do_not_call, wrong_numbers)
    select organisation_id, campaign_id, caller_id, created_at, 1, reached::int, (outcome = 'conversation')::int,
      ('recruit' = any (tags))::int, ('volunteer' = any (tags))::int, ('event' = any (tags))::int,
      ('supporter' = any (tags))::int, (outcome = 'do-not-call')::int, (outcome = 'wrong-number')::int
    from call order by created_at;

    alter table telephony_call add column counted boolean not null default false;
    create index telephony_call_uncounted on telephony_call (started_at) where not counted and status_rank = 3;

    -- Goals an organisation sets itself for a period ("400 new members in 2026", "25 active callers by 1 October").
    create table goal (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisation (id) on delete cascade,
      metric text not null check (metric in ('dials', 'reached', 'conversations', 'recruits', 'volunteers', 'events', 'supporters', 'active_callers')),
      target integer not null check (target between 1 and 10000000),
      starts_on date not null,
      ends_on date not null,
      label text not null default '' check (length(label) <= 200),
      created_at timestamptz not null,
      created_by uuid references app_user (id) on delete set null,
      check (ends_on >= starts_on)
    );
    create index goal_organisation on goal (organisation_id, ends_on);
  `.execute(db);
}
