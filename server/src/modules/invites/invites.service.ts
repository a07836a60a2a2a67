import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import type { AcceptInviteRequest, CreateInviteRequest, CreatedInvite, InvitePreview, InviteStatus, InviteView, Me } from '../../contract/api';
import { AppError, conflict, forbidden, notFound, unauthenticated } from '../../errors';
import { hashToken, newToken } from '../../tokens';
import { createUser, getMe } from '../accounts/accounts.service';
import type { SessionService } from '../accounts/sessions.service';
import { recordAudit } from '../audit/audit.service';
import { countryLanguage } from '../../contract/language';
import { inviteMail } from '../mail/mail.texts';
import type { Mailer } from '../mail/mailer';
import * as organisations from '../organisations/organisations.service';
import * as repository from './invites.repository';

const DAY_MS = 24 * 60 * 60 * 1000;

type InviteRow = Awaited<ReturnType<typeof repository.findInviteByTokenHash>> & object;

function statusOf(invite: Pick<InviteRow, 'revokedAt' | 'expiresAt' | 'uses' | 'maxUses'>, now: Date): InviteStatus {
  if (invite.revokedAt !== null) return 'revoked';
  if (invite.uses >= invite.maxUses) return 'used-up';
  if (invite.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

function toView(row: InviteRow & { createdByName: string | null }, now: Date): InviteView {
  return {
    id: row.id,
    organisationId: row.organisationId,
    role: organisations.isRole(row.role) ? row.role : 'caller',
    status: statusOf(row, now),
    createdAt: row.createdAt.toISOString(),
    createdByName: row.createdByName,
    expiresAt: row.expiresAt.toISOString(),
    maxUses: row.maxUses,
    uses: row.uses,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

export async function listInvites(db: Database, clock: Clock, userId: string, organisationId: string): Promise<InviteView[]> {
  await organisations.authorize(db, userId, organisationId, 'organizer');
  const now = clock.now();
  return (await repository.invitesOf(db, organisationId)).map((row) => toView(row, now));
}

export async function createInvite(
  db: Database,
  clock: Clock,
  publicUrl: URL,
  userId: string,
  organisationId: string,
  request: CreateInviteRequest,
  mailer?: Mailer,
): Promise<CreatedInvite> {
  const created = await db.transaction().execute(async (trx) => {
    const myRole = await organisations.authorize(trx, userId, organisationId, 'organizer');
    if (!organisations.atLeast(myRole, request.role)) throw forbidden(`You cannot invite to a role above your own (${myRole}).`);
    if (request.mail && !mailer?.configured) {
      throw conflict('mail_not_configured', 'This Ringa sends no mail. Copy the link and send it yourself.');
    }
    const { token, hash } = newToken();
    const now = clock.now();
    const { id } = await repository.insertInvite(trx, {
      organisationId,
      role: request.role,
      tokenHash: hash,
      createdBy: userId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + (request.expiresInDays ?? 7) * DAY_MS),
      maxUses: request.maxUses ?? 1,
    });
    await recordAudit(trx, {
      at: now,
      action: 'invite.created',
      organisationId,
      actorUserId: userId,
      details: { role: request.role, maxUses: request.maxUses ?? 1, expiresInDays: request.expiresInDays ?? 7 },
    });
    const row = await repository.findInvite(trx, organisationId, id);
    if (!row) throw new Error('The invite just created was not found');
    return { invite: toView(row, now), url: new URL(`/invite#${token}`, publicUrl).toString() };
  });
  if (!request.mail || !mailer) return created;
  return { ...created, mailed: await mailInvite(db, clock, publicUrl, mailer, userId, created, request.mail) };
}

/** Mails an invitation's link in the language the organizer chose; the audit names the address's domain only. */
async function mailInvite(
  db: Database,
  clock: Clock,
  publicUrl: URL,
  mailer: Mailer,
  userId: string,
  created: CreatedInvite,
  mail: NonNullable<CreateInviteRequest['mail']>,
): Promise<boolean> {
  const { invite } = created;
  const organisation = await organisations.getOrganisation(db, userId, invite.organisationId);
  const language = mail.language ?? countryLanguage(organisation.country);
  const inviter = (await getMe(db, userId)).user.name;
  const sent = await mailer.send(
    inviteMail(mail.to, language, {
      inviter,
      organisation: organisation.path,
      role: invite.role,
      link: created.url,
      expiresAt: new Date(invite.expiresAt),
      timeZone: organisation.timeZone,
      origin: publicUrl.origin,
    }),
  );
  await recordAudit(db, {
    at: clock.now(),
    action: 'invite.mailed',
    organisationId: invite.organisationId,
    actorUserId: userId,
    details: { role: invite.role, language, domain: mail.to.slice(mail.to.lastIndexOf('@') + 1).toLowerCase(), sent },
  });
  return sent;
}

export async function revokeInvite(db: Database, clock: Clock, userId: string, organisationId: string, inviteId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const myRole = await organisations.authorize(trx, userId, organisationId, 'organizer');
    const invite = await repository.findInvite(trx, organisationId, inviteId);
    if (!invite) throw notFound('The invite');
    if (organisations.isRole(invite.role) && !organisations.atLeast(myRole, invite.role)) {
      throw forbidden(`You cannot withdraw an invite to a role above your own (${myRole}).`);
    }
    await repository.revokeInvite(trx, inviteId, clock.now());
    await recordAudit(trx, { at: clock.now(), action: 'invite.revoked', organisationId, actorUserId: userId, details: { role: invite.role } });
  });
}

async function usableInvite(db: Database, clock: Clock, token: string, lock: boolean): Promise<InviteRow> {
  const invite = await repository.findInviteByTokenHash(db, hashToken(token), lock);
  if (!invite) throw new AppError(404, 'invite_not_found', 'This invite link is not valid. Check that you copied all of it.');
  switch (statusOf(invite, clock.now())) {
    case 'active':
      return invite;
    case 'expired':
      throw new AppError(410, 'invite_expired', 'This invite link has expired. Ask the organizer for a new one.');
    case 'used-up':
      throw new AppError(410, 'invite_used_up', 'This invite link has been used as many times as allowed. Ask the organizer for a new one.');
    case 'revoked':
      throw new AppError(410, 'invite_revoked', 'This invite link has been withdrawn. Ask the organizer for a new one.');
  }
}

export async function previewInvite(db: Database, clock: Clock, token: string): Promise<InvitePreview> {
  const invite = await usableInvite(db, clock, token, false);
  const organisation = await organisations.describeOrganisation(db, invite.organisationId);
  return {
    organisationName: organisation.name,
    organisationPath: organisation.path,
    role: organisations.isRole(invite.role) ? invite.role : 'caller',
  };
}

export interface AcceptedInvite {
  me: Me;
  organisationId: string;
  /** Set when the invite created a new account, which is then signed in. */
  session?: { token: string; expiresAt: Date };
}

/** Joins the signed-in user, or creates an account and signs it in; the use is counted in the same transaction. */
export async function acceptInvite(
  db: Database,
  clock: Clock,
  sessions: SessionService,
  currentUserId: string | null,
  request: AcceptInviteRequest,
): Promise<AcceptedInvite> {
  const { userId, organisationId, created } = await db.transaction().execute(async (trx) => {
    const invite = await usableInvite(trx, clock, request.token, true);
    if (!organisations.isRole(invite.role)) throw new Error(`Unknown role on invite: ${invite.role}`);
    let userId = currentUserId;
    let created = false;
    if (userId === null) {
      if (!request.account) throw unauthenticated();
      userId = (await createUser(trx, clock, request.account)).id;
      created = true;
    }
    const current = await organisations.findMembershipRole(trx, userId, invite.organisationId);
    if (current !== undefined && organisations.atLeast(current, invite.role)) {
      throw conflict('already_member', `You are already a member here, as ${current}.`);
    }
    await organisations.addMembership(trx, clock, userId, invite.organisationId, invite.role, userId);
    await repository.countInviteUse(trx, invite.id);
    await recordAudit(trx, {
      at: clock.now(),
      action: 'invite.accepted',
      organisationId: invite.organisationId,
      actorUserId: userId,
      targetUserId: userId,
      details: { role: invite.role, newAccount: created },
    });
    return { userId, organisationId: invite.organisationId, created };
  });
  const session = created ? await sessions.start(userId) : undefined;
  return { me: await getMe(db, userId), organisationId, ...(session ? { session } : {}) };
}
