import type { Database } from '../../db/database';
import type { Clock } from './clock';
import type { LoginService } from './modules/accounts/accounts.service';
import type { SessionService } from './modules/accounts/sessions.service';
import type { PasswordResets } from './modules/accounts/password-reset.service';
import type { Mailer } from './modules/mail/mailer';
import type { ListImporter } from './modules/lists/lists.import';
import type { CallingEngine } from './modules/calling/calling.service';
import type { TelephonyService } from './modules/telephony/telephony.service';
import type { TwilioDialer } from './modules/dialer/twilio-dialer';
import type { StatsService } from './modules/stats/stats.service';
import type { DialerService } from './modules/dialer/dialer.service';
import type { Hosting } from './modules/privacy/record-of-processing.service';
import type { PrivacyPurger } from './modules/privacy/retention';

/** What route handlers need: the database, the time, and the services that keep state. */
export interface AppContext {
  db: Database;
  clock: Clock;
  publicUrl: URL;
  sessions: SessionService;
  logins: LoginService;
  /** Links to set a new password: mailed on request, or made by an organizer. */
  passwordResets: PasswordResets;
  /** Ringa's mail (SMTP_URL); `configured` is false when it sends none. */
  mailer: Mailer;
  importer: ListImporter;
  calling: CallingEngine;
  telephony: TelephonyService;
  /** Dials for the callers of power and predictive campaigns. */
  dialer: DialerService;
  /** The dialer's calls through Twilio (a dialer attaches itself to be told of them). */
  twilioDialer: TwilioDialer;
  stats: StatsService;
  /** The daily retention purge. */
  purger: PrivacyPurger;
  /** The largest list file taken, in bytes. */
  importMaxBytes: number;
  /** Where uploaded files are kept while they are read (mode 700). */
  uploadDir: string;
  /** Who runs this server and where its database is, for organisations' records of processing. */
  hosting: Hosting;
}
