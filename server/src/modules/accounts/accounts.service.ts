import { isLanguage, type Language } from '../../contract/language';
import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import type { AccountInput, Me, SetupRequest } from '../../contract/api';
import { AppError, conflict, forbidden, notFound } from '../../errors';
import { hashToken, newToken } from '../../tokens';
import { recordAudit } from '../audit/audit.service';
import * as organisations from '../organisations/organisations.service';
import * as repository from './accounts.repository';
import { LoginLimiter } from './login-limiter';
import { assertPasswordAcceptable, hashPassword, verifyAgainstNothing, verifyPassword } from './passwords';
import type { SessionService, SessionUser } from './sessions.service';
import { deleteSessionsOfUser } from './sessions.repository';

export const SETUP_LINK_VALID_MS = 24 * 60 * 60 * 1000;
const FIFTEEN_MINUTES = 15 * 60 * 1000;

function isUniqueViolation(error: unknown, constraint: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505' && 'constraint' in error && error.constraint === constraint;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function getMe(db: Database, userId: string): Promise<Me> {
  const user = await repository.findUserById(db, userId);
  if (!user) throw notFound('The user');
  return {
    user: { id: user.id, email: user.email, name: user.name, language: isLanguage(user.language) ? user.language : null },
    memberships: await organisations.membershipsOf(db, userId),
  };
}

/** The person's language, kept on their account so that downloads and mails follow it on every device. */
export async function setLanguage(db: Database, userId: string, language: Language): Promise<Me> {
  await repository.updateUserLanguage(db, userId, language);
  return getMe(db, userId);
}

/** Creates an account after checking the password policy; 409 when the email already has one. */
export async function createUser(db: Database, clock: Clock, input: AccountInput, actorUserId: string | null = null) {
  const email = normaliseEmail(input.email);
  const name = input.name.trim();
  if (!name) throw new AppError(400, 'validation', 'Please give a name.');
  assertPasswordAcceptable(input.password, email);
  return insertAccount(db, clock, email, name, await hashPassword(input.password), actorUserId);
}

/** Accounts that share one password (the demo's): each checked as createUser does, the password hashed once. */
export async function createUsersSharingPassword(db: Database, clock: Clock, users: { email: string; name: string }[], password: string) {
  const passwordHash = await hashPassword(password);
  const created = [];
  for (const user of users) {
    const email = normaliseEmail(user.email);
    const name = user.name.trim();
    if (!name) throw new AppError(400, 'validation', 'Please give a name.');
    assertPasswordAcceptable(password, email);
    created.push(await insertAccount(db, clock, email, name, passwordHash, null));
  }
  return created;
}

async function insertAccount(db: Database, clock: Clock, email: string, name: string, passwordHash: string, actorUserId: string | null) {
  if (await repository.findUserByEmail(db, email)) {
    throw conflict('email_taken', 'This email address already has an account. Sign in with it instead.');
  }
  const user = await repository
    .insertUser(db, { email, name, passwordHash, createdAt: clock.now() })
    .catch((error: unknown) => {
      // Two sign-ups with one email at the same moment: the second meets the unique constraint.
      if (isUniqueViolation(error, 'app_user_email_unique')) throw conflict('email_taken', 'This email address already has an account. Sign in with it instead.');
      throw error;
    });
  await recordAudit(db, { at: clock.now(), action: 'user.created', actorUserId, targetUserId: user.id });
  return user;
}

export interface SignedIn {
  me: Me;
  token: string;
  expiresAt: Date;
}

/**
 * Sign-in with one answer for an unknown email and a wrong password, limited per account (5 failures
 * in 15 minutes) and per IP address (30 failures in 15 minutes), counted in PostgreSQL so that the
 * limits hold across server processes and restarts.
 */
