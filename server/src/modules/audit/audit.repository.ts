import { sql, type Insertable } from 'kysely';
import type { Database } from '../../../../db/database';
import type { AuditEvent } from '../../../../db/schema';

export async function insertAuditEvent(db: Database, event: Insertable<AuditEvent>): Promise<number> {
  const row = await db.insertInto('auditEvent').values(event).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** One more of the same: adds one to the event's `attempts` detail (1 when it had none). */
export async function incrementAuditAttempts(db: Database, id: number): Promise<void> {
  await db
    .updateTable('auditEvent')
    .set({ details: sql`jsonb_set(details, '{attempts}', to_jsonb(coalesce((details->>'attempts')::int, 1) + 1))` })
    .where('id', '=', id)
    .execute();
}

/**
 * Events of an organisation's subtree, plus the events without an organisation (sign-ins) whose
 * target is a member somewhere in that subtree. Newest first.
 */
export function auditEventsOfSubtree(db: Database, organisationId: string, limit: number, before: number | undefined) {
  const subtree = db.selectFrom('organisationClosure').select('descendantId').where('ancestorId', '=', organisationId);
  return db
    .selectFrom('auditEvent')
    .leftJoin('organisation', 'organisation.id', 'auditEvent.organisationId')
    .leftJoin('appUser as actor', 'actor.id', 'auditEvent.actorUserId')
    .leftJoin('appUser as target', 'target.id', 'auditEvent.targetUserId')
    .select([
      'auditEvent.id',
      'auditEvent.at',
      'auditEvent.action',
      'auditEvent.organisationId',
      'organisation.name as organisationName',
      'actor.name as actorName',
      'target.name as targetName',
      'auditEvent.details',
    ])
    .where((eb) =>
      eb.or([
        eb('auditEvent.organisationId', 'in', subtree),
        eb.and([
          eb('auditEvent.organisationId', 'is', null),
          eb(
            'auditEvent.targetUserId',
            'in',
            db.selectFrom('membership').select('membership.userId').where('membership.organisationId', 'in', subtree),
          ),
        ]),
      ]),
    )
    .$if(before !== undefined, (qb) => qb.where('auditEvent.id', '<', before ?? 0))
    .orderBy('auditEvent.id', 'desc')
    .limit(limit)
    .execute();
}

