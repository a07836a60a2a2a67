// Ringa's command line for administrators and automation: `npm run cli -- <command> [options]`.
// Works whether or not the server runs: it uses DATABASE_URL, or the embedded PostgreSQL under
// DATA_DIR (attaching to the server's when it is running).
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Static } from 'typebox';
import { Value } from 'typebox/value';
import { BackupError, backupDatabase, restoreDatabase } from '../db/backup';
import { applicationDatabaseUrl, createDatabase, rawClient, startCluster, type Database } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { systemClock } from '../server/src/clock';
import { ConfigError, loadConfig, type Config } from '../server/src/config';
import { ListImporter } from '../server/src/modules/lists/lists.import';
import { checkListSource, type ListSourceValue } from '../server/src/modules/lists/list-source';
import { findPersonByPhone, listView, listViewsOf } from '../server/src/modules/lists/lists.service';
import { localDay } from '../server/src/modules/stats/stats.service';
import { normalisePhone } from '../server/src/modules/lists/phone';
import { problemReasonText } from '../server/src/modules/lists/problems.texts';
import { CallingEngine } from '../server/src/modules/calling/calling.service';
import { erasePerson } from '../server/src/modules/privacy/erasure';
import { purgeNow } from '../server/src/modules/privacy/retention';
import type { ListView } from '../server/src/modules/lists/lists.schemas';
import { CampaignSettings, type DialingValue, type DialModeValue } from '../server/src/modules/campaigns/campaigns.schemas';
import { changeStatusAsSystem, createCampaignAsSystem } from '../server/src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW } from '../server/src/modules/campaigns/outcomes';
import { createGroupAsSystem } from '../server/src/modules/target-groups/target-groups.service';
import type { Country } from '../server/src/contract/api';
import { isLanguage, LANGUAGES, type Language } from '../server/src/contract/language';
import { AppError } from '../server/src/errors';
import { createSetupLink, createUser, disableUser, findUserIdByEmail, setupNeeded } from '../server/src/modules/accounts/accounts.service';
import { resetLinkForEmail } from '../server/src/modules/accounts/password-reset.service';
import { exportPersonAsSystem } from '../server/src/modules/people/people.service';
import { personExportText } from '../server/src/modules/people/people.text';
import { addMembership, ensureOrganisationPath, findMembershipRole, findOrganisationAtPath, isRole, listOrganisationsWithPaths } from '../server/src/modules/organisations/organisations.service';

class UsageError extends Error {}

interface Command {
  summary: string;
  usage: string;
  options: Record<string, { type: 'string' | 'boolean' }>;
  /** How many positional arguments it takes (default none). */
  positionals?: number;
  /** Whether the database is brought up to date before the command runs (default yes). */
  migrates?: boolean;
  run(
    db: Database,
    values: Record<string, string | boolean | undefined>,
    publicUrl: URL,
    positionals: string[],
    config: Config,
  ): Promise<{ json: unknown; text: string }>;
}

/** A command that ran but did not succeed: its result is still printed (with --json), and the exit code is 1. */
class CommandFailed extends Error {
  constructor(
    message: string,
    readonly result: unknown,
  ) {
    super(message);
  }
}

function parseCountry(value: string): Country {
  const country = value.toUpperCase();
  if (country === 'SE' || country === 'DK' || country === 'NO' || country === 'FI') return country;
  throw new UsageError(`--country must be one of ${COUNTRIES.join(', ')} (got "${value}")`);
}


const COUNTRIES: readonly Country[] = ['SE', 'DK', 'NO', 'FI'];
const DIALINGS: readonly DialingValue[] = ['own-phone', 'twilio', 'simulated'];

function parseDialing(value: string): DialingValue {
  const dialing = DIALINGS.find((candidate) => candidate === value);
  if (!dialing) throw new UsageError(`--dialing must be one of ${DIALINGS.join(', ')} (got "${value}")`);
  return dialing;
}

