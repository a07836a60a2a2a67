import type { Migration } from 'kysely';
import * as foundation from './2026-11-21T00-00_foundation';
import * as lists from './2026-11-21T01-00_lists';
import * as importMerge from './2026-11-22T00-00_import-merge';
import * as listErrorCode from './2026-11-22T01-00_list-error-code';
import * as campaigns from './2026-11-22T02-00_campaigns';
import * as callerTeams from './2026-11-22T03-00_caller-teams';
import * as callTags from './2026-11-22T04-00_call-tags';
import * as claimIndexes from './2026-11-22T05-00_claim-indexes';
import * as telephony from './2026-11-22T06-00_telephony';
import * as statistics from './2026-11-22T07-00_statistics';
import * as welcomeCalls from './2026-11-22T09-00_welcome-calls';
import * as serverProcesses from './2026-12-04T00-00_server-processes';
import * as loginAttempts from './2026-12-04T01-00_login-attempts';
import * as privacy from './2026-12-04T02-00_privacy';
import * as erasure from './2026-12-04T07-00_erasure';
import * as language from './2026-12-05T00-00_language';
import * as passwordReset from './2026-12-05T01-00_password-reset';
import * as skippedContacts from './2026-12-05T02-00_skipped-contacts';
import * as callVersionIndex from './2026-12-05T03-00_call-version-index';
import * as storedTextsAsCodes from './2026-12-05T05-00_stored-texts-as-codes';
import * as listRepairedNumbers from './2026-12-05T06-00_list-repaired-numbers';
import * as campaignDialMode from './2026-12-05T07-00_campaign-dial-mode';
import * as twilioDialer from './2026-12-05T08-00_twilio-dialer';
import * as dialer from './2026-12-05T09-00_dialer';
import * as twilioAccountPacing from './2026-12-05T10-00_twilio-account-pacing';

// Every migration, by its file name. Imported statically so that every runner (tsx, vitest, the CLI)
// loads them the same way; db/migrate.test.ts checks that no file is left out.
export const migrations: Record<string, Migration> = {
  '2026-11-21T00-00_foundation': foundation,
  '2026-11-21T01-00_lists': lists,
  '2026-11-22T00-00_import-merge': importMerge,
  '2026-11-22T01-00_list-error-code': listErrorCode,
  '2026-11-22T02-00_campaigns': campaigns,
  '2026-11-22T03-00_caller-teams': callerTeams,
  '2026-11-22T04-00_call-tags': callTags,
  '2026-11-22T05-00_claim-indexes': claimIndexes,
  '2026-11-22T06-00_telephony': telephony,
  '2026-11-22T07-00_statistics': statistics,
  '2026-11-22T09-00_welcome-calls': welcomeCalls,
  '2026-12-04T00-00_server-processes': serverProcesses,
  '2026-12-04T01-00_login-attempts': loginAttempts,
  '2026-12-04T02-00_privacy': privacy,
  '2026-12-04T07-00_erasure': erasure,
  '2026-12-05T00-00_language': language,
  '2026-12-05T01-00_password-reset': passwordReset,
  '2026-12-05T02-00_skipped-contacts': skippedContacts,
  '2026-12-05T03-00_call-version-index': callVersionIndex,
  '2026-12-05T05-00_stored-texts-as-codes': storedTextsAsCodes,
  '2026-12-05T06-00_list-repaired-numbers': listRepairedNumbers,
  '2026-12-05T07-00_campaign-dial-mode': campaignDialMode,
  '2026-12-05T08-00_twilio-dialer': twilioDialer,
  '2026-12-05T09-00_dialer': dialer,
  '2026-12-05T10-00_twilio-account-pacing': twilioAccountPacing,
};
