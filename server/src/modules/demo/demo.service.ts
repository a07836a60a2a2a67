import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import type { Role } from '../../contract/api';
import { createUsersSharingPassword, setupNeeded } from '../accounts/accounts.service';
import { queuedPeople, recordPastCalls } from '../calling/calling.service';
import { localTime } from '../campaigns/calling-window';
import { changeStatusAsSystem, createCampaign } from '../campaigns/campaigns.service';
import { ALWAYS_WINDOW, DEFAULT_WINDOW } from '../campaigns/outcomes';
import { ListImporter } from '../lists/lists.import';
import { listView, listViewsOf } from '../lists/lists.service';
import { addMembership, ensureOrganisationPath, listOrganisationsWithPaths } from '../organisations/organisations.service';
import { localDay, StatsService } from '../stats/stats.service';
import { createGroup, updateGroup } from '../target-groups/target-groups.service';
import { recordEndedSimulatedCalls } from '../telephony/telephony.service';
import { autumn, BUSES, CARE, DRAFT, OUTCOMES, recruitingAnswers, WELCOME, welcomeAnswers } from './demo-campaigns';
import { playSessions, type PlayedCall, type Profile, type Session } from './demo-calling';
import { csv, name, Numbers, person, PLACES, Random, type DemoPerson, type Municipality } from './demo-people';

// `npm start -- --demo`: a district of made-up people and weeks of calling, so that every screen has
// something to show and a demo caller can call at once. Everything goes through Ringa's own paths:
// lists through the importer, campaigns and target groups through their services, the history of calls
// through the calling engine's write path (so the figures are rolled up exactly as live calls are).

export const DEMO_PASSWORD = 'ringa-demo-2026';
/** Where the demo's lists say they came from: every person in them is made up. */
export const DEMO_SOURCE = 'Demodata (påhittade personer)';

const DISTRICT = 'Socialdemokraterna i Norrbotten';
const LULEA = `${DISTRICT}/Luleå arbetarekommun`;
const PITEA = `${DISTRICT}/Piteå arbetarekommun`;
const CENTRUM = `${LULEA}/S-föreningen Centrum`;
const BJORKSKATAN = `${LULEA}/S-föreningen Björkskatan`;
const OJEBYN = `${PITEA}/S-föreningen Öjebyn`;
const NORRFJARDEN = `${PITEA}/S-föreningen Norrfjärden`;
const TREE = [CENTRUM, BJORKSKATAN, OJEBYN, NORRFJARDEN];
const KINDS = ['partidistrikt', 'arbetarekommun', 'S-förening'];
const TIME_ZONE = 'Europe/Stockholm';

interface DemoUser {
  email: string;
  name: string;
  path: string;
  role: Role;
}

/** The accounts printed at the start, one of every role. */
const USERS: DemoUser[] = [
  { email: 'admin@demo.ringa.local', name: 'Anna Admin', path: DISTRICT, role: 'admin' },
  { email: 'distrikt@demo.ringa.local', name: 'Dan Distrikt', path: DISTRICT, role: 'organizer' },
  { email: 'lulea@demo.ringa.local', name: 'Lena Luleå', path: LULEA, role: 'organizer' },
  { email: 'centrum@demo.ringa.local', name: 'Cecilia Centrum', path: CENTRUM, role: 'organizer' },
  { email: 'ringare@demo.ringa.local', name: 'Rikard Ringare', path: CENTRUM, role: 'caller' },
  { email: 'ringare2@demo.ringa.local', name: 'Sara Ringare', path: OJEBYN, role: 'caller' },
];

