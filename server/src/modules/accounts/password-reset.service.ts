import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import { countryLanguage, isLanguage, type Language } from '../../contract/language';
import { AppError } from '../../errors';
import { hashToken, newToken } from '../../tokens';
import { recordAudit } from '../audit/audit.service';
import { passwordResetMail } from '../mail/mail.texts';
import type { Mailer } from '../mail/mailer';
import * as organisations from '../organisations/organisations.service';
import { getMe, normaliseEmail, type SignedIn } from './accounts.service';
import * as accounts from './accounts.repository';
import { LoginLimiter } from './login-limiter';
import { assertPasswordAcceptable, hashPassword } from './passwords';
import * as repository from './password-reset.repository';
import type { SessionService } from './sessions.service';
import { deleteSessionsOfUser } from './sessions.repository';

/** A mailed link is valid for an hour; one an organizer makes travels by hand and lasts a day. */
export const RESET_BY_MAIL_VALID_MS = 60 * 60 * 1000;
export const RESET_BY_HAND_VALID_MS = 24 * 60 * 60 * 1000;
const FIFTEEN_MINUTES = 15 * 60 * 1000;

export interface ResetLink {
  url: string;
  expiresAt: Date;
}

const invalidLink = () =>
  new AppError(400, 'reset_link_invalid', 'This link to set a new password has been used, has expired or is not valid. Ask for a new one.');

/**
 * One-time links to set a new password: mailed on request (answered the same for every address,
 * limited per address asked for and per client), or made by an organizer who manages the account.
 * Only a hash of the token is kept; the token travels after '#' in the link.
 */
export class PasswordResets {
  private readonly limiter: LoginLimiter;
  /** Mails being sent after their request was answered; closing waits for them. */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly sessions: SessionService,
    private readonly mailer: Mailer,
    private readonly publicUrl: URL,
    secret: string,
    private readonly onError: (error: unknown) => void,
  ) {
    // Both windows are the sign-in limiter's (15 minutes): the two share a table, which is swept by that window.
    this.limiter = new LoginLimiter(
      db,
      clock,
      secret,
      { account: { maxFailures: 3, windowMs: FIFTEEN_MINUTES }, address: { maxFailures: 10, windowMs: FIFTEEN_MINUTES } },
      'password-reset:',
    );
  }

  /**
   * Asks for a mailed link. Known and unknown addresses are answered alike and counted alike; whether
   * there is an account, and the mail, are looked at after the answer. `language` chooses the mail's
   * language for an account that has not chosen one, given its organisation's language.
   */
  async request(emailInput: string, address: string, language: (fallback: Language) => Language): Promise<void> {
    if (!this.mailer.configured) {
      throw new AppError(409, 'mail_not_configured', 'This Ringa sends no mail. Ask an organizer for a link to set a new password.');
    }
    const email = normaliseEmail(emailInput);
    const keys = this.limiter.keys(email, address);
    const block = await this.limiter.blocked(keys);
    if (block) {
      await this.limiter.refused(block, null);
      const minutes = Math.ceil(block.waitMs / 60000);
      throw new AppError(429, 'rate_limited', `Too many requests for a new password. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, {
        'retry-after': String(Math.ceil(block.waitMs / 1000)),
      });
    }
    await this.limiter.failed(keys);
    const sending = this.mailLink(email, language).catch(this.onError);
    this.pending.add(sending);
    void sending.finally(() => this.pending.delete(sending));
  }

  private async mailLink(email: string, language: (fallback: Language) => Language): Promise<void> {
    const user = await accounts.findUserByEmail(this.db, email);
    if (!user || user.disabledAt !== null) return;
    const link = await this.newLink(this.db, user.id, RESET_BY_MAIL_VALID_MS);
    const country = await organisations.homeCountry(this.db, user.id);
    const chosen = isLanguage(user.language) ? user.language : language(country ? countryLanguage(country) : 'en');
    const sent = await this.mailer.send(passwordResetMail(user.email, chosen, { name: user.name, link: link.url, origin: this.publicUrl.origin }));
    await recordAudit(this.db, { at: this.clock.now(), action: 'auth.reset-link-mailed', targetUserId: user.id, details: { language: chosen, sent } });
  }

  /** An organizer's link for a member they manage, to hand over themselves. */
  async linkFor(actorUserId: string, organisationId: string, targetUserId: string): Promise<ResetLink> {
    return this.db.transaction().execute(async (trx) => {
      await organisations.assertCanManageAccount(trx, actorUserId, organisationId, targetUserId);
      const link = await this.newLink(trx, targetUserId, RESET_BY_HAND_VALID_MS);
      await recordAudit(trx, { at: this.clock.now(), action: 'user.reset-link-created', organisationId, actorUserId, targetUserId });
      return link;
    });
  }

  /**
   * Sets the new password (the sign-up rules), uses up every open link of the account, ends all its
   * sessions and sockets, and signs the person in with a new session.
   */
  async confirm(token: string, password: string): Promise<SignedIn> {
    const userId = await this.db.transaction().execute(async (trx) => {
      const reset = await repository.findPasswordResetForUpdate(trx, hashToken(token));
      const now = this.clock.now();
      if (!reset || reset.usedAt !== null || reset.expiresAt.getTime() <= now.getTime()) throw invalidLink();
      const user = await accounts.findUserById(trx, reset.userId);
      if (!user || user.disabledAt !== null) throw invalidLink();
      assertPasswordAcceptable(password, user.email);
      await repository.updatePasswordHash(trx, user.id, await hashPassword(password));
      await repository.markPasswordResetsUsed(trx, user.id, now);
      await deleteSessionsOfUser(trx, user.id);
      await recordAudit(trx, { at: now, action: 'auth.password-reset', actorUserId: user.id, targetUserId: user.id });
      return user.id;
    });
    this.sessions.endedAllOf(userId);
    const session = await this.sessions.start(userId);
    return { me: await getMe(this.db, userId), ...session };
  }

  /** Waits for the mails still being sent (tests, and closing the app). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private newLink(db: Database, userId: string, validMs: number): Promise<ResetLink> {
    return issueLink(db, this.clock, this.publicUrl, userId, validMs);
  }
}

async function issueLink(db: Database, clock: Clock, publicUrl: URL, userId: string, validMs: number): Promise<ResetLink> {
  const { token, hash } = newToken();
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + validMs);
  await repository.insertPasswordReset(db, { userId, tokenHash: hash, createdAt: now, expiresAt });
  return { url: new URL(`/reset-password#${token}`, publicUrl).toString(), expiresAt };
}

/** A link for the account with this email, from the command line (whoever runs it holds the database). */
export async function resetLinkForEmail(db: Database, clock: Clock, publicUrl: URL, emailInput: string): Promise<ResetLink> {
  const user = await accounts.findUserByEmail(db, normaliseEmail(emailInput));
  if (!user) throw new AppError(404, 'not_found', `No account has the email ${emailInput.trim()}.`);
  // A new password would not let a disabled account sign in.
  if (user.disabledAt !== null) throw new AppError(404, 'not_found', `The account with the email ${emailInput.trim()} is disabled.`);
  return db.transaction().execute(async (trx) => {
    const link = await issueLink(trx, clock, publicUrl, user.id, RESET_BY_HAND_VALID_MS);
    await recordAudit(trx, { at: clock.now(), action: 'user.reset-link-created', targetUserId: user.id, details: { via: 'cli' } });
    return link;
  });
}
