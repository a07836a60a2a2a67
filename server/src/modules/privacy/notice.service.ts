import type { Static } from 'typebox';
import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import { notFound } from '../../errors';
import { recordAudit } from '../audit/audit.service';
import { authorize } from '../organisations/organisations.service';
import { checkNotice, fillNotice, sourceExamples, sourcesPhrase } from './notice';
import * as repository from './notice.repository';
import type { OrganisationNotice } from './notice.schemas';
import { DEFAULT_NOTICE, privacySettings, type NoticeLanguage } from './privacy-settings';

// The first-contact notice (GDPR Art. 14): organisations write it (inherited down the tree, a campaign
// may have its own), and the calling engine fills it for a person no one has spoken to before.

/**
 * The notice in effect for an organisation, its own, and where it comes from. Organizers and admins of
 * the organisation or above read it (callers see it filled on their screen); admins change it.
 */
export async function organisationNotice(db: Database, userId: string, organisationId: string): Promise<Static<typeof OrganisationNotice>> {
  await authorize(db, userId, organisationId, 'organizer');
  return noticeView(db, organisationId);
}

async function noticeView(db: Database, organisationId: string): Promise<Static<typeof OrganisationNotice>> {
  const settings = await privacySettings(db, organisationId);
  const fromId = settings.notice.fromOrganisationId;
  const parentId = await repository.parentOf(db, organisationId);
  const aboveId = parentId === null ? null : (await privacySettings(db, parentId)).notice.fromOrganisationId;
  const names = await repository.organisationNames(db, [organisationId, ...[fromId, aboveId].filter((id): id is string => id !== null)]);
  const name = names.get(organisationId) ?? '';
  const named = (id: string | null) => (id === null ? null : { organisationId: id, name: names.get(id) ?? '' });
  return {
    organisationId,
    notice: settings.notice.value,
    own: fromId === organisationId ? settings.notice.value : null,
    from: named(fromId),
    inheritedFrom: named(aboveId),
    language: settings.language,
    defaultNotice: DEFAULT_NOTICE[settings.language],
    preview: { organisation: name, sources: sourceExamples(settings.language) },
  };
}

/**
 * Sets an organisation's own notice (null: inherit again). Admins only: the notice is what every
 * campaign of the organisation and the organisations beneath it tells people, the organisation's word
 * as data controller, like its other settings; organizers give their own campaign a notice of its own.
 */
export async function setOrganisationNotice(db: Database, clock: Clock, userId: string, organisationId: string, notice: string | null): Promise<Static<typeof OrganisationNotice>> {
  await authorize(db, userId, organisationId, 'admin');
  const checked = notice === null ? null : checkNotice(notice);
  await db.transaction().execute(async (trx) => {
    await repository.setOrganisationNotice(trx, organisationId, checked);
    await recordAudit(trx, { at: clock.now(), action: 'organisation.notice-changed', organisationId, actorUserId: userId, details: { own: checked !== null } });
  });
  return noticeView(db, organisationId);
}

/** What the engine fills for a campaign's people: its own notice or its organisation's, in the organisation's language. */
export interface NoticeTemplate {
  template: string;
  language: NoticeLanguage;
  organisationName: string;
}

export async function campaignNoticeTemplate(db: Database, organisationId: string, own: string | null): Promise<NoticeTemplate> {
  const settings = await privacySettings(db, organisationId);
  const organisationName = await repository.organisationName(db, organisationId);
  if (organisationName === undefined) throw notFound('The organisation');
  return { template: own ?? settings.notice.value, language: settings.language, organisationName };
}

/** Whether the notice is due for the person: no one has answered a call to them before, in any campaign. */
export async function noticeDue(db: Database, personId: number): Promise<boolean> {
  return !(await repository.answeredBefore(db, personId));
}

/** The notice filled for the person, or null when it is not due (someone spoke to them before). */
export async function noticeFor(db: Database, notice: NoticeTemplate, personId: number): Promise<string | null> {
  if (!(await noticeDue(db, personId))) return null;
  const source = sourcesPhrase(notice.language, await repository.personSources(db, personId));
  return fillNotice(notice.template, { organisation: notice.organisationName, source });
}

export const campaignNoticeFigures = repository.noticeFigures;
export { checkNotice };