/** Volunteers who made the calls of the weeks before (same password). */
const VOLUNTEERS: DemoUser[] = [
  ['Maja Lindberg', LULEA],
  ['Johan Öberg', LULEA],
  ['Elin Marklund', CENTRUM],
  ['Ahmed Hussein', CENTRUM],
  ['Kristina Nordström', BJORKSKATAN],
  ['Oskar Lundström', BJORKSKATAN],
  ['Birgitta Isaksson', PITEA],
  ['Linnea Burman', OJEBYN],
  ['Per Wikström', OJEBYN],
  ['Gunnar Sandström', NORRFJARDEN],
].map(([fullName, orgPath]) => ({ email: `${ascii(fullName as string).replace(' ', '.')}@demo.ringa.local`, name: fullName as string, path: orgPath as string, role: 'caller' }));

export interface DemoSignIn {
  email: string;
  password: string;
  name: string;
  role: Role;
  organisation: string;
}

export interface DemoResult {
  /** The accounts to print, one of every role. */
  signIns: DemoSignIn[];
  /** How many more callers there are, with the same password. */
  volunteers: number;
  /** False when the database held the demo district already: nothing was added. */
  seeded: boolean;
  people: number;
  calls: number;
  milliseconds: number;
}

/** The database holds organisations that are not the demo's: the demo is not seeded into it. */
export class DemoRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoRefused';
  }
}

const signIns = (): DemoSignIn[] => USERS.map((user) => ({ email: user.email, password: DEMO_PASSWORD, name: user.name, role: user.role, organisation: user.path }));

/**
 * Seeds the demo district into an empty database. On a database that holds the demo district already
 * (a second start with --demo) it adds nothing and says so; on one with any other organisation it
 * refuses (DemoRefused) and changes nothing.
 */
export async function seedDemo(db: Database, clock: Clock): Promise<DemoResult> {
  const started = performance.now();
  const state = await databaseState(db);
  if (state.kind === 'demo') return { signIns: signIns(), volunteers: VOLUNTEERS.length, seeded: false, people: 0, calls: 0, milliseconds: 0 };
  if (state.kind === 'other') {
    throw new DemoRefused(
      `This database already holds organisations (${state.names}); --demo seeds only an empty one, so that made-up people never mix with real ones. ` +
        'Start the demo on an empty database instead: DATA_DIR=./demo-data npm start -- --demo (or another DATABASE_URL).',
    );
  }
  const seeded = await new DemoSeeder(db, clock.now()).seed();
  return { signIns: signIns(), volunteers: VOLUNTEERS.length, seeded: true, ...seeded, milliseconds: Math.round(performance.now() - started) };
}

async function databaseState(db: Database): Promise<{ kind: 'empty' } | { kind: 'demo' } | { kind: 'other'; names: string }> {
  const organisations = await listOrganisationsWithPaths(db);
  if (organisations.length === 0 && (await setupNeeded(db))) return { kind: 'empty' };
  const roots = organisations.filter((organisation) => organisation.parentId === null);
  if (roots.length === 1 && roots[0]?.name === DISTRICT) {
    for (const organisation of organisations) if ((await listViewsOf(db, organisation.id)).some((list) => list.source?.name === DEMO_SOURCE)) return { kind: 'demo' };
  }
  const names = roots.slice(0, 3).map((root) => `"${root.name}"`).join(', ') + (roots.length > 3 ? ` and ${roots.length - 3} more` : '');
  return { kind: 'other', names: names || 'user accounts but no organisation' };
}

/** A clock the seeder moves through the weeks it plays out. */
class SeedClock implements Clock {
  constructor(private at: Date) {}
  now(): Date {
    return this.at;
  }
  set(at: Date): void {
    this.at = at;
  }
}

type Org = { id: string };

class DemoSeeder {
  private readonly random = new Random(20261205);
  private readonly numbers = new Numbers(this.random);
  private readonly clock: SeedClock;
  private readonly importer: ListImporter;
  private readonly today: string;
  private readonly orgs = new Map<string, Org>();
  private readonly users = new Map<string, string>();
  private people = 0;
  private calls = 0;

  constructor(
    private readonly db: Database,
    private readonly now: Date,
  ) {
    this.today = localDay(now, TIME_ZONE);
    this.clock = new SeedClock(this.at(80, '10:00'));
    this.importer = new ListImporter(db, this.clock, 50 * 1024 * 1024);
  }