const DIAL_MODES: readonly DialModeValue[] = ['preview', 'power', 'predictive'];

function parseDialMode(value: string): DialModeValue {
  const mode = DIAL_MODES.find((candidate) => candidate === value);
  if (!mode) throw new UsageError(`--dial-mode must be one of ${DIAL_MODES.join(', ')} (got "${value}")`);
  return mode;
}

/** The one ready list of the organisation with this name, or an error that says what is wrong. */
function readyListNamed(lists: Static<typeof ListView>[], name: string, orgPath: string): string {
  const named = lists.filter((list) => list.name === name);
  const ready = named.filter((list) => list.status === 'ready');
  const [first] = named;
  if (!first) throw new AppError(404, 'not_found', `"${orgPath}" has no list called "${name}". See npm run cli -- list:list --org "${orgPath}".`);
  if (ready.length === 0) throw new AppError(409, 'list_not_ready', `The list "${name}" is not ready (its import ${first.status === 'failed' ? 'failed' : 'is still running'}); only a finished list can be called.`);
  if (ready.length > 1) throw new AppError(409, 'ambiguous_list', `"${orgPath}" has ${ready.length} lists called "${name}"; delete all but one, or import under another name.`);
  return (ready[0] as Static<typeof ListView>).id;
}

/** The options that say where a list came from, checked as the API checks them; a problem names its option. */
function sourceOption(values: Record<string, string | boolean | undefined>, today: string): ListSourceValue {
  const text = (name: string) => (typeof values[name] === 'string' ? values[name] : undefined);
  try {
    return checkListSource({ kind: text('source'), name: text('source-name'), date: text('source-date'), basis: text('basis') }, today);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const option = error.code === 'source_required' ? 'source' : error.code === 'basis_required' ? 'basis' : error.code === 'validation' || error.code === 'source_name_required' ? 'source-name' : 'source-date';
    throw new UsageError(`--${option}: ${error.message}`);
  }
}

/** --lang, checked: the language of what a command writes for people to read. */
function languageOption(values: Record<string, string | boolean | undefined>): Language | undefined {
  const lang = values.lang;
  if (lang === undefined) return undefined;
  if (!isLanguage(lang)) throw new UsageError(`--lang must be one of ${LANGUAGES.join(', ')} (got "${String(lang)}")`);
  return lang;
}

function describeSource(source: ListSourceValue | null): string {
  if (!source) return 'not recorded';
  return [source.kind, source.name, source.date, `basis ${source.basis}`].filter((part) => part !== null).join(', ');
}

