import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import type { Country, MemberView, OrganisationView, Role } from '../../contract/api';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import * as repository from './organisations.repository';

const RANK: Record<Role, number> = { caller: 1, organizer: 2, admin: 3 };

export const DEFAULT_TIME_ZONE: Record<Country, string> = {
  SE: 'Europe/Stockholm',
  DK: 'Europe/Copenhagen',
  NO: 'Europe/Oslo',
  FI: 'Europe/Helsinki',
};

export function isRole(value: string): value is Role {
  return value === 'admin' || value === 'organizer' || value === 'caller';
}

export function atLeast(role: Role, minimum: Role): boolean {
  return RANK[role] >= RANK[minimum];
}

function strongest(roles: readonly string[]): Role | undefined {
  let best: Role | undefined;
  for (const role of roles) {
    if (isRole(role) && (best === undefined || RANK[role] > RANK[best])) best = role;
  }
  return best;
}

function asCountry(value: string): Country {
  if (value === 'SE' || value === 'DK' || value === 'NO' || value === 'FI') return value;
  throw new Error(`Unknown country in the database: ${value}`);
}

/** The country an organisation is in: its defaults (calling hours, numbers, notice) follow it. */
export async function organisationCountry(db: Database, organisationId: string): Promise<Country> {
  const row = await repository.findOrganisation(db, organisationId);
  if (!row) throw notFound('The organisation');
  return asCountry(row.country);
}

