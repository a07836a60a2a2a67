import { sql, type Insertable, type Selectable } from 'kysely';
import type { Database } from '../../../../db/database';
import type { Organisation } from '../../../../db/schema';

export type OrganisationRow = Selectable<Organisation>;

/** Inserts an organisation and its closure rows (itself, and every ancestor of its parent). */
export async function insertOrganisation(db: Database, values: Insertable<Organisation>): Promise<OrganisationRow> {
  const row = await db.insertInto('organisation').values(values).returningAll().executeTakeFirstOrThrow();
  await db.insertInto('organisationClosure').values({ ancestorId: row.id, descendantId: row.id, depth: 0 }).execute();
  if (row.parentId !== null) {
    await db
      .insertInto('organisationClosure')
      .columns(['ancestorId', 'descendantId', 'depth'])
      .expression((eb) =>
        eb
          .selectFrom('organisationClosure')
          .select(['ancestorId', sql<string>`${row.id}::uuid`.as('descendantId'), sql<number>`depth + 1`.as('depth')])
          .where('descendantId', '=', row.parentId),
      )
      .execute();
  }
  return row;
}

export function findOrganisation(db: Database, id: string) {
  return db.selectFrom('organisation').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findChildByName(db: Database, parentId: string | null, name: string) {
  return db
    .selectFrom('organisation')
    .selectAll()
    .where((eb) => (parentId === null ? eb('parentId', 'is', null) : eb('parentId', '=', parentId)))
    .where('name', '=', name)
    .executeTakeFirst();
}

/** The roles a user holds on an organisation and its ancestors. */
export async function rolesOnPath(db: Database, userId: string, organisationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('membership')
    .innerJoin('organisationClosure', 'organisationClosure.ancestorId', 'membership.organisationId')
    .select('membership.role')
    .where('membership.userId', '=', userId)
    .where('organisationClosure.descendantId', '=', organisationId)
    .execute();
  return rows.map((row) => row.role);
}

/** Organisations a user sees, with every role that reaches each: whole subtrees for admins and organizers, the node alone for callers. */
export function visibleOrganisations(db: Database, userId: string) {
  return db
    .selectFrom('membership')
    .innerJoin('organisationClosure', 'organisationClosure.ancestorId', 'membership.organisationId')
    .innerJoin('organisation', 'organisation.id', 'organisationClosure.descendantId')
    .selectAll('organisation')
    .select('membership.role')
    .where('membership.userId', '=', userId)
    .where((eb) => eb.or([eb('membership.role', '<>', 'caller'), eb('organisationClosure.depth', '=', 0)]))
    .execute();
}

/** "Top / Middle / Leaf" for each organisation. */
export async function pathsOf(db: Database, ids: readonly string[], separator = ' / '): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('organisationClosure')
    .innerJoin('organisation', 'organisation.id', 'organisationClosure.ancestorId')
    .select([
      'organisationClosure.descendantId as id',
      sql<string>`string_agg(organisation.name, ${separator} order by organisation_closure.depth desc)`.as('path'),
    ])
    .where('organisationClosure.descendantId', 'in', ids)
    .groupBy('organisationClosure.descendantId')
    .execute();
  return new Map(rows.map((row) => [row.id, row.path]));
}

export function allOrganisations(db: Database) {
  return db.selectFrom('organisation').selectAll().orderBy('createdAt').execute();
}

export function membershipsOfUser(db: Database, userId: string) {
  return db
    .selectFrom('membership')
    .innerJoin('organisation', 'organisation.id', 'membership.organisationId')
    .select(['membership.organisationId', 'membership.role', 'organisation.name', 'organisation.kind'])
    .where('membership.userId', '=', userId)
    .orderBy('membership.createdAt')
    .execute();
}

/** The memberships of an organisation, or of it and every organisation beneath it: its own first, then by name. */
export function membersOf(db: Database, organisationId: string, subOrganisations = false) {
  return db
    .selectFrom('membership')
    .innerJoin('appUser', 'appUser.id', 'membership.userId')
    .innerJoin('organisation', 'organisation.id', 'membership.organisationId')
    .innerJoin('organisationClosure', (join) =>
      join.onRef('organisationClosure.descendantId', '=', 'membership.organisationId').on('organisationClosure.ancestorId', '=', organisationId),
    )
    .select([
      'appUser.id as userId',
      'appUser.name',
      'appUser.email',
      'appUser.disabledAt',
      'membership.role',
      'membership.createdAt',
      'membership.organisationId',
      'organisation.name as organisationName',
    ])
    .$if(!subOrganisations, (query) => query.where('organisationClosure.depth', '=', 0))
    .orderBy('organisationClosure.depth')
    .orderBy('organisation.name')
    .orderBy('appUser.name')
    .execute();
}

export function findMembership(db: Database, userId: string, organisationId: string) {
  return db
    .selectFrom('membership')
    .selectAll()
    .where('userId', '=', userId)
    .where('organisationId', '=', organisationId)
    .executeTakeFirst();
}

export async function upsertMembership(db: Database, userId: string, organisationId: string, role: string, at: Date): Promise<void> {
  await db
    .insertInto('membership')
    .values({ userId, organisationId, role, createdAt: at })
    .onConflict((oc) => oc.columns(['userId', 'organisationId']).doUpdateSet({ role }))
    .execute();
}

export async function updateMembershipRole(db: Database, userId: string, organisationId: string, role: string): Promise<void> {
  await db.updateTable('membership').set({ role }).where('userId', '=', userId).where('organisationId', '=', organisationId).execute();
}

export async function deleteMembership(db: Database, userId: string, organisationId: string): Promise<void> {
  await db.deleteFrom('membership').where('userId', '=', userId).where('organisationId', '=', organisationId).execute();
}

export async function countActiveAdmins(db: Database, organisationId: string): Promise<number> {
  const row = await db
    .selectFrom('membership')
    .innerJoin('appUser', 'appUser.id', 'membership.userId')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('membership.organisationId', '=', organisationId)
    .where('membership.role', '=', 'admin')
    .where('appUser.disabledAt', 'is', null)
    .executeTakeFirstOrThrow();
  return row.count;
}

/** Organisations where the user has memberships that are not inside the given organisation's subtree. */
export async function countMembershipsOutside(db: Database, userId: string, organisationId: string): Promise<number> {
  const row = await db
    .selectFrom('membership')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('membership.userId', '=', userId)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('organisationClosure')
            .select('organisationClosure.depth')
            .whereRef('organisationClosure.descendantId', '=', 'membership.organisationId')
            .where('organisationClosure.ancestorId', '=', organisationId),
        ),
      ),
    )
    .executeTakeFirstOrThrow();
  return row.count;
}

/** An organisation's own retention rules (null inherits from above). */
export async function setRetentionMonths(db: Database, organisationId: string, months: { answers: number | null; people: number | null }): Promise<void> {
  await db.updateTable('organisation').set({ answersRetentionMonths: months.answers, peopleRetentionMonths: months.people }).where('id', '=', organisationId).execute();
}
