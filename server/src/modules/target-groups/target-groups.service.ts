import type { Static } from 'typebox';
import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import { badRequest, notFound } from '../../errors';
import { authorize } from '../organisations/organisations.service';
import * as repository from './target-groups.repository';
import type { Filter, TargetGroupInput, TargetGroupView } from './target-groups.schemas';

type GroupRow = NonNullable<Awaited<ReturnType<typeof repository.findGroup>>>;
type View = Static<typeof TargetGroupView>;

/** Every list must be a ready list of the organisation or beneath it. */
async function checkedLists(db: Database, organisationId: string, listIds: string[]): Promise<string[]> {
  const unique = [...new Set(listIds)];
  const found = await repository.listsWithin(db, organisationId, unique);
  if (found.length !== unique.length) {
    throw badRequest('invalid_lists', 'Every list of a target group must be a finished list of this organisation or one beneath it.');
  }
  return unique;
}

function checkedFilters(filters: Static<typeof Filter>[]): Static<typeof Filter>[] {
  for (const filter of filters) {
    if (filter.op === 'range' && filter.min === undefined && filter.max === undefined) {
      throw badRequest('validation', `The range on "${filter.attribute}" needs a lowest or highest value.`);
    }
    if (filter.op === 'range' && filter.min !== undefined && filter.max !== undefined && filter.min > filter.max) {
      throw badRequest('validation', `The range on "${filter.attribute}" goes from ${filter.min} down to ${filter.max}; swap them.`);
    }
  }
  return filters;
}

async function toView(db: Database, row: GroupRow): Promise<View> {
  const filters = row.filters as Static<typeof Filter>[];
  const { size, doNotCall } = await repository.countGroup(db, row.listIds, filters);
  return {
    id: row.id,
    organisationId: row.organisationId,
    name: row.name,
    listIds: row.listIds,
    filters,
    size,
    doNotCall,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function groupSize(db: Database, userId: string, organisationId: string, listIds: string[], filters: Static<typeof Filter>[]) {
  await authorize(db, userId, organisationId, 'organizer');
  return repository.countGroup(db, await checkedLists(db, organisationId, listIds), checkedFilters(filters));
}

export async function attributesOf(db: Database, userId: string, organisationId: string, listIds: string[]) {
  await authorize(db, userId, organisationId, 'organizer');
  return { attributes: await repository.attributeSummary(db, await checkedLists(db, organisationId, listIds)) };
}

export async function createGroup(db: Database, clock: Clock, userId: string, organisationId: string, input: Static<typeof TargetGroupInput>): Promise<View> {
  await authorize(db, userId, organisationId, 'organizer');
  return insertGroup(db, clock, userId, organisationId, input);
}

/** Creates a target group as the system (the CLI): no user, so no authorization and no creator. */
export function createGroupAsSystem(db: Database, clock: Clock, organisationId: string, input: Static<typeof TargetGroupInput>): Promise<View> {
  return insertGroup(db, clock, null, organisationId, input);
}

async function insertGroup(db: Database, clock: Clock, createdBy: string | null, organisationId: string, input: Static<typeof TargetGroupInput>): Promise<View> {
  const row = await repository.insertGroup(db, {
    organisationId,
    name: input.name.trim(),
    listIds: await checkedLists(db, organisationId, input.listIds),
    filters: JSON.stringify(checkedFilters(input.filters)),
    createdBy,
    createdAt: clock.now(),
    updatedAt: clock.now(),
  });
  return toView(db, row);
}

async function authorizedGroup(db: Database, userId: string, groupId: string): Promise<GroupRow> {
  const row = await repository.findGroup(db, groupId);
  if (!row) throw notFound('The target group');
  await authorize(db, userId, row.organisationId, 'organizer');
  return row;
}

export async function getGroup(db: Database, userId: string, groupId: string): Promise<View> {
  return toView(db, await authorizedGroup(db, userId, groupId));
}

export async function updateGroup(db: Database, clock: Clock, userId: string, groupId: string, input: Static<typeof TargetGroupInput>): Promise<View> {
  const current = await authorizedGroup(db, userId, groupId);
  const row = await repository.updateGroup(db, groupId, {
    name: input.name.trim(),
    listIds: await checkedLists(db, current.organisationId, input.listIds),
    filters: JSON.stringify(checkedFilters(input.filters)),
    updatedAt: clock.now(),
  });
  return toView(db, row);
}

export async function deleteGroup(db: Database, userId: string, groupId: string): Promise<void> {
  await authorizedGroup(db, userId, groupId);
  await repository.deleteGroup(db, groupId);
}

export async function listGroups(db: Database, userId: string, organisationId: string): Promise<View[]> {
  await authorize(db, userId, organisationId, 'organizer');
  return Promise.all((await repository.groupsOf(db, organisationId)).map((row) => toView(db, row)));
}

/** The people of target groups (their lists, narrowed by their filters), as a query of person ids for a campaign's queue. */
export async function membersOfGroups(db: Database, groupIds: string[]) {
  const found = groupIds.length === 0 ? [] : await db.selectFrom('targetGroup').selectAll().where('id', 'in', groupIds).execute();
  return found.map((group) => repository.memberIds(db, group.listIds, group.filters as Static<typeof Filter>[]));
}