  /** The local time on the day `daysAgo` days before today, never later than a minute ago. */
  private at(daysAgo: number, clockTime: string): Date {
    const [hours, minutes] = clockTime.split(':').map(Number) as [number, number];
    const wanted = Date.parse(`${this.day(daysAgo)}T00:00:00Z`) + (hours * 60 + minutes) * 60_000;
    let instant = wanted - 3_600_000;
    for (let i = 0; i < 3; i++) {
      const local = Date.parse(`${localDay(new Date(instant), TIME_ZONE)}T00:00:00Z`) + localTime(new Date(instant), TIME_ZONE).minute * 60_000;
      instant += wanted - local;
    }
    return new Date(Math.min(instant, this.now.getTime() - 60_000));
  }

  private day(daysAgo: number): string {
    const date = new Date(`${this.today}T12:00:00Z`);
    date.setUTCDate(date.getUTCDate() - daysAgo);
    return date.toISOString().slice(0, 10);
  }

  private weekday(daysAgo: number): number {
    return new Date(`${this.day(daysAgo)}T12:00:00Z`).getUTCDay();
  }

  private org(orgPath: string): Org {
    const found = this.orgs.get(orgPath);
    if (!found) throw new Error(`No demo organisation ${orgPath}`);
    return found;
  }

  private user(email: string): string {
    const found = this.users.get(email);
    if (!found) throw new Error(`No demo user ${email}`);
    return found;
  }

  private userByName(fullName: string): string {
    const user = [...USERS, ...VOLUNTEERS].find((candidate) => candidate.name === fullName);
    if (!user) throw new Error(`No demo user ${fullName}`);
    return this.user(user.email);
  }

  async seed(): Promise<{ people: number; calls: number }> {
    await this.organisationsAndUsers();
    await this.goals();
    const petitions = await this.petitionLists();
    const groups = await this.targetGroups(petitions);
    await this.autumnCampaign('Luleå', LULEA, groups.lulea.older, [CENTRUM, BJORKSKATAN], 42, 'Lena Luleå', [
      'Rikard Ringare', 'Cecilia Centrum', 'Lena Luleå', 'Maja Lindberg', 'Johan Öberg', 'Elin Marklund', 'Ahmed Hussein', 'Kristina Nordström', 'Oskar Lundström',
    ]);
    await this.autumnCampaign('Piteå', PITEA, groups.pitea.older, [OJEBYN, NORRFJARDEN], 35, 'Dan Distrikt', ['Sara Ringare', 'Birgitta Isaksson', 'Linnea Burman', 'Per Wikström', 'Gunnar Sandström']);
    await this.welcomeCampaign();
    await this.openCampaign([groups.lulea.younger, groups.pitea.younger]);
    await this.draftCampaign(groups.centrum);
    // Last, so that the people and calls drawn before it stay as they were.
    await this.powerCampaign();
    return { people: this.people, calls: this.calls };
  }

