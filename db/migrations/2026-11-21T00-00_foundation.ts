import { sql, type Kysely } from 'kysely';

// Frozen: organisations, accounts, memberships, sessions, invites, the one-time setup link and the audit log.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table organisation (
      id uuid primary key default gen_random_uuid(),
      parent_id uuid references organisation (id) on delete restrict,
      name text not null check (length(btrim(name)) between 1 and 200),
      kind text not null check (length(btrim(kind)) between 1 and 60),
      country text not null check (country in ('SE', 'DK', 'NO', 'FI')),
      time_zone text not null,
      created_at timestamptz not null default now(),
      constraint organisation_sibling_name_unique unique nulls not distinct (parent_id, name)
    );

    -- Rights flow down the tree: one indexed lookup answers "is B in A's subtree?".
    create table organisation_closure (
      ancestor_id uuid not null references organisation (id) on delete cascade,
      descendant_id uuid not null references organisation (id) on delete cascade,
      depth integer not null check (depth >= 0),
      primary key (ancestor_id, descendant_id)
    );
    create index organisation_closure_descendant on organisation_closure (descendant_id, depth);

    create table app_user (
      id uuid primary key default gen_random_uuid(),
      email text not null check (email = lower(btrim(email)) and email like '%_@_%'),
      name text not null check (length(btrim(name)) between 1 and 200),
      password_hash text not null,
      disabled_at timestamptz,
      created_at timestamptz not null default now(),
      constraint app_user_email_unique unique (email)
    );

    create table membership (
      user_id uuid not null references app_user (id) on delete cascade,
      organisation_id uuid not null references organisation (id) on delete cascade,
      role text not null check (role in ('admin', 'organizer', 'caller')),
      created_at timestamptz not null default now(),
      primary key (user_id, organisation_id)
    );
    create index membership_organisation on membership (organisation_id);

    -- Only a keyed hash of the session token is stored; the token lives in the cookie alone.
    create table session (
      id text primary key,
      user_id uuid not null references app_user (id) on delete cascade,
      created_at timestamptz not null,
      last_seen_at timestamptz not null,
      expires_at timestamptz not null
    );
    create index session_by_user on session (user_id);

    create table invite (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references organisation (id) on delete cascade,
      role text not null check (role in ('admin', 'organizer', 'caller')),
      token_hash text not null unique,
      created_by uuid references app_user (id) on delete set null,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      max_uses integer not null check (max_uses between 1 and 10000),
      uses integer not null default 0 check (uses >= 0 and uses <= max_uses),
      revoked_at timestamptz
    );
    create index invite_organisation on invite (organisation_id, created_at desc);

    create table setup_token (
      id uuid primary key default gen_random_uuid(),
      token_hash text not null unique,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      used_at timestamptz
    );

    -- Security events. Details never hold passwords, tokens or answers.
    create table audit_event (
      id bigint generated always as identity primary key,
      at timestamptz not null,
      organisation_id uuid references organisation (id) on delete cascade,
      actor_user_id uuid references app_user (id) on delete set null,
      target_user_id uuid references app_user (id) on delete set null,
      action text not null,
      details jsonb not null default '{}'::jsonb
    );
    create index audit_event_organisation on audit_event (organisation_id, at desc);
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table audit_event, setup_token, invite, session, membership, app_user, organisation_closure, organisation;
  `.execute(db);
}