const commands: Record<string, Command> = {
  'user:create': {
    summary: 'Create a user (or add a membership to an existing one), creating the organisations on the path.',
    usage:
      'user:create --email E --password P --name N --org "District/Municipality/Association" --role admin|organizer|caller [--country SE] [--json]',
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      org: { type: 'string' },
      role: { type: 'string' },
      country: { type: 'string' },
    },
    async run(db, values) {
      const email = required(values, 'email');
      const orgPath = required(values, 'org');
      const role = required(values, 'role');
      if (!isRole(role)) throw new UsageError(`--role must be admin, organizer or caller (got "${role}")`);
      const country = typeof values.country === 'string' ? parseCountry(values.country) : 'SE';
      return db.transaction().execute(async (trx) => {
        const organisation = await ensureOrganisationPath(trx, systemClock, orgPath, { country });
        const existing = await findUserIdByEmail(trx, email);
        const userId =
          existing ??
          (await createUser(trx, systemClock, { email, name: required(values, 'name'), password: required(values, 'password') })).id;
        const current = await findMembershipRole(trx, userId, organisation.id);
        if (current !== role) await addMembership(trx, systemClock, userId, organisation.id, role, null);
        const result = { id: userId, email: email.trim().toLowerCase(), organisationId: organisation.id, role, created: existing === undefined };
        return {
          json: result,
          text: `${existing ? 'Updated' : 'Created'} ${result.email}: ${role} in ${orgPath}`,
        };
      });
    },
  },
  'user:disable': {
    summary: 'Disable an account; its sessions end at once.',
    usage: 'user:disable --email E [--json]',
    options: { email: { type: 'string' } },
    async run(db, values) {
      const email = required(values, 'email');
      const userId = await findUserIdByEmail(db, email);
      if (!userId) throw new AppError(404, 'not_found', `No account has the email ${email}.`);
      await disableUser(db, systemClock, null, null, userId);
      return { json: { id: userId, disabled: true }, text: `Disabled ${email}; its sessions have ended.` };
    },
  },
  'user:reset-link': {
    summary: 'Print a one-time link (valid 24 hours) with which the account sets a new password; pass it on yourself.',
    usage: 'user:reset-link --email E [--json]',
    options: { email: { type: 'string' } },
    async run(db, values, publicUrl) {
      const email = required(values, 'email');
      const link = await resetLinkForEmail(db, systemClock, publicUrl, email);
      return {
        json: { url: link.url, expiresAt: link.expiresAt.toISOString() },
        text: `A one-time link for ${email.trim().toLowerCase()} to set a new password (valid until ${link.expiresAt.toISOString()}; it works once):\n  ${link.url}`,
      };
    },
  },
  'org:list': {
    summary: 'List every organisation with its path.',
    usage: 'org:list [--json]',
    options: {},
    async run(db) {
      const organisations = await listOrganisationsWithPaths(db);
      return {
        json: organisations,
        text: organisations.length === 0 ? 'No organisations yet.' : organisations.map((org) => `${org.path}  (${org.kind}, ${org.id})`).join('\n'),
      };
    },
  },
  'list:import': {
    summary:
      'Import a target list (CSV or xlsx) into an organisation and wait for it; exit 0 only when it is ready. Where the list came from and the legal basis for calling its people are required.',
    usage:
      'list:import FILE --org PATH --name NAME --source broker|members|signup|other [--source-name TEXT] [--source-date YYYY-MM-DD] --basis members|consent|legitimate-interest [--country SE] [--json]\n' +
      `${''.padEnd(19)}--source broker needs --source-name (the data broker) and --source-date (the day it was bought); --source other needs --source-name (where it came from)`,
    options: {
      org: { type: 'string' },
      name: { type: 'string' },
      country: { type: 'string' },
      source: { type: 'string' },
      'source-name': { type: 'string' },
      'source-date': { type: 'string' },
      basis: { type: 'string' },
    },
    positionals: 1,
    async run(db, values, _publicUrl, positionals, config) {
      const file = positionals[0];
      if (!file) throw new UsageError('Name the file to import.');
      const organisation = await findOrganisationAtPath(db, required(values, 'org'));
      const name = required(values, 'name');
      const country = typeof values.country === 'string' ? parseCountry(values.country) : (organisation.country as Country);
      const source = sourceOption(values, localDay(systemClock.now(), organisation.timeZone));
      const importer = new ListImporter(db, systemClock, config.importMaxBytes);
      const id = await importer.start({
        organisationId: organisation.id,
        name,
        country,
        filePath: path.resolve(file),
        originalName: path.basename(file),
        source,
        createdBy: null,
        removeFile: false,
      });
      await importer.wait(id);
      const view = await listView(db, id);
      const result = { id: view.id, name: view.name, status: view.status, counts: view.counts, repaired: view.repaired, source: view.source, ...(view.error ? { error: view.error } : {}) };
      if (view.status !== 'ready') throw new CommandFailed(view.error ?? 'The import failed.', result);
      const c = view.counts;
      return {
        json: result,
        text: `Imported "${view.name}": ${c.rows} rows, ${c.imported} imported, ${c.invalid} invalid, ${c.duplicates} duplicates, ${c.suppressed} on the do-not-call register${view.repaired > 0 ? `; ${view.repaired} numbers repaired (Excel had dropped their leading zero)` : ''}. Source: ${describeSource(view.source)}.`,
      };
    },
  },
  'list:list': {
    summary: "List an organisation's target lists with their counts.",
    usage: 'list:list --org PATH [--json]',
    options: { org: { type: 'string' } },
    async run(db, values) {
      const organisation = await findOrganisationAtPath(db, required(values, 'org'));
      const rows = await listViewsOf(db, organisation.id);
      const json = rows.map((list) => ({ id: list.id, name: list.name, status: list.status, counts: list.counts, source: list.source, createdAt: list.createdAt }));
      return {
        json,
        text:
          rows.length === 0
            ? 'No lists yet.'
            : rows
                .map((list) => `${list.name}  ${list.status}  ${list.counts.imported}/${list.counts.rows} imported  source: ${describeSource(list.source)}  (${list.id})`)
                .join('\n'),
      };
    },
  },
  'campaign:create': {
    summary: 'Create a campaign calling the named lists of an organisation (all their people); --activate opens it and fills its queue.',
    usage:
      'campaign:create --org PATH --name NAME --lists NAME[,NAME] [--window always|default] [--dialing own-phone|twilio|simulated] [--dial-mode preview|power|predictive] [--lines 1-3] [--activate] [--json]',
    options: {
      org: { type: 'string' },
      name: { type: 'string' },
      lists: { type: 'string' },
      window: { type: 'string' },
      dialing: { type: 'string' },
      'dial-mode': { type: 'string' },
      lines: { type: 'string' },
      activate: { type: 'boolean' },
    },
    async run(db, values) {
      const orgPath = required(values, 'org');
      const name = required(values, 'name').trim();
      const listNames = [...new Set(required(values, 'lists').split(',').map((listName) => listName.trim()).filter((listName) => listName !== ''))];
      if (listNames.length === 0) throw new UsageError('--lists must name at least one list');
      const window = typeof values.window === 'string' ? values.window : 'default';
      if (window !== 'always' && window !== 'default') throw new UsageError(`--window must be always or default (got "${window}")`);
      const dialing = typeof values.dialing === 'string' ? parseDialing(values.dialing) : 'own-phone';
      // The default window is the organisation's country's usual hours (Norway's differ), chosen where the campaign is made.
      // Power and predictive need a line the server dials on: the service refuses them on own phones.
      const dialMode = typeof values['dial-mode'] === 'string' ? parseDialMode(values['dial-mode']) : 'preview';
      const lines = typeof values.lines === 'string' ? { linesPerCaller: Number(values.lines) } : {};
      const settings = { name, ...(window === 'always' ? { callingWindow: ALWAYS_WINDOW } : {}), dialing, dialMode, ...lines };
      const problem = Value.Errors(CampaignSettings, settings)[0];
      if (problem) throw new UsageError(`--${problem.instancePath.slice(1) === 'linesPerCaller' ? 'lines' : problem.instancePath.slice(1)} ${problem.message}`);
      const organisation = await findOrganisationAtPath(db, orgPath);
      const lists = await listViewsOf(db, organisation.id);
      const listIds = listNames.map((listName) => readyListNamed(lists, listName, orgPath));
      // One transaction: a refusal at any step leaves neither a target group nor a campaign behind.
      const campaign = await db.transaction().execute(async (trx) => {
        const group = await createGroupAsSystem(trx, systemClock, organisation.id, { name, listIds, filters: [] });
        const created = await createCampaignAsSystem(trx, systemClock, organisation.id, { ...settings, targetGroupIds: [group.id] });
        return values.activate ? changeStatusAsSystem(trx, systemClock, created.id, 'active') : created;
      });
      return {
        json: campaign,
        text: `Created campaign "${campaign.name}" (${campaign.id}) in ${orgPath}: ${campaign.status}, ${campaign.queue.total} people in the queue.`,
      };
    },
  },
  'person:export': {
    summary: 'Everything Ringa holds on a person (GDPR Art. 15): fields, lists and their sources, calls with answers and notes, do-not-call entries, when each is deleted.',
    usage: 'person:export --org PATH --phone E164 [--lang sv|da|nb|en] [--json]',
    options: { org: { type: 'string' }, phone: { type: 'string' }, lang: { type: 'string' } },
    async run(db, values) {
      // The outcomes and do-not-call reasons Ringa names, in --lang (default: the organisation's country's language).
      const { record, language } = await exportPersonAsSystem(db, systemClock, required(values, 'org'), required(values, 'phone'), languageOption(values));
      return { json: record, text: personExportText(record, language) };
    },
  },
  backup: {
    summary: 'Write a consistent backup of the database (while Ringa runs) into a file only you can read.',
    usage: 'backup --out FILE [--json]',
    options: { out: { type: 'string' } },
    // A backup copies the database as it is; bringing it up to date is the server's business.
    migrates: false,
    async run(db, values) {
      const out = path.resolve(required(values, 'out'));
      const client = await rawClient(db);
      try {
        const summary = await backupDatabase(client, out);
        return {
          json: summary,
          text: `Backed up ${summary.tables} tables, ${summary.rows} rows to ${out} (${(summary.bytes / 1024 / 1024).toFixed(1)} MB). Keep it with DATA_DIR's session-secret and secrets-key.`,
        };
      } finally {
        client.release();
      }
    },
  },
  restore: {
    summary: 'Restore a backup into an empty database: a new DATA_DIR (the embedded PostgreSQL is created there) or an empty DATABASE_URL.',
    usage: 'restore --from FILE [--json]',
    options: { from: { type: 'string' } },
    // The target must be empty: the restore makes the schema itself, from the backup's migrations.
    migrates: false,
    async run(db, values) {
      const from = path.resolve(required(values, 'from'));
      const client = await rawClient(db);
      try {
        const summary = await restoreDatabase(client, from);
        return {
          json: summary,
          text:
            `Restored ${summary.tables} tables, ${summary.rows} rows from ${from} (backed up ${summary.createdAt})` +
            `${summary.migrated.length > 0 ? `, then applied ${summary.migrated.join(', ')}` : ''}.\n` +
            'Sessions from before carry over only with the same SESSION_SECRET (DATA_DIR/session-secret), and organisations\' Twilio settings only with the same SECRETS_KEY (DATA_DIR/secrets-key); passwords work either way.',
        };
      } finally {
        client.release();
      }
    },
  },
  'person:erase': {
    summary: "Erase a person (GDPR Art. 17) everywhere Ringa holds them; the organisation's figures stay the same.",
    usage: 'person:erase --org PATH --phone E164 [--keep-off-calls] [--json]',
    options: { org: { type: 'string' }, phone: { type: 'string' }, 'keep-off-calls': { type: 'boolean' } },
    async run(db, values) {
      const orgPath = required(values, 'org');
      const organisation = await findOrganisationAtPath(db, orgPath);
      const phone = normalisePhone(required(values, 'phone'), organisation.country as Country);
      if (!phone.ok) throw new UsageError(`--phone is not a phone number Ringa can read: ${problemReasonText(phone.reason, 'en')}`);
      const person = await findPersonByPhone(db, organisation.id, phone.e164);
      // The number is the operator's own input, but it stays out of the output all the same.
      if (!person) throw new AppError(404, 'not_found', `No one in "${orgPath}" has that number; nothing was erased.`);
      // A caller holding the person on a running server sees the lease gone at their next save, which is counted without them.
      const erased = await erasePerson({ db, clock: systemClock, calling: new CallingEngine(db, systemClock) }, null, person.id, { keepOffCalls: values['keep-off-calls'] === true });
      return {
        json: erased,
        text: `Erased person ${erased.personId} of ${orgPath}.${erased.keptOnDoNotCall ? ' Their number stays on the do-not-call register as an erasure request.' : ''}`,
      };
    },
  },
  'privacy:purge': {
    summary: 'Run the retention purge now (the server runs it daily): --as-of runs the rules as if it were that day, --dry-run only says what it would delete.',
    usage: 'privacy:purge [--as-of YYYY-MM-DD] [--dry-run] [--json]',
    options: { 'as-of': { type: 'string' }, 'dry-run': { type: 'boolean' } },
    async run(db, values) {
      const day = typeof values['as-of'] === 'string' ? values['as-of'] : undefined;
      // As if it were that day: everything due by its end (UTC).
      const asOf = day === undefined ? systemClock.now() : new Date(`${day}T23:59:59.999Z`);
      if (day !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(asOf.getTime()) || asOf.toISOString().slice(0, 10) !== day)) {
        throw new UsageError(`--as-of must be a day written YYYY-MM-DD (got "${day}")`);
      }
      const dryRun = values['dry-run'] === true;
      const summary = await purgeNow({ db, calling: new CallingEngine(db, systemClock) }, asOf, dryRun);
      if (summary === 'busy') throw new AppError(409, 'purge_running', 'Another retention purge is running right now; try again when it has finished.');
      const verb = dryRun ? 'Would delete' : 'Deleted';
      return {
        json: summary,
        text:
          `${verb} as of ${summary.asOf}: the answers and notes of ${summary.answers.campaigns} campaigns (${summary.answers.calls} calls), ` +
          `${summary.people.people} people${dryRun ? '' : ` (and ${summary.people.problemRows} import problem rows quoting them)`}. Figures stay the same.`,
      };
    },
  },
  'setup:link': {
    summary: 'Print a new one-time first-run link (only while no user exists).',
    usage: 'setup:link [--json]',
    options: {},
    async run(db, _values, publicUrl) {
      if (!(await setupNeeded(db))) throw new AppError(409, 'setup_done', 'Ringa is already set up; use user:create or invites instead.');
      const url = await createSetupLink(db, systemClock, publicUrl);
      return { json: { url }, text: `Open this link within 24 hours to set up Ringa:\n  ${url}` };
    },
  },
};