/** A time zone the runtime knows (IANA name), or a 400 that says so. */
export function resolveTimeZone(country: Country, timeZone: string | undefined): string {
  if (timeZone === undefined) return DEFAULT_TIME_ZONE[country];
  try {
    return new Intl.DateTimeFormat('en', { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw badRequest('invalid_time_zone', `"${timeZone}" is not a time zone. Use a name like Europe/Stockholm.`);
  }
}

/** The user's role on an organisation (directly or through an ancestor); 404 without any, 403 when below `minimum`. */
export async function authorize(db: Database, userId: string, organisationId: string, minimum: Role): Promise<Role> {
  const role = strongest(await repository.rolesOnPath(db, userId, organisationId));
  if (role === undefined) throw notFound('The organisation');
  if (!atLeast(role, minimum)) throw forbidden();
  return role;
}

export async function visibleOrganisations(db: Database, userId: string): Promise<OrganisationView[]> {
  const rows = await repository.visibleOrganisations(db, userId);
  const byId = new Map<string, { row: repository.OrganisationRow; roles: string[] }>();
  for (const { role, ...row } of rows) {
    const entry = byId.get(row.id) ?? { row, roles: [] };
    entry.roles.push(role);
    byId.set(row.id, entry);
  }
  const paths = await repository.pathsOf(db, [...byId.keys()]);
  // Rows carry every role that reaches the node (callers only at their own node), so the strongest is the user's role.
  const views = [...byId.values()].map(({ row, roles }) => toView(row, paths.get(row.id) ?? row.name, strongest(roles) ?? 'caller'));
  return views.sort((a, b) => a.path.localeCompare(b.path, 'sv'));
}

export async function getOrganisation(db: Database, userId: string, organisationId: string): Promise<OrganisationView> {
  const myRole = await authorize(db, userId, organisationId, 'caller');
  // A caller sees the organisations they belong to, not the tree beneath them (as in GET /api/orgs).
  if (myRole === 'caller' && (await findMembershipRole(db, userId, organisationId)) === undefined) throw notFound('The organisation');
  const row = await repository.findOrganisation(db, organisationId);
  if (!row) throw notFound('The organisation');
  const paths = await repository.pathsOf(db, [row.id]);
  return toView(row, paths.get(row.id) ?? row.name, myRole);
}

export interface NewOrganisation {
  name: string;
  kind: string;
  country?: Country | undefined;
  timeZone?: string | undefined;
}

/** Creates an organisation under a parent (or a top one when parentId is null), without authorization: callers check it. */
export async function insertOrganisation(
  db: Database,
  clock: Clock,
  parentId: string | null,
  input: NewOrganisation,
  actorUserId: string | null,
): Promise<repository.OrganisationRow> {
  const name = input.name.trim();
  const kind = input.kind.trim();
  if (!name) throw badRequest('validation', 'The organisation needs a name.');
  if (!kind) throw badRequest('validation', 'The organisation needs a kind, e.g. district or association.');
  const parent = parentId === null ? undefined : await repository.findOrganisation(db, parentId);
  if (parentId !== null && !parent) throw notFound('The parent organisation');
  const country = input.country ?? (parent ? asCountry(parent.country) : undefined);
  if (!country) throw badRequest('validation', 'A top organisation needs a country (SE, DK, NO or FI).');
  const timeZone =
    input.timeZone !== undefined
      ? resolveTimeZone(country, input.timeZone)
      : parent && parent.country === country
        ? parent.timeZone
        : DEFAULT_TIME_ZONE[country];
  if (await repository.findChildByName(db, parentId, name)) {
    throw conflict('organisation_exists', `There is already an organisation called "${name}" here.`);
  }
  const row = await repository.insertOrganisation(db, { parentId, name, kind, country, timeZone });
  await recordAudit(db, {
    at: clock.now(),
    action: 'organisation.created',
    organisationId: row.id,
    actorUserId,
    details: { name, kind },
  });
  return row;
}

export async function createChildOrganisation(
  db: Database,
  clock: Clock,
  userId: string,
  parentId: string,
  input: NewOrganisation,
): Promise<OrganisationView> {
  await authorize(db, userId, parentId, 'admin');
  const row = await db.transaction().execute((trx) => insertOrganisation(trx, clock, parentId, input, userId));
  return getOrganisation(db, userId, row.id);
}

function pathNames(path: string): string[] {
  const names = path.split('/').map((segment) => segment.trim());
  if (names.length === 0 || names.some((name) => name === '')) {
    throw badRequest('validation', `"${path}" is not an organisation path. Write it like "District/Municipality/Association".`);
  }
  return names;
}

/** The organisation at a "Top/Middle/Leaf" path, or a 404 that says so. */
export async function findOrganisationAtPath(db: Database, path: string): Promise<repository.OrganisationRow> {
  let current: repository.OrganisationRow | undefined;
  for (const name of pathNames(path)) {
    current = await repository.findChildByName(db, current?.id ?? null, name);
    if (!current) throw new AppError(404, 'not_found', `No organisation has the path "${path}". See npm run cli -- org:list.`);
  }
  if (!current) throw new Error('unreachable: a path has at least one segment');
  return current;
}

/**
 * Finds or creates each organisation on a "Top/Middle/Leaf" path (each segment the child of the one
 * before). Used by the CLI and the demo; `template` gives kind and country for the ones it creates.
 */
export async function ensureOrganisationPath(
  db: Database,
  clock: Clock,
  path: string,
  template: { country: Country; kinds?: string[] },
): Promise<repository.OrganisationRow> {
  const names = pathNames(path);
  const defaultKinds = ['district', 'municipality', 'association'];
  let parent: repository.OrganisationRow | undefined;
  for (const [depth, name] of names.entries()) {
    const existing = await repository.findChildByName(db, parent?.id ?? null, name);
    parent =
      existing ??
      (await insertOrganisation(
        db,
        clock,
        parent?.id ?? null,
        { name, kind: template.kinds?.[depth] ?? defaultKinds[depth] ?? 'group', country: parent ? undefined : template.country },
        null,
      ));
  }
  if (!parent) throw new Error('unreachable: a path has at least one segment');
  return parent;
}

export async function describeOrganisation(db: Database, organisationId: string): Promise<{ name: string; path: string }> {
  const row = await repository.findOrganisation(db, organisationId);
  if (!row) throw notFound('The organisation');
  return { name: row.name, path: (await repository.pathsOf(db, [row.id])).get(row.id) ?? row.name };
}

/** Every organisation with its path written as the CLI takes it: "District/Municipality/Association". */
export async function listOrganisationsWithPaths(db: Database) {
  const rows = await repository.allOrganisations(db);
  const paths = await repository.pathsOf(db, rows.map((row) => row.id), '/');
  return rows
    .map((row) => ({ id: row.id, name: row.name, kind: row.kind, parentId: row.parentId, path: paths.get(row.id) ?? row.name }))
    .sort((a, b) => a.path.localeCompare(b.path, 'sv'));
}

export async function listMembers(db: Database, userId: string, organisationId: string, subOrganisations = false): Promise<MemberView[]> {
  await authorize(db, userId, organisationId, 'organizer');
  const rows = await repository.membersOf(db, organisationId, subOrganisations);
  return rows.map(toMemberView);
}

/** Organizers and admins manage members up to their own role, never above it, and never their own. */
export async function changeMemberRole(
  db: Database,
  clock: Clock,
  actorUserId: string,
  organisationId: string,
  targetUserId: string,
  role: Role,
): Promise<MemberView> {
  return db.transaction().execute(async (trx) => {
    const actorRole = await authorize(trx, actorUserId, organisationId, 'organizer');
    const current = await assertCanManage(trx, actorUserId, actorRole, organisationId, targetUserId);
    if (!atLeast(actorRole, role)) throw forbidden(`You cannot give a role above your own (${actorRole}).`);
    if (current.role === 'admin' && role !== 'admin') await assertNotLastAdmin(trx, organisationId);
    await repository.updateMembershipRole(trx, targetUserId, organisationId, role);
    await recordAudit(trx, {
      at: clock.now(),
      action: 'membership.role-changed',
      organisationId,
      actorUserId,
      targetUserId,
      details: { from: current.role, to: role },
    });
    const member = (await repository.membersOf(trx, organisationId)).find((row) => row.userId === targetUserId);
    if (!member) throw notFound('The member');
    return toMemberView(member);
  });
}

export async function removeMember(
  db: Database,
  clock: Clock,
  actorUserId: string,
  organisationId: string,
  targetUserId: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const actorRole = await authorize(trx, actorUserId, organisationId, 'organizer');
    const current = await assertCanManage(trx, actorUserId, actorRole, organisationId, targetUserId);
    if (current.role === 'admin') await assertNotLastAdmin(trx, organisationId);
    await repository.deleteMembership(trx, targetUserId, organisationId);
    await recordAudit(trx, {
      at: clock.now(),
      action: 'membership.removed',
      organisationId,
      actorUserId,
      targetUserId,
      details: { role: current.role },
    });
  });
}