export class LoginService {
  private readonly limiter: LoginLimiter;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly sessions: SessionService,
    /** Keys the hashes under which failures are counted (the session secret). */
    secret: string,
  ) {
    this.limiter = new LoginLimiter(db, clock, secret, {
      account: { maxFailures: 5, windowMs: FIFTEEN_MINUTES },
      address: { maxFailures: 30, windowMs: FIFTEEN_MINUTES },
    });
  }

  async login(emailInput: string, password: string, address: string): Promise<SignedIn> {
    const email = normaliseEmail(emailInput);
    const keys = this.limiter.keys(email, address);
    const block = await this.limiter.blocked(keys);
    const user = await repository.findUserByEmail(this.db, email);
    if (block) {
      await this.limiter.refused(block, user?.id ?? null);
      const minutes = Math.ceil(block.waitMs / 60000);
      throw new AppError(
        429,
        'rate_limited',
        `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
        { 'retry-after': String(Math.ceil(block.waitMs / 1000)) },
      );
    }
    const valid =
      user !== undefined && user.disabledAt === null
        ? await verifyPassword(user.passwordHash, password)
        : await verifyAgainstNothing(password);
    if (!valid || !user) {
      await this.limiter.failed(keys);
      await recordAudit(this.db, { at: this.clock.now(), action: 'auth.login-failed', targetUserId: user?.id ?? null });
      throw new AppError(401, 'invalid_credentials', 'The email or password is wrong.');
    }
    await this.limiter.forgive(keys);
    const session = await this.sessions.start(user.id);
    await recordAudit(this.db, { at: this.clock.now(), action: 'auth.login', actorUserId: user.id, targetUserId: user.id });
    return { me: await getMe(this.db, user.id), ...session };
  }
}

export async function logout(db: Database, clock: Clock, sessions: SessionService, session: SessionUser): Promise<void> {
  await sessions.end(session.sessionId);
  await recordAudit(db, { at: clock.now(), action: 'auth.logout', actorUserId: session.userId, targetUserId: session.userId });
}

export async function setupNeeded(db: Database): Promise<boolean> {
  return !(await repository.anyUserExists(db));
}

/** A new one-time setup link (valid 24 h); earlier unused links stop working. */
export async function createSetupLink(db: Database, clock: Clock, publicUrl: URL): Promise<string> {
  const { token, hash } = newToken();
  const now = clock.now();
  await repository.replaceSetupTokens(db, { tokenHash: hash, createdAt: now, expiresAt: new Date(now.getTime() + SETUP_LINK_VALID_MS) });
  return new URL(`/setup#${token}`, publicUrl).toString();
}

/** First run: names the top organisation and creates its first admin, all or nothing. */
export async function completeSetup(
  db: Database,
  clock: Clock,
  sessions: SessionService,
  request: SetupRequest,
): Promise<SignedIn> {
  const userId = await db.transaction().execute(async (trx) => {
    const token = await repository.findSetupTokenForUpdate(trx, hashToken(request.token));
    if (!token || token.usedAt !== null || token.expiresAt.getTime() <= clock.now().getTime()) {
      if (await repository.anyUserExists(trx)) throw conflict('setup_done', 'Ringa is already set up. Sign in instead.');
      throw new AppError(403, 'setup_token_invalid', 'This setup link is not valid or has expired. Restart the server for a new one.');
    }
    if (await repository.anyUserExists(trx)) throw conflict('setup_done', 'Ringa is already set up. Sign in instead.');
    const user = await createUser(trx, clock, request.user);
    const organisation = await organisations.insertOrganisation(trx, clock, null, request.organisation, user.id);
    await organisations.addMembership(trx, clock, user.id, organisation.id, 'admin', user.id);
    await repository.markSetupTokenUsed(trx, token.id, clock.now());
    await recordAudit(trx, { at: clock.now(), action: 'setup.completed', organisationId: organisation.id, actorUserId: user.id });
    return user.id;
  });
  const session = await sessions.start(userId);
  return { me: await getMe(db, userId), ...session };
}

/** An admin of an organisation disables an account whose memberships all lie within it; its sessions end at once. */
export async function disableUser(
  db: Database,
  clock: Clock,
  actorUserId: string | null,
  organisationId: string | null,
  targetUserId: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (actorUserId !== null && organisationId !== null) {
      await organisations.authorize(trx, actorUserId, organisationId, 'admin');
      if (actorUserId === targetUserId) throw conflict('own_account', 'You cannot disable your own account.');
      const memberships = (await organisations.membershipsOf(trx, targetUserId)).length;
      const outside = await organisations.countMembershipsOutside(trx, targetUserId, organisationId);
      // An account with no membership here answers like an unknown one: admins learn nothing of other organisations' people.
      if (memberships === outside) throw notFound('The user');
      if (outside > 0) throw forbidden('This account also belongs to organisations outside yours. Ask an admin above you.');
    }
    const user = await repository.findUserById(trx, targetUserId);
    if (!user) throw notFound('The user');
    await repository.setUserDisabled(trx, targetUserId, clock.now());
    await deleteSessionsOfUser(trx, targetUserId);
    await recordAudit(trx, { at: clock.now(), action: 'user.disabled', organisationId, actorUserId, targetUserId });
  });
}

export async function findUserIdByEmail(db: Database, email: string): Promise<string | undefined> {
  return (await repository.findUserByEmail(db, normaliseEmail(email)))?.id;
}