function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value;
}

function help(): string {
  const lines = ['Usage: npm run cli -- <command> [options]', '', 'Commands:'];
  for (const [name, command] of Object.entries(commands)) lines.push(`  ${name.padEnd(16)} ${command.summary}`, `  ${''.padEnd(16)} ${command.usage}`);
  lines.push('', 'Add --json for machine-readable output. DATA_DIR or DATABASE_URL choose the database, as for npm start.');
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${help()}\n`);
    return 2;
  }
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, json: { type: 'boolean' }, help: { type: 'boolean' } },
      strict: true,
      allowPositionals: (command.positionals ?? 0) > 0,
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\nUsage: npm run cli -- ${command.usage}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${command.summary}\nUsage: npm run cli -- ${command.usage}\n`);
    return 0;
  }

  const config = loadConfig(process.env, []);
  const location = { databaseUrl: config.databaseUrl, dataDir: config.dataDir };
  const cluster = await startCluster(location);
  const db = createDatabase(applicationDatabaseUrl(location, cluster), { max: 2 });
  try {
    if (command.migrates !== false) await migrateToLatest(db);
    const result = await command.run(db, values, config.publicUrl, positionals, config);
    process.stdout.write(`${values.json ? JSON.stringify(result.json, null, 2) : result.text}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\nUsage: npm run cli -- ${command.usage}\n`);
      return 2;
    }
    if (error instanceof CommandFailed) {
      if (values.json) process.stdout.write(`${JSON.stringify(error.result, null, 2)}\n`);
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    if (error instanceof AppError || error instanceof BackupError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await db.destroy();
    await cluster.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : `Failed: ${error instanceof Error ? error.message : String(error)}`}\n`);
    process.exit(1);
  },
);