async function assertCanManage(db: Database, actorUserId: string, actorRole: Role, organisationId: string, targetUserId: string) {
  if (actorUserId === targetUserId) {
    throw conflict('own_membership', 'You cannot change or remove your own membership. Ask another organizer or admin.');
  }
  const current = await repository.findMembership(db, targetUserId, organisationId);
  if (!current || !isRole(current.role)) throw notFound('The member');
  if (!atLeast(actorRole, current.role)) throw forbidden(`You cannot change a member whose role (${current.role}) is above yours.`);
  return { ...current, role: current.role };
}

/**
 * Whether the actor may act on the account itself (make a link to set its password): they manage its
 * membership here (as for a role change), every membership it has lies in this subtree, and none is
 * above the actor's role. Otherwise an organizer here could take over an account that also opens
 * another organisation, or an admin's.
 */
export async function assertCanManageAccount(db: Database, actorUserId: string, organisationId: string, targetUserId: string): Promise<void> {
  const actorRole = await authorize(db, actorUserId, organisationId, 'organizer');
  await assertCanManage(db, actorUserId, actorRole, organisationId, targetUserId);
  if ((await repository.countMembershipsOutside(db, targetUserId, organisationId)) > 0) {
    throw forbidden('This account also belongs to organisations outside yours. Ask an admin above you.');
  }
  const highest = strongest((await repository.membershipsOfUser(db, targetUserId)).map((row) => row.role));
  if (highest !== undefined && !atLeast(actorRole, highest)) throw forbidden(`This account is ${highest} of an organisation below; only someone with that role or above can do this.`);
}

