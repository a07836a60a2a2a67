import type { Static } from 'typebox';
import type { Database } from '../../../../db/database';
import type { AuditEventView } from '../../contract/api';
import type { AuditAction, AuditDetails } from './audit.schemas';
import * as repository from './audit.repository';

export interface AuditEntry {
  at: Date;
  action: Static<typeof AuditAction>;
  organisationId?: string | null;
  actorUserId?: string | null;
  targetUserId?: string | null;
  /** Never passwords, tokens, emails of unknown people or answers. */
  details?: Static<typeof AuditDetails>;
}

/** Records a security event; returns its id. */
export async function recordAudit(db: Database, entry: AuditEntry): Promise<number> {
  return repository.insertAuditEvent(db, {
    at: entry.at,
    action: entry.action,
    organisationId: entry.organisationId ?? null,
    actorUserId: entry.actorUserId ?? null,
    targetUserId: entry.targetUserId ?? null,
    details: JSON.stringify(entry.details ?? {}),
  });
}

/** The event happened once more: its `attempts` detail goes up by one, so that a burst is one row. */
export async function countAuditAgain(db: Database, id: number): Promise<void> {
  await repository.incrementAuditAttempts(db, id);
}

export async function listAudit(
  db: Database,
  organisationId: string,
  limit: number,
  before: number | undefined,
): Promise<AuditEventView[]> {
  const rows = await repository.auditEventsOfSubtree(db, organisationId, limit, before);
  return rows.map((row) => ({
    id: row.id,
    at: row.at.toISOString(),
    action: row.action as AuditEventView['action'],
    organisationId: row.organisationId,
    organisationName: row.organisationName,
    actorName: row.actorName,
    targetName: row.targetName,
    details: row.details as AuditEventView['details'],
  }));
}