  private async organisationsAndUsers(): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const orgPath of TREE) await ensureOrganisationPath(trx, this.clock, orgPath, { country: 'SE', kinds: KINDS });
      for (const orgPath of [DISTRICT, LULEA, PITEA, ...TREE]) {
        this.orgs.set(orgPath, await ensureOrganisationPath(trx, this.clock, orgPath, { country: 'SE', kinds: KINDS }));
      }
      const everyone = [...USERS, ...VOLUNTEERS];
      const created = await createUsersSharingPassword(trx, this.clock, everyone, DEMO_PASSWORD);
      for (const [i, user] of everyone.entries()) {
        const id = (created[i] as { id: string }).id;
        await addMembership(trx, this.clock, id, this.org(user.path).id, user.role, null);
        this.users.set(user.email, id);
      }
    });
  }

  /** The district's goals for the year (DOMAIN: "400 new members yearly", a team of 25 callers), and the municipalities'. */
  private async goals(): Promise<void> {
    const stats = new StatsService(this.db, this.clock);
    const year = { startsOn: `${this.today.slice(0, 4)}-01-01`, endsOn: `${this.today.slice(0, 4)}-12-31` };
    const admin = this.user('admin@demo.ringa.local');
    await stats.createGoal(admin, this.org(DISTRICT).id, { metric: 'recruits', target: 400, ...year, label: 'Nya medlemmar i år' });
    await stats.createGoal(admin, this.org(DISTRICT).id, { metric: 'activeCallers', target: 25, ...year, label: 'Aktiva ringare i år' });
    await stats.createGoal(this.user('lulea@demo.ringa.local'), this.org(LULEA).id, { metric: 'recruits', target: 100, ...year, label: 'Minst 100 nya medlemmar i Luleå' });
    await stats.createGoal(admin, this.org(PITEA).id, { metric: 'recruits', target: 60, ...year, label: 'Nya medlemmar i Piteå' });
  }

  /** Imports a list through the importer, as an upload would be; fails loudly if it is not imported whole. */
  private async importList(orgPath: string, listName: string, content: string, createdBy: string, basis: 'members' | 'consent'): Promise<string> {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'ringa-demo-'));
    const filePath = path.join(folder, 'lista.csv');
    try {
      await writeFile(filePath, content, { mode: 0o600 });
      const id = await this.importer.start({
        organisationId: this.org(orgPath).id,
        name: listName,
        country: 'SE',
        filePath,
        originalName: `${listName}.csv`,
        createdBy,
        source: { kind: 'other', name: DEMO_SOURCE, date: null, basis },
        removeFile: true,
      });
      await this.importer.wait(id);
      const list = await listView(this.db, id);
      if (list.status !== 'ready' || list.counts.imported !== list.counts.rows) throw new Error(`The demo list "${listName}" did not import whole: ${JSON.stringify(list.counts)} ${list.error ?? ''}`);
      this.people += list.counts.imported;
      return id;
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }

  private async petitionLists(): Promise<{ lulea: string; pitea: string; centrum: string }> {
    this.clock.set(this.at(75, '09:30'));
    const lulea = await this.importList(LULEA, 'Namninsamling akutsjukvården – Luleå', this.peopleCsv('Luleå', 1800, 0.12), this.user('lulea@demo.ringa.local'), 'consent');
    const pitea = await this.importList(PITEA, 'Namninsamling akutsjukvården – Piteå', this.peopleCsv('Piteå', 1100, 0.12), this.user('distrikt@demo.ringa.local'), 'consent');
    this.clock.set(this.at(60, '19:10'));
    const centrum = await this.importList(CENTRUM, 'Kontaktkort från torgmötena', this.peopleCsv('Luleå', 140, 0.3), this.user('centrum@demo.ringa.local'), 'consent');
    return { lulea, pitea, centrum };
  }

  /** A list of made-up people of a municipality, as the party's petitions and surveys export them. */
  private peopleCsv(municipality: Municipality, count: number, memberShare: number): string {
    const header = ['Förnamn', 'Efternamn', 'Mobilnummer', 'Postnr', 'Ort', 'Kommun', 'Födelseår', 'Medlem'];
    const rows = Array.from({ length: count }, () => person(this.random, this.numbers, municipality, memberShare)).map((p: DemoPerson) => [
      p.firstName, p.lastName, p.mobile, p.postcode, p.place, p.municipality, String(p.born), p.member ? 'Ja' : 'Nej',
    ]);
    return csv(header, rows);
  }

  private async targetGroups(lists: { lulea: string; pitea: string; centrum: string }) {
    this.clock.set(this.at(74, '13:00'));
    const group = async (orgPath: string, by: string, groupName: string, listId: string, born: { min?: number; max?: number } | null) =>
      (
        await createGroup(this.db, this.clock, this.user(by), this.org(orgPath).id, {
          name: groupName,
          listIds: [listId],
          filters: born ? [{ attribute: 'Medlem', op: 'equals', value: 'Nej' }, { attribute: 'Födelseår', op: 'range', ...born }] : [],
        })
      ).id;
    const lulea = {
      older: await group(LULEA, 'lulea@demo.ringa.local', 'Luleå: ej medlemmar födda 1974 eller tidigare', lists.lulea, { max: 1974 }),
      younger: await group(LULEA, 'lulea@demo.ringa.local', 'Luleå: ej medlemmar födda 1975 eller senare', lists.lulea, { min: 1975 }),
    };
    const pitea = {
      older: await group(PITEA, 'distrikt@demo.ringa.local', 'Piteå: ej medlemmar födda 1979 eller tidigare', lists.pitea, { max: 1979 }),
      younger: await group(PITEA, 'distrikt@demo.ringa.local', 'Piteå: ej medlemmar födda 1980 eller senare', lists.pitea, { min: 1980 }),
    };
    this.clock.set(this.at(60, '19:20'));
    const centrum = await group(CENTRUM, 'centrum@demo.ringa.local', 'Alla från torgmötena', lists.centrum, null);
    return { lulea, pitea, centrum };
  }

  /** Sessions on the days from `fromDaysAgo` to `toDaysAgo`: weekday evenings (not Fridays) and Saturday late mornings. */
  private sessions(fromDaysAgo: number, toDaysAgo: number, callers: string[], perSession: [number, number], options: { saturdays?: boolean; fridays?: boolean } = {}): Session[] {
    const sessions: Session[] = [];
    for (let daysAgo = fromDaysAgo; daysAgo >= toDaysAgo; daysAgo--) {
      const weekday = this.weekday(daysAgo);
      const evening = weekday >= 1 && weekday <= (options.fridays ? 5 : 4);
      const saturday = weekday === 6 && options.saturdays !== false;
      if (!evening && !saturday) continue;
      const count = Math.min(callers.length, this.random.between(...perSession));
      const who = this.random.shuffle([...callers]).slice(0, count);
      sessions.push(evening ? { start: this.at(daysAgo, '18:00'), end: this.at(daysAgo, '20:00'), callers: who } : { start: this.at(daysAgo, '11:00'), end: this.at(daysAgo, '14:00'), callers: who });
    }
    return sessions;
  }

  /** Saves the calls through the engine's write path, and the simulated line's record of each answered one (its talk time). */
  private async save(campaignId: string, played: PlayedCall[]): Promise<void> {
    const saved = await recordPastCalls(this.db, campaignId, played);
    const talk = new Map(played.map((call) => [call, call.talkSeconds]));
    await recordEndedSimulatedCalls(
      this.db,
      saved.flatMap(({ call, leaseId }) => {
        const seconds = talk.get(call as PlayedCall) ?? 0;
        return seconds > 0 ? [{ leaseId, campaignId, personId: call.personId, callerId: call.callerId, startedAt: new Date(call.at.getTime() - seconds * 1000), durationSeconds: seconds }] : [];
      }),
    );
    this.calls += played.length;
  }

  private recruiting(choices: string[], extra: Partial<Profile> = {}): Profile {
    return {
      outcomes: [['no-answer', 52], ['busy', 5], ['voicemail', 15], ['wrong-number', 3], ['conversation', 14], ['positiv', 3], ['refused', 5], ['callback', 2], ['do-not-call', 1]],
      final: new Set(OUTCOMES.filter((outcome) => outcome.final).map((outcome) => outcome.code)),
      reached: new Set(OUTCOMES.filter((outcome) => outcome.reached).map((outcome) => outcome.code)),
      record: (random, outcome) => recruitingAnswers(random, outcome, choices),
      ...extra,
    };
  }

  /** A finished autumn campaign of a municipality: four weeks of calling evenings, ended two weeks ago. */
  private async autumnCampaign(municipality: 'Luleå' | 'Piteå', orgPath: string, groupId: string, teams: string[], startDaysAgo: number, organizer: string, callers: string[]): Promise<void> {
    this.clock.set(this.at(startDaysAgo + 3, '20:15'));
    const texts = autumn(municipality);
    const campaign = await createCampaign(this.db, this.clock, this.userByName(organizer), this.org(orgPath).id, {
      name: `Höstkampanj ${municipality}: vad ska kommunen satsa på?`,
      briefing: texts.briefing,
      startsAt: this.at(startDaysAgo, '00:00').toISOString(),
      endsAt: this.at(13, '00:00').toISOString(),
      callingWindow: DEFAULT_WINDOW,
      dialing: 'simulated',
      shownAttributes: ['Ort', 'Födelseår'],
      goals: [
        { metric: 'conversations', target: municipality === 'Luleå' ? 250 : 150 },
        { metric: 'recruits', target: municipality === 'Luleå' ? 40 : 25 },
      ],
      targetGroupIds: [groupId],
      callerTeamIds: teams.map((team) => this.org(team).id),
      script: texts.script,
      questions: texts.questions,
      outcomes: OUTCOMES,
    });
    this.clock.set(this.at(startDaysAgo, '09:00'));
    await changeStatusAsSystem(this.db, this.clock, campaign.id, 'active');
    const choices = (texts.questions.find((question) => question.id === 'viktigast') as { choices: { value: string }[] }).choices.map((choice) => choice.value);
    const people = await queuedPeople(this.db, campaign.id);
    const played = playSessions(this.random, people, this.sessions(startDaysAgo, 14, callers.map((fullName) => this.userByName(fullName)), [3, 5]), this.recruiting(choices), {
      until: this.at(13, '00:00'),
    });
    await this.save(campaign.id, played);
    this.clock.set(this.at(13, '10:00'));
    await changeStatusAsSystem(this.db, this.clock, campaign.id, 'finished');
  }

  /**
   * Luleå's new members come from the member register every Monday, a list a week; the welcome campaign
   * calls each within their two weeks (most of them), so its report has people welcomed in time, late,
   * overdue and still open. (Piteå has none yet: the district sees that too.)
   */
  private async welcomeCampaign(): Promise<void> {
    const organizer = this.user('lulea@demo.ringa.local');
    const associations: [string, Municipality][] = [
      ['S-föreningen Centrum', 'Luleå'],
      ['S-föreningen Björkskatan', 'Luleå'],
    ];
    const header = ['Förnamn', 'Efternamn', 'Mobil', 'E-post', 'Medlem sedan', 'Förening', 'Ort'];
    const listIds: string[] = [];
    const availableFrom = new Map<number, Date>();
    let groupId: string | null = null;
    let campaignId: string | null = null;
    for (let week = 8; week >= 1; week--) {
      // Joined in the seven days before the Monday `week` weeks back (or today, for the newest).
      const importDaysAgo = Math.max(0, (this.weekday(0) + 6) % 7 + 7 * (week - 1));
      const rows = Array.from({ length: this.random.between(14, 24) }, (_, i) => {
        const [association, municipality] = this.random.pick(associations);
        const { firstName, lastName } = name(this.random);
        const place = this.random.weighted(PLACES[municipality].map(([placeName, , weight]) => [placeName, weight] as const));
        return [firstName, lastName, this.numbers.mobile(), `${ascii(firstName)}.${ascii(lastName)}${week}${i}@example.org`, this.day(importDaysAgo + this.random.between(1, 7)), association, place];
      });
      const importedAt = this.at(importDaysAgo, '08:30');
      this.clock.set(importedAt);
      const first = this.day(importDaysAgo + 7);
      const last = this.day(importDaysAgo + 1);
      const listId = await this.importList(LULEA, `Nya medlemmar ${period(first, last)}`, csv(header, rows), organizer, 'members');
      listIds.push(listId);
      if (groupId === null || campaignId === null) {
        groupId = (await createGroup(this.db, this.clock, organizer, this.org(LULEA).id, { name: 'Nya medlemmar', listIds, filters: [] })).id;
        campaignId = (
          await createCampaign(this.db, this.clock, organizer, this.org(LULEA).id, {
            name: 'Välkomstsamtal till nya medlemmar',
            briefing: WELCOME.briefing,
            callingWindow: DEFAULT_WINDOW,
            dialing: 'simulated',
            shownAttributes: ['Förening', 'Medlem sedan', 'Ort'],
            welcomeAttribute: 'Medlem sedan',
            targetGroupIds: [groupId],
            callerTeamIds: [CENTRUM, BJORKSKATAN].map((team) => this.org(team).id),
            script: WELCOME.script,
            questions: WELCOME.questions,
            outcomes: OUTCOMES,
          })
        ).id;
      } else {
        await updateGroup(this.db, this.clock, organizer, groupId, { name: 'Nya medlemmar', listIds, filters: [] });
      }
      // Opening it again takes in the people the week's list brought.
      await changeStatusAsSystem(this.db, this.clock, campaignId, 'active');
      for (const personId of await queuedPeople(this.db, campaignId)) if (!availableFrom.has(personId)) availableFrom.set(personId, importedAt);
    }
    if (!campaignId) return;
    const callers = ['Lena Luleå', 'Maja Lindberg', 'Kristina Nordström', 'Elin Marklund'].map((fullName) => this.userByName(fullName));
    const profile: Profile = {
      outcomes: [['no-answer', 34], ['busy', 3], ['voicemail', 12], ['wrong-number', 1], ['conversation', 46], ['callback', 4]],
      final: new Set(OUTCOMES.filter((outcome) => outcome.final).map((outcome) => outcome.code)),
      reached: new Set(OUTCOMES.filter((outcome) => outcome.reached).map((outcome) => outcome.code)),
      record: (random, outcome) => welcomeAnswers(random, outcome),
      dialsPerSession: 6,
    };
    // A caller or two on some evenings: a few new members wait longer than two weeks.
    const sessions = this.sessions(56, 1, callers, [1, 2], { saturdays: false, fridays: true }).filter(() => this.random.chance(0.6));
    await this.save(campaignId, playSessions(this.random, [...availableFrom.keys()], sessions, profile, { availableFrom, until: this.at(0, '00:00') }));
  }

  /** The campaign open now: the district's December calling on the simulated line, open at any hour so a demo caller can call at once. */
  private async openCampaign(groupIds: string[]): Promise<void> {
    this.clock.set(this.at(6, '14:00'));
    const organizer = this.user('distrikt@demo.ringa.local');
    const campaign = await createCampaign(this.db, this.clock, organizer, this.org(DISTRICT).id, {
      name: 'Decemberringning: akutsjukvården i hela länet',
      briefing: CARE.briefing,
      callingWindow: ALWAYS_WINDOW,
      dialing: 'simulated',
      shownAttributes: ['Ort', 'Födelseår'],
      goals: [
        { metric: 'conversations', target: 150 },
        { metric: 'recruits', target: 25 },
      ],
      targetGroupIds: groupIds,
      callerTeamIds: [LULEA, PITEA, ...TREE].map((team) => this.org(team).id),
      script: CARE.script,
      questions: CARE.questions,
      outcomes: OUTCOMES,
    });
    this.clock.set(this.at(5, '09:00'));
    await changeStatusAsSystem(this.db, this.clock, campaign.id, 'active');
    const choices = (CARE.questions.find((question) => question.id === 'viktigast') as { choices: { value: string }[] }).choices.map((choice) => choice.value);
    const callers = ['Rikard Ringare', 'Sara Ringare', 'Elin Marklund', 'Per Wikström', 'Maja Lindberg', 'Dan Distrikt'].map((fullName) => this.userByName(fullName));
    const flags = ['Vill att en politiker ringer upp om väntetiderna på akuten.', 'Blev upprörd och ville inte prata mer. Lägg gärna en notering om personen ringer igen.'];
    let flagged = 0;
    const profile = this.recruiting(choices, {
      dialsPerSession: 14,
      record: (random, outcome) => {
        const record = recruitingAnswers(random, outcome, choices);
        return outcome === 'conversation' && flagged < flags.length && random.chance(0.08) ? { ...record, flag: flags[flagged++] } : record;
      },
    });
    const played = playSessions(this.random, await queuedPeople(this.db, campaign.id), this.sessions(4, 1, callers, [3, 5], { fridays: true }), profile, { until: this.at(0, '00:00') });
    await this.save(campaign.id, played);
  }

  /**
   * Ringa dialing for the caller: Luleå's call-around, opened this morning in power mode (two lines per caller)
   * on the simulated network and at any hour, with people of its own (a survey's answers) and no calls yet.
   */
  private async powerCampaign(): Promise<void> {
    const organizer = this.user('lulea@demo.ringa.local');
    this.clock.set(this.at(1, '16:40'));
    const listId = await this.importList(LULEA, 'Bussenkäten – Luleå (får ringas)', this.peopleCsv('Luleå', 500, 0.12), organizer, 'consent');
    const group = await createGroup(this.db, this.clock, organizer, this.org(LULEA).id, {
      name: 'Luleå: bussenkäten, ej medlemmar',
      listIds: [listId],
      filters: [{ attribute: 'Medlem', op: 'equals', value: 'Nej' }],
    });
    const campaign = await createCampaign(this.db, this.clock, organizer, this.org(LULEA).id, {
      name: BUSES.name,
      briefing: BUSES.briefing,
      callingWindow: ALWAYS_WINDOW,
      dialing: 'simulated',
      dialMode: 'power',
      linesPerCaller: 2,
      shownAttributes: ['Ort', 'Födelseår'],
      goals: [
        { metric: 'conversations', target: 80 },
        { metric: 'recruits', target: 10 },
      ],
      targetGroupIds: [group.id],
      callerTeamIds: [LULEA, CENTRUM, BJORKSKATAN].map((team) => this.org(team).id),
      script: BUSES.script,
      questions: BUSES.questions,
      outcomes: OUTCOMES,
    });
    this.clock.set(this.at(0, '08:00'));
    await changeStatusAsSystem(this.db, this.clock, campaign.id, 'active');
  }

  /** A draft an association is writing: something for the campaign editor to open. */
  private async draftCampaign(groupId: string): Promise<void> {
    this.clock.set(this.at(2, '21:05'));
    await createCampaign(this.db, this.clock, this.user('centrum@demo.ringa.local'), this.org(CENTRUM).id, {
      name: DRAFT.name,
      callingWindow: DEFAULT_WINDOW,
      dialing: 'simulated',
      shownAttributes: ['Ort'],
      targetGroupIds: [groupId],
      script: DRAFT.script,
      questions: [{ id: 'kommer', kind: 'yes-no', text: 'Kommer du på julglöggen?', tags: ['event'] }],
    });
  }
}

const MONTHS = ['januari', 'februari', 'mars', 'april', 'maj', 'juni', 'juli', 'augusti', 'september', 'oktober', 'november', 'december'];

/** "12–18 oktober", or "28 september–4 oktober" across a month's end. */
function period(first: string, last: string): string {
  const [, firstMonth, firstDay] = first.split('-').map(Number) as [number, number, number];
  const [, lastMonth, lastDay] = last.split('-').map(Number) as [number, number, number];
  return firstMonth === lastMonth ? `${firstDay}–${lastDay} ${MONTHS[lastMonth - 1]}` : `${firstDay} ${MONTHS[firstMonth - 1]}–${lastDay} ${MONTHS[lastMonth - 1]}`;
}

/** A name as an email address has it: lower case, å ä ö as a a o. */
function ascii(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z. ]/g, '');
}
