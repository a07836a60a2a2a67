import type { Static } from 'typebox';
import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import { badRequest, conflict, notFound } from '../../errors';
import { fillQueue } from '../calling/calling.repository';
import { authorize, organisationCountry } from '../organisations/organisations.service';
import { recordAudit } from '../audit/audit.service';
import { campaignNoticeFigures, campaignNoticeTemplate, checkNotice, type NoticeTemplate } from '../privacy/notice.service';
import { membersOfGroups } from '../target-groups/target-groups.service';
import { outsideNormalHours, windowProblem } from './calling-window';
import * as repository from './campaigns.repository';
import {
  type CampaignForCaller,
  type CampaignInputValue,
  type CampaignSettingsValue,
  type CampaignStatusValue,
  type CampaignViewValue,
  type CallingWindowValue,
  type DialingValue,
  type DialModeValue,
  type GoalValue,
  type OutcomeValue,
  type QuestionValue,
  type ScriptInputValue,
} from './campaigns.schemas';
import { BUILT_IN_CODES, DEFAULT_OUTCOMES, DEFAULT_RETRY_HOURS, normalWindow } from './outcomes';
import { checkMergeFields } from './merge-fields';

// The shapes live with the other schemas (the contract derives its types from them); exported here as before.
export { CampaignInput, StatusChange, type CampaignInputValue } from './campaigns.schemas';

/** The moves a campaign's status may make: draft → active ⇄ paused → finished. */
const MOVES: Record<CampaignStatusValue, CampaignStatusValue[]> = {
  draft: ['active'],
  active: ['paused', 'finished'],
  paused: ['active', 'finished'],
  finished: [],
};

/** Outcomes as the organizer gave them, with every built-in code kept (the engine relies on them). */
function checkOutcomes(outcomes: OutcomeValue[]): OutcomeValue[] {
  const codes = new Set<string>();
  for (const outcome of outcomes) {
    if (codes.has(outcome.code)) throw badRequest('invalid_outcomes', `The outcome "${outcome.code}" is there twice.`);
    codes.add(outcome.code);
    if (!BUILT_IN_CODES.has(outcome.code) && outcome.label.trim() === '') throw badRequest('invalid_outcomes', `The outcome "${outcome.code}" needs a label callers can read.`);
  }
  for (const code of BUILT_IN_CODES) if (!codes.has(code)) throw badRequest('invalid_outcomes', `The outcome "${code}" cannot be removed; it may be relabelled.`);
  // The built-in meanings stay: a do-not-call is final, a callback comes back.
  return outcomes.map((outcome) => {
    const builtIn = DEFAULT_OUTCOMES.find((candidate) => candidate.code === outcome.code);
    return builtIn ? { ...outcome, reached: builtIn.reached, final: builtIn.final } : outcome;
  });
}

function checkQuestions(questions: QuestionValue[]): void {
  const seen = new Map<string, QuestionValue>();
  for (const question of questions) {
    if (seen.has(question.id)) throw badRequest('invalid_questions', `Two questions have the id "${question.id}".`);
    if (question.when) {
      const earlier = seen.get(question.when.question);
      if (!earlier) throw badRequest('invalid_questions', `Question "${question.id}" depends on "${question.when.question}", which must come before it.`);
      const values = earlier.kind === 'yes-no' ? ['true', 'false'] : earlier.kind === 'text' ? null : earlier.choices.map((choice) => choice.value);
      if (values === null) throw badRequest('invalid_questions', `Question "${question.id}" cannot depend on a free-text answer.`);
      const unknown = question.when.values.find((value) => !values.includes(value));
      if (unknown !== undefined) throw badRequest('invalid_questions', `Question "${question.id}" depends on the answer "${unknown}", which "${earlier.id}" does not offer.`);
    }
    seen.set(question.id, question);
  }
}

function checkPeriod(startsAt: string | null | undefined, endsAt: string | null | undefined): void {
  if (startsAt && endsAt && new Date(endsAt) <= new Date(startsAt)) throw badRequest('invalid_period', 'The campaign must end after it starts.');
}

