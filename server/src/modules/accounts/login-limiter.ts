import { createHmac } from 'node:crypto';
import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import { countAuditAgain, recordAudit } from '../audit/audit.service';
import * as repository from './login-limits.repository';

export interface LimiterRule {
  /** Failures allowed within the window before further attempts are refused. */
  maxFailures: number;
  windowMs: number;
}

export type LimitScope = 'account' | 'address';

/** What a sign-in attempt is counted under: the account's email and the client's address, each as a keyed hash. */
export interface AttemptKeys {
  account: string;
  address: string;
}

export interface Block {
  scope: LimitScope;
  keyHash: string;
  /** Milliseconds until the key may try again. */
  waitMs: number;
}

/** Expired failures and blocks are deleted at most this often per process. */
const SWEEP_EVERY_MS = 60 * 1000;

/**
 * Counts failed sign-ins per account and per address in a sliding window, in PostgreSQL: every server
 * process on the database sees the same failures, and a restart forgives none. Emails and addresses
 * are stored only as HMACs keyed with the session secret, and only for the window.
 */
export class LoginLimiter {
  private lastSweep = 0;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly secret: string,
    private readonly rules: Record<LimitScope, LimiterRule>,
    /** Keeps the counts of another kind of attempt (password-reset requests) apart from sign-ins'. */
    private readonly namespace = '',
  ) {}

  keys(email: string, address: string): AttemptKeys {
    return { account: this.hash(`${this.namespace}account:${email}`), address: this.hash(`${this.namespace}address:${address}`) };
  }

  /** The block that holds longest, or null when the attempt may go ahead. */
  async blocked(keys: AttemptKeys): Promise<Block | null> {
    const now = this.clock.now().getTime();
    const scopes: LimitScope[] = ['account', 'address'];
    // Both rules share a window today; the longer one bounds what is read.
    const since = new Date(now - Math.max(...scopes.map((scope) => this.rules[scope].windowMs)));
    const nth = await repository.nthRecentFailures(
      this.db,
      scopes.map((scope) => ({ keyHash: keys[scope], nth: this.rules[scope].maxFailures })),
      since,
    );
    let block: Block | null = null;
    for (const [i, scope] of scopes.entries()) {
      const at = nth[i];
      if (!at) continue;
      const waitMs = at.getTime() + this.rules[scope].windowMs - now;
      if (waitMs > 0 && (block === null || waitMs > block.waitMs)) block = { scope, keyHash: keys[scope], waitMs };
    }
    return block;
  }

  /**
   * A refused attempt. The first of a block writes one audit row; the later ones add to its count,
   * serialised on the block's row so that parallel attempts do not start rows of their own.
   */
  async refused(block: Block, targetUserId: string | null): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const running = await repository.continueBlock(trx, block.keyHash, new Date(now.getTime() + block.waitMs), now);
      if (running !== null) return countAuditAgain(trx, running);
      const eventId = await recordAudit(trx, {
        at: now,
        action: 'auth.rate-limited',
        // A blocked address is tried with many emails: the row names no one (and no admin's log shows it).
        targetUserId: block.scope === 'account' ? targetUserId : null,
        details: block.scope === 'account' ? { attempts: 1 } : { attempts: 1, scope: 'address' },
      });
      await repository.setBlockAudit(trx, block.keyHash, eventId);
    });
  }

  async failed(keys: AttemptKeys): Promise<void> {
    const now = this.clock.now();
    await repository.insertFailures(this.db, [keys.account, keys.address], now);
    if (now.getTime() - this.lastSweep >= SWEEP_EVERY_MS) {
      this.lastSweep = now.getTime();
      const window = Math.max(this.rules.account.windowMs, this.rules.address.windowMs);
      await repository.deleteExpired(this.db, new Date(now.getTime() - window), now);
    }
  }

  /** A successful sign-in clears the account's failures (not the address's: one good password does not vouch for the rest). */
  async forgive(keys: AttemptKeys): Promise<void> {
    await repository.deleteFailures(this.db, keys.account);
  }

  private hash(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('hex');
  }
}