/** The country of the organisation the user joined first (the language of their mails before they choose one), or null. */
export async function homeCountry(db: Database, userId: string): Promise<Country | null> {
  const [first] = await repository.membershipsOfUser(db, userId);
  const organisation = first ? await repository.findOrganisation(db, first.organisationId) : undefined;
  return organisation ? asCountry(organisation.country) : null;
}

async function assertNotLastAdmin(db: Database, organisationId: string): Promise<void> {
  const organisation = await repository.findOrganisation(db, organisationId);
  if (organisation?.parentId === null && (await repository.countActiveAdmins(db, organisationId)) <= 1) {
    throw conflict('last_admin', 'This is the last admin of the top organisation. Make someone else admin first.');
  }
}

export async function addMembership(
  db: Database,
  clock: Clock,
  userId: string,
  organisationId: string,
  role: Role,
  actorUserId: string | null,
): Promise<void> {
  await repository.upsertMembership(db, userId, organisationId, role, clock.now());
  await recordAudit(db, {
    at: clock.now(),
    action: 'membership.added',
    organisationId,
    actorUserId,
    targetUserId: userId,
    details: { role },
  });
}

export async function membershipsOf(db: Database, userId: string) {
  const rows = await repository.membershipsOfUser(db, userId);
  const paths = await repository.pathsOf(db, rows.map((row) => row.organisationId));
  return rows.flatMap((row) =>
    isRole(row.role)
      ? [{ organisationId: row.organisationId, organisationName: row.name, organisationKind: row.kind, organisationPath: paths.get(row.organisationId) ?? row.name, role: row.role }]
      : [],
  );
}

export async function findMembershipRole(db: Database, userId: string, organisationId: string): Promise<Role | undefined> {
  const row = await repository.findMembership(db, userId, organisationId);
  return row && isRole(row.role) ? row.role : undefined;
}

/**
 * Whether the user is an organizer or admin of the organisation itself, not only of one above it.
 * Individual calls hold answers and notes, which are political opinions (GDPR Art. 9): only the
 * campaign's own organizers see them (flags, exports, a person's calls, welcome names); organisations
 * above see the figures.
 */
export async function isOwnOrganizer(db: Database, userId: string, organisationId: string): Promise<boolean> {
  const own = await findMembershipRole(db, userId, organisationId);
  return own === 'organizer' || own === 'admin';
}

/** How many of the user's memberships lie outside the organisation's subtree. */
export function countMembershipsOutside(db: Database, userId: string, organisationId: string): Promise<number> {
  return repository.countMembershipsOutside(db, userId, organisationId);
}

function toView(row: repository.OrganisationRow, path: string, myRole: Role): OrganisationView {
  return {
    id: row.id,
    parentId: row.parentId,
    name: row.name,
    kind: row.kind,
    country: asCountry(row.country),
    timeZone: row.timeZone,
    path,
    myRole,
  };
}

function toMemberView(row: Awaited<ReturnType<typeof repository.membersOf>>[number]): MemberView {
  return {
    userId: row.userId,
    name: row.name,
    email: row.email,
    role: isRole(row.role) ? row.role : 'caller',
    disabled: row.disabledAt !== null,
    since: row.createdAt.toISOString(),
    organisationId: row.organisationId,
    organisationName: row.organisationName,
  };
}

/** Sets an organisation's own retention months (null: inherit); the caller has checked the ranges and the user's right. */
export function setRetentionMonths(db: Database, organisationId: string, months: { answers: number | null; people: number | null }): Promise<void> {
  return repository.setRetentionMonths(db, organisationId, months);
}

/** Organisations' names, for saying where an inherited setting comes from. */
export async function organisationNames(db: Database, ids: readonly string[]): Promise<Map<string, string>> {
  const rows = await Promise.all([...new Set(ids)].map((id) => repository.findOrganisation(db, id)));
  return new Map(rows.flatMap((row) => (row ? [[row.id, row.name] as const] : [])));
}
