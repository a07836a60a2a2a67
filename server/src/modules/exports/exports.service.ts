import { PassThrough, type Readable } from 'node:stream';
import { to as copyTo, type CopyToStreamQuery } from 'pg-copy-streams';
import { rawClient, type Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import { AppError, forbidden, notFound } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { authorize, isOwnOrganizer } from '../organisations/organisations.service';
import { csvLine, DELIMITERS, exportFileName, localDate, plainText } from './exports.csv';
import * as repository from './exports.repository';
import type { SeparatorValue } from './exports.schemas';
import { CALLS_EXPORT_TEXTS } from './exports.texts';
import { countryLanguage, type Language } from '../../contract/language';
import type { Country } from '../../contract/api';
import { OUTCOME_LABELS, TAG_NAMES, YES_NO } from '../campaigns/outcome-texts';

const BOM = '\uFEFF';

/**
 * Exports at once per server process. Each holds a connection of the pool (10) for as long as its
 * reader takes, so a few slow downloads must not leave the callers' engine without connections.
 */
export const MAX_RUNNING_EXPORTS = 3;

/**
 * A download whose reader takes nothing for this long is ended: it holds a database connection, an
 * export's place and an old snapshot (which keeps vacuum from cleaning up) for as long as it lasts.
 */
export const STALLED_EXPORT_MS = 120_000;

export interface CallsExport {
  fileName: string;
  /** The calls in the file. */
  rows: number;
  /** The file: BOM, header, rows; read at the reader's pace. */
  body: Readable;
  /** Settles once the database connection is back in the pool (or closed, when the reader went away). */
  finished: Promise<void>;
}

/**
 * Individual calls hold answers that are political opinions (GDPR Art. 9): only organizers and admins of
 * the campaign's own organisation may take them out. An organisation above sees the statistics; it gets
 * a 403 here, as do callers. Someone with no role on the way gets the 404 every other route gives.
 */
export async function mayExportCalls(db: Database, userId: string, organisationId: string): Promise<void> {
  if (await isOwnOrganizer(db, userId, organisationId)) return;
  await authorize(db, userId, organisationId, 'caller');
  throw forbidden("Only organizers and admins of the campaign's own organisation may export its calls. Organisations above it see the statistics.");
}

export interface ExportedQuestion {
  id: string;
  /** The column's header: the question's text in its newest version, as plain text. */
  text: string;
}

/** One column per question id in any version: the newest version's questions in their order, then those only older versions asked. */
export function exportedQuestions(versions: readonly { questions: unknown }[]): ExportedQuestion[] {
  const found = new Map<string, ExportedQuestion>();
  for (const version of versions) {
    if (!Array.isArray(version.questions)) continue;
    for (const question of version.questions as unknown[]) {
      if (typeof question !== 'object' || question === null) continue;
      const { id, text } = question as { id?: unknown; text?: unknown };
      if (typeof id !== 'string' || found.has(id)) continue;
      found.set(id, { id, text: typeof text === 'string' ? plainText(text) || id : id });
    }
  }
  return [...found.values()];
}

/** Keeps a count of the exports running and refuses more than MAX_RUNNING_EXPORTS at once. */
export class CallsExporter {
  private running = 0;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly limit = MAX_RUNNING_EXPORTS,
  ) {}

  /** A campaign's calls as CSV, streamed from PostgreSQL's COPY; audited before the first row leaves. */
  /** `language` picks the file's language given the organisation's country's (the fallback when the reader has none). */
  async exportCalls(userId: string, campaignId: string, separator: SeparatorValue, language: (fallback: Language) => Language): Promise<CallsExport> {
    const campaign = await repository.findCampaign(this.db, campaignId);
    if (!campaign) throw notFound('The campaign');
    await mayExportCalls(this.db, userId, campaign.organisationId);
    if (this.running >= this.limit) {
      throw new AppError(429, 'exports_busy', 'Other exports are running right now. Please try again in a minute.', { 'retry-after': '60' });
    }
    this.running += 1;
    try {
      const exported = await this.stream(userId, campaign, separator, language(countryLanguage(campaign.country as Country)));
      void exported.finished.then(() => (this.running -= 1));
      return exported;
    } catch (error) {
      this.running -= 1;
      throw error;
    }
  }

  private async stream(
    userId: string,
    campaign: NonNullable<Awaited<ReturnType<typeof repository.findCampaign>>>,
    separator: SeparatorValue,
    language: Language,
  ): Promise<CallsExport> {
    const questions = exportedQuestions(await repository.versionsOf(this.db, campaign.id));
    const delimiter = DELIMITERS[separator];
    const texts = CALLS_EXPORT_TEXTS[language];
    const header = csvLine([...texts.columns, ...questions.map((question) => question.text)], delimiter);
    const words = { outcomes: OUTCOME_LABELS[language], tags: TAG_NAMES[language], ...YES_NO[language] };
    const client = await rawClient(this.db);
    let copy: CopyToStreamQuery;
    let rows: number;
    try {
      // One snapshot for the count in the audit log and the rows in the file.
      await client.query('begin isolation level repeatable read read only');
      rows = await repository.countCalls(client, campaign.id);
      await repository.prepareExport(client, campaign.timeZone);
      copy = client.query(copyTo(repository.callsCopySql(campaign.id, questions.map((question) => question.id), delimiter, words)));
    } catch (error) {
      client.release(error instanceof Error ? error : true);
      throw error;
    }
    const body = new PassThrough();
    body.write(BOM + header);
    const started = firstRows(copy);
    const finished = new Promise<void>((resolve) => {
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        // A reader gone before the end, or a failed COPY: the connection is closed, never reused mid-COPY.
        if (error) {
          client.release(error);
          resolve();
        } else {
          client.query('commit').then(
            () => client.release(),
            (failed: Error) => client.release(failed),
          ).finally(resolve);
        }
      };
      // At the reader's pace: pipe() pauses the COPY, and with it the socket from PostgreSQL, while the body is full.
      copy.pipe(body);
      const stalled = setTimeout(() => body.destroy(new Error('The reader stopped reading.')), STALLED_EXPORT_MS);
      stalled.unref();
      copy.on('data', () => stalled.refresh());
      body.on('close', () => clearTimeout(stalled));
      copy.on('end', () => settle());
      copy.on('error', (error) => {
        // The reply (and its log line) gets what happened, never the driver's error with its details.
        body.destroy(new Error('The export stopped: reading from the database failed.'));
        settle(error);
      });
      body.on('close', () => {
        if (copy.readableEnded) return;
        copy.destroy();
        settle(new Error('The reader went away before the end.'));
      });
    });
    // A COPY that fails before its first row answers with an error (a 500) instead of a cut file.
    await started;
    await recordAudit(this.db, {
      at: this.clock.now(),
      action: 'campaign.calls-exported',
      organisationId: campaign.organisationId,
      actorUserId: userId,
      details: { campaignId: campaign.id, campaign: campaign.name, rows },
    }).catch((error: unknown) => {
      body.destroy();
      throw error;
    });
    return { fileName: exportFileName(campaign.name, localDate(this.clock.now(), campaign.timeZone), texts), rows, body, finished };
  }
}

/** Settles when the COPY sends its first rows or ends without any; rejects when it fails first. */
function firstRows(copy: CopyToStreamQuery): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      copy.off('data', onData);
      copy.off('end', onData);
      copy.off('error', onError);
    };
    const onData = () => {
      stop();
      resolve();
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    copy.on('data', onData);
    copy.on('end', onData);
    copy.on('error', onError);
  });
}