function checkWindow(window: CallingWindowValue): void {
  const problem = windowProblem(window);
  if (problem) throw badRequest('invalid_calling_window', problem);
}

/** Runs `work` in the transaction `db` already is, or in a new one (the CLI composes several steps in one). */
function inTransaction<T>(db: Database, work: (trx: Database) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/** The server dials for callers (power, predictive) only on a line it places calls on: never on the callers' own phones. */
function checkDialMode(dialing: DialingValue, dialMode: DialModeValue): void {
  if (dialMode !== 'preview' && dialing === 'own-phone') {
    throw badRequest('dial_mode_needs_browser_line', `Ringa can dial for callers (${dialMode}) only when calls go through the browser (Twilio or the simulated network), not when callers use their own phones.`);
  }
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw badRequest('validation', 'The campaign needs a name.');
  return trimmed;
}

export async function createCampaign(db: Database, clock: Clock, userId: string, organisationId: string, input: CampaignInputValue): Promise<CampaignViewValue> {
  await authorize(db, userId, organisationId, 'organizer');
  await checkTeams(db, userId, input.callerTeamIds ?? []);
  return insertCampaign(db, clock, userId, organisationId, input);
}

/** Creates a campaign as the system (the CLI): no user, so no authorization and no creator. */
export function createCampaignAsSystem(db: Database, clock: Clock, organisationId: string, input: CampaignInputValue): Promise<CampaignViewValue> {
  return insertCampaign(db, clock, null, organisationId, input);
}

async function insertCampaign(db: Database, clock: Clock, createdBy: string | null, organisationId: string, input: CampaignInputValue): Promise<CampaignViewValue> {
  const name = checkName(input.name);
  const window = input.callingWindow ?? normalWindow(await organisationCountry(db, organisationId));
  checkWindow(window);
  checkPeriod(input.startsAt, input.endsAt);
  checkDialMode(input.dialing ?? 'own-phone', input.dialMode ?? 'preview');
  const outcomes = checkOutcomes(input.outcomes ?? DEFAULT_OUTCOMES);
  const questions = input.questions ?? [];
  checkQuestions(questions);
  checkMergeFields(input.script ?? '', questions, input.shownAttributes ?? []);
  const groupIds = [...new Set(input.targetGroupIds)];
  await checkGroups(db, organisationId, groupIds);
  const now = clock.now();
  const id = await inTransaction(db, async (trx) => {
    const campaign = await repository.insertCampaign(trx, {
      organisationId,
      name,
      briefing: input.briefing ?? '',
      startsAt: input.startsAt ? new Date(input.startsAt) : null,
      endsAt: input.endsAt ? new Date(input.endsAt) : null,
      callingWindow: JSON.stringify(window),
      dialing: input.dialing ?? 'own-phone',
      dialMode: input.dialMode ?? 'preview',
      linesPerCaller: input.linesPerCaller ?? 2,
      maxAttempts: input.maxAttempts ?? 3,
      retryHours: JSON.stringify(input.retryHours ?? DEFAULT_RETRY_HOURS),
      shownAttributes: input.shownAttributes ?? [],
      welcomeAttribute: input.welcomeAttribute ?? null,
      goals: JSON.stringify(input.goals ?? []),
      createdBy,
      createdAt: now,
      updatedAt: now,
    });
    await repository.setTargetGroups(trx, campaign.id, groupIds);
    await repository.setCallerTeams(trx, campaign.id, teamsBesides(organisationId, input.callerTeamIds));
    await repository.insertVersion(trx, {
      campaignId: campaign.id,
      script: input.script ?? '',
      questions: JSON.stringify(questions),
      outcomes: JSON.stringify(outcomes),
      createdBy,
      createdAt: now,
    });
    return campaign.id;
  });
  return view(db, clock, id);
}

/** An organizer invites teams they organize (a district, any association beneath it); the system, any. */
async function checkTeams(db: Database, userId: string, teamIds: string[]): Promise<void> {
  for (const teamId of new Set(teamIds)) {
    try {
      await authorize(db, userId, teamId, 'organizer');
    } catch {
      throw badRequest('unknown_team', 'A team to invite was not found among the organisations you organize.');
    }
  }
}

/** The invited teams, without the campaign's own organisation (its people may call anyway). */
function teamsBesides(organisationId: string, teamIds: string[] | undefined): string[] {
  return [...new Set(teamIds ?? [])].filter((id) => id !== organisationId);
}

/** Target groups must belong to the organisation or one beneath it (as a target group's lists must). */
async function checkGroups(db: Database, organisationId: string, groupIds: string[]): Promise<void> {
  if (groupIds.length === 0) throw badRequest('target_group_required', 'Choose at least one target group.');
  const found = await db
    .selectFrom('targetGroup')
    .innerJoin('organisationClosure', 'organisationClosure.descendantId', 'targetGroup.organisationId')
    .select('targetGroup.id')
    .where('targetGroup.id', 'in', groupIds)
    .where('organisationClosure.ancestorId', '=', organisationId)
    .execute();
  if (found.length !== new Set(groupIds).size) throw badRequest('unknown_target_group', 'A target group was not found in this organisation.');
}

export async function getCampaign(db: Database, clock: Clock, userId: string, campaignId: string): Promise<CampaignViewValue> {
  const campaign = await repository.findCampaign(db, campaignId);
  if (!campaign) throw notFound('The campaign');
  await authorize(db, userId, campaign.organisationId, 'organizer');
  return view(db, clock, campaignId);
}

export async function listCampaigns(db: Database, clock: Clock, userId: string, organisationId: string): Promise<CampaignViewValue[]> {
  await authorize(db, userId, organisationId, 'organizer');
  const rows = await repository.campaignsOf(db, organisationId);
  return Promise.all(rows.map((row) => view(db, clock, row.id)));
}

/**
 * Moves a campaign along draft → active ⇄ paused → finished. Opening (and reopening) it fills its
 * queue from its target groups: people added to their lists since come in, the rest stay as they are.
 */
export async function changeStatus(db: Database, clock: Clock, userId: string, campaignId: string, status: CampaignStatusValue): Promise<CampaignViewValue> {
  const campaign = await repository.findCampaign(db, campaignId);
  if (!campaign) throw notFound('The campaign');
  await authorize(db, userId, campaign.organisationId, 'organizer');
  return moveStatus(db, clock, campaignId, status);
}

/** changeStatus as the system (the CLI): no user, so no authorization. */
export async function changeStatusAsSystem(db: Database, clock: Clock, campaignId: string, status: CampaignStatusValue): Promise<CampaignViewValue> {
  if (!(await repository.findCampaign(db, campaignId))) throw notFound('The campaign');
  return moveStatus(db, clock, campaignId, status);
}

async function moveStatus(db: Database, clock: Clock, campaignId: string, status: CampaignStatusValue): Promise<CampaignViewValue> {
  await inTransaction(db, async (trx) => {
    // Read under the row lock, so that two moves at once cannot, say, reopen a campaign just finished.
    const campaign = await repository.lockCampaign(trx, campaignId);
    if (!campaign) throw notFound('The campaign');
    const from = campaign.status as CampaignStatusValue;
    if (from !== status && !MOVES[from].includes(status)) {
      throw conflict('invalid_status_change', `A ${from} campaign cannot become ${status}.`);
    }
    if (status === 'active') {
      const groups = await repository.targetGroupIds(trx, campaignId);
      await fillQueue(trx, campaignId, await membersOfGroups(trx, groups));
    }
    // When it finished starts the retention of its calls' answers and notes; a campaign moved on from finished has not finished.
    const now = clock.now();
    const finishedAt = status !== 'finished' ? null : from === 'finished' ? (campaign.finishedAt ?? now) : now;
    await repository.updateCampaign(trx, campaignId, { status, finishedAt, updatedAt: now });
  });
  forget(campaignId);
  return view(db, clock, campaignId);
}

/**
 * Changes a campaign's settings; what the input leaves out stays. When the target groups of a
 * running (or paused) campaign change, people of the new groups join the queue at once and those
 * no longer in any group leave it, unless they have been called already (their retries and
 * callbacks stay).
 */
export async function updateSettings(db: Database, clock: Clock, userId: string, campaignId: string, input: CampaignSettingsValue): Promise<CampaignViewValue> {
  const current = await repository.findCampaign(db, campaignId);
  if (!current) throw notFound('The campaign');
  await authorize(db, userId, current.organisationId, 'organizer');
  const name = input.name === undefined ? undefined : checkName(input.name);
  if (input.callingWindow) checkWindow(input.callingWindow);
  const startsAt = input.startsAt === undefined ? current.startsAt : input.startsAt === null ? null : new Date(input.startsAt);
  const endsAt = input.endsAt === undefined ? current.endsAt : input.endsAt === null ? null : new Date(input.endsAt);
  checkPeriod(startsAt?.toISOString(), endsAt?.toISOString());
  const groupIds = input.targetGroupIds === undefined ? undefined : [...new Set(input.targetGroupIds)];
  if (groupIds) await checkGroups(db, current.organisationId, groupIds);
  if (input.callerTeamIds) await checkTeams(db, userId, input.callerTeamIds);
  const notice = input.notice === undefined || input.notice === null ? input.notice : checkNotice(input.notice);
  await db.transaction().execute(async (trx) => {
    const campaign = await repository.lockCampaign(trx, campaignId);
    if (!campaign) throw notFound('The campaign');
    // Checked against the row as locked: the line and the mode may each change alone.
    checkDialMode(input.dialing ?? (campaign.dialing as DialingValue), input.dialMode ?? (campaign.dialMode as DialModeValue));
    await repository.updateCampaign(trx, campaignId, {
      ...(name !== undefined ? { name } : {}),
      ...(input.briefing !== undefined ? { briefing: input.briefing } : {}),
      startsAt,
      endsAt,
      ...(input.callingWindow ? { callingWindow: JSON.stringify(input.callingWindow) } : {}),
      ...(input.dialing ? { dialing: input.dialing } : {}),
      ...(input.dialMode ? { dialMode: input.dialMode } : {}),
      ...(input.linesPerCaller !== undefined ? { linesPerCaller: input.linesPerCaller } : {}),
      ...(input.maxAttempts !== undefined ? { maxAttempts: input.maxAttempts } : {}),
      ...(input.retryHours ? { retryHours: JSON.stringify(input.retryHours) } : {}),
      ...(input.shownAttributes ? { shownAttributes: input.shownAttributes } : {}),
      ...(input.welcomeAttribute !== undefined ? { welcomeAttribute: input.welcomeAttribute } : {}),
      ...(input.goals ? { goals: JSON.stringify(input.goals) } : {}),
      ...(notice !== undefined ? { notice } : {}),
      updatedAt: clock.now(),
    });
    if (notice !== undefined && notice !== campaign.notice) {
      await recordAudit(trx, { at: clock.now(), action: 'campaign.notice-changed', organisationId: current.organisationId, actorUserId: userId, details: { campaignId, own: notice !== null } });
    }
    if (input.callerTeamIds) await repository.setCallerTeams(trx, campaignId, teamsBesides(current.organisationId, input.callerTeamIds));
    if (groupIds) {
      await repository.setTargetGroups(trx, campaignId, groupIds);
      if (campaign.status === 'active' || campaign.status === 'paused') {
        const members = await membersOfGroups(trx, groupIds);
        await repository.dropUncalled(trx, campaignId, members);
        await fillQueue(trx, campaignId, members);
      }
    }
  });
  forget(campaignId);
  return view(db, clock, campaignId);
}

/** Saves script, questions and outcomes as the campaign's next version (calls made so far keep theirs), or as the current one if nobody has called with it. */
export async function saveScript(db: Database, clock: Clock, userId: string, campaignId: string, input: ScriptInputValue): Promise<CampaignViewValue> {
  const campaign = await repository.findCampaign(db, campaignId);
  if (!campaign) throw notFound('The campaign');
  await authorize(db, userId, campaign.organisationId, 'organizer');
  const outcomes = checkOutcomes(input.outcomes);
  checkQuestions(input.questions);
  checkMergeFields(input.script, input.questions, campaign.shownAttributes);
  const now = clock.now();
  await db.transaction().execute(async (trx) => {
    // Versions are numbered one after another: two saves at once wait for each other.
    if (!(await repository.lockCampaign(trx, campaignId))) throw notFound('The campaign');
    const content = { script: input.script, questions: JSON.stringify(input.questions), outcomes: JSON.stringify(outcomes), createdBy: userId, createdAt: now };
    // Versions count what was called: one nobody has called yet is edited where it is.
    const current = await repository.lockCurrentVersion(trx, campaignId);
    if (await repository.versionCalled(trx, current.id)) await repository.insertVersion(trx, { campaignId, ...content });
    else await repository.updateVersion(trx, current.id, content);
    await repository.updateCampaign(trx, campaignId, { updatedAt: now });
  });
  forget(campaignId);
  return view(db, clock, campaignId);
}

async function view(db: Database, clock: Clock, campaignId: string): Promise<CampaignViewValue> {
  const campaign = await repository.findCampaign(db, campaignId);
  if (!campaign) throw notFound('The campaign');
  const version = await repository.currentVersion(db, campaignId);
  const window = campaign.callingWindow as CallingWindowValue;
  return {
    id: campaign.id,
    organisationId: campaign.organisationId,
    name: campaign.name,
    briefing: campaign.briefing,
    startsAt: campaign.startsAt ? new Date(campaign.startsAt).toISOString() : null,
    endsAt: campaign.endsAt ? new Date(campaign.endsAt).toISOString() : null,
    callingWindow: window,
    windowWarning: outsideNormalHours(window, normalWindow(await organisationCountry(db, campaign.organisationId))),
    dialing: campaign.dialing as CampaignViewValue['dialing'],
    dialMode: campaign.dialMode as DialModeValue,
    linesPerCaller: campaign.linesPerCaller,
    status: campaign.status as CampaignStatusValue,
    maxAttempts: campaign.maxAttempts,
    retryHours: campaign.retryHours as Record<string, number>,
    shownAttributes: campaign.shownAttributes,
    welcomeAttribute: campaign.welcomeAttribute,
    notice: campaign.notice,
    noticeFigures: await campaignNoticeFigures(db, campaignId),
    goals: campaign.goals as GoalValue[],
    targetGroupIds: await repository.targetGroupIds(db, campaignId),
    callerTeams: await repository.callerTeams(db, campaignId),
    version: version.version,
    versionCalled: await repository.versionCalled(db, version.id),
    script: version.script,
    questions: version.questions as QuestionValue[],
    outcomes: version.outcomes as OutcomeValue[],
    ...(await callFigures(db, campaignId)),
    queue: await repository.queueFigures(db, campaignId, clock.now()),
    createdAt: new Date(campaign.createdAt).toISOString(),
    updatedAt: new Date(campaign.updatedAt).toISOString(),
  };
}

// --- for the calling engine -------------------------------------------------------------------------

export interface EngineCampaign {
  id: string;
  organisationId: string;
  status: string;
  startsAt: Date | null;
  endsAt: Date | null;
  callingWindow: CallingWindowValue;
  timeZone: string;
  maxAttempts: number;
  retryHours: Record<string, number>;
  shownAttributes: string[];
  /** Organisations whose people may call here besides the campaign's own. */
  callerTeamIds: string[];
  versionId: number;
  version: number;
  outcomes: OutcomeValue[];
  questions: QuestionValue[];
  /** The first-contact notice its people hear, to be filled per person. */
  notice: NoticeTemplate;
  forCaller: Static<typeof CampaignForCaller>;
}

/** A campaign's calls so far: all, conversations, and the calls counting for each tag (for goals). */
export async function callFigures(db: Database, campaignId: string) {
  const { calls, conversations, ...tags } = await repository.callFigures(db, campaignId);
  return { calls, conversations, tags };
}

/** The questions and outcomes of one version of a campaign: a call is corrected under the version it was made under. */
export async function versionRules(db: Database, versionId: number): Promise<{ questions: QuestionValue[]; outcomes: OutcomeValue[] }> {
  const version = await repository.findVersion(db, versionId);
  if (!version) throw notFound('The script version');
  return { questions: version.questions as QuestionValue[], outcomes: version.outcomes as OutcomeValue[] };
}

/**
 * Campaigns the engine read within the last second: every claim needs one, and they change rarely.
 * The read itself is shared, so that the callers asking while it runs do not each read it again.
 */
const cache = new Map<string, { at: number; campaign: Promise<EngineCampaign | undefined> }>();
const CACHE_MS = 1000;

/** The campaign changed (here, or in another process that says so): the engine reads it anew. */
export function forget(campaignId: string): void {
  cache.delete(campaignId);
}

/** A campaign with its current version and its organisation's time zone, as the engine uses it (no authorisation). */
export function campaignForEngine(db: Database, campaignId: string): Promise<EngineCampaign | undefined> {
  const cached = cache.get(campaignId);
  if (cached && performance.now() - cached.at < CACHE_MS) return cached.campaign;
  const campaign = readEngineCampaign(db, campaignId);
  const entry = { at: performance.now(), campaign };
  cache.set(campaignId, entry);
  // A failed read is not kept.
  campaign.catch(() => cache.get(campaignId) === entry && cache.delete(campaignId));
  return campaign;
}

async function readEngineCampaign(db: Database, campaignId: string): Promise<EngineCampaign | undefined> {
  const row = await db
    .selectFrom('campaign')
    .innerJoin('organisation', 'organisation.id', 'campaign.organisationId')
    .selectAll('campaign')
    .select('organisation.timeZone')
    .where('campaign.id', '=', campaignId)
    .executeTakeFirst();
  if (!row) return undefined;
  const version = await repository.currentVersion(db, campaignId);
  const callingWindow = row.callingWindow as CallingWindowValue;
  const outcomes = version.outcomes as OutcomeValue[];
  const questions = version.questions as QuestionValue[];
  const campaign: EngineCampaign = {
    id: row.id,
    organisationId: row.organisationId,
    status: row.status,
    startsAt: row.startsAt ? new Date(row.startsAt) : null,
    endsAt: row.endsAt ? new Date(row.endsAt) : null,
    callingWindow,
    timeZone: row.timeZone,
    maxAttempts: row.maxAttempts,
    retryHours: row.retryHours as Record<string, number>,
    shownAttributes: row.shownAttributes,
    callerTeamIds: (await repository.callerTeams(db, campaignId)).map((team) => team.id),
    versionId: Number(version.id),
    version: version.version,
    outcomes,
    questions,
    notice: await campaignNoticeTemplate(db, row.organisationId, row.notice),
    forCaller: {
      id: row.id,
      name: row.name,
      briefing: row.briefing,
      script: version.script,
      version: version.version,
      questions,
      outcomes,
      callingWindow,
      timeZone: row.timeZone,
      dialing: row.dialing as EngineCampaign['forCaller']['dialing'],
      dialMode: row.dialMode as DialModeValue,
      linesPerCaller: row.linesPerCaller,
      status: row.status as CampaignStatusValue,
      goals: row.goals as GoalValue[],
    },
  };
  return campaign;
}
