import type { Language } from '../../contract/language';
import type { PersonExportValue } from './people.schemas';

// An access export (GDPR Art. 15) in plain words, in the language of the person it is handed to.

interface ExportWords {
  noName: string;
  since: (organisation: string, day: string) => string;
  attributes: string;
  lists: (count: number) => string;
  source: Record<string, string>;
  basis: Record<string, string>;
  notRecorded: string;
  sourceWord: string;
  basisWord: string;
  imported: (day: string) => string;
  campaigns: (count: number) => string;
  status: Record<string, string>;
  calls: (count: number) => string;
  answersDeletedOn: (day: string) => string;
  answersDeletedAfter: (months: number) => string;
  callBy: (at: string, caller: string) => string;
  formerCaller: string;
  yes: string;
  no: string;
  notes: string;
  noteForNext: string;
  flag: string;
  callBack: string;
  notOnRegister: string;
  onRegister: string;
  registerEntry: (organisation: string, day: string) => string;
  keptWhileObjecting: string;
  telephony: (count: number) => string;
  deletedOn: (day: string, months: number, after: 'last-campaign' | 'last-import') => string;
  keptWhile: (because: 'running-campaign' | 'unfinished-campaign', months: number) => string;
}

const WORDS: Record<Language, ExportWords> = {
  sv: {
    noName: '(inget namn)',
    since: (organisation, day) => `Organisation: ${organisation}. I Ringa sedan ${day}.`,
    attributes: 'Uppgifter',
    lists: (count) => `Listor (${count}):`,
    source: { broker: 'köpt från en listmäklare', members: 'partiets medlemsregister', signup: 'personer som anmält sig eller samtyckt', other: 'annat' },
    basis: { members: 'medlemmar och personer i regelbunden kontakt (art. 9.2 d)', consent: 'samtycke', 'legitimate-interest': 'berättigat intresse' },
    notRecorded: 'inte angiven',
    sourceWord: 'källa',
    basisWord: 'rättslig grund',
    imported: (day) => `importerad ${day}`,
    campaigns: (count) => `Kampanjer (${count}):`,
    status: { draft: 'utkast', active: 'pågår', paused: 'pausad', finished: 'avslutad' },
    calls: (count) => (count === 1 ? '1 samtal' : `${count} samtal`),
    answersDeletedOn: (day) => `svar och anteckningar raderas ${day}`,
    answersDeletedAfter: (months) => `svar och anteckningar raderas ${months} månader efter att den avslutats`,
    callBy: (at, caller) => `${at} UTC av ${caller}`,
    formerCaller: 'en tidigare ringare',
    yes: 'ja',
    no: 'nej',
    notes: 'Anteckningar',
    noteForNext: 'Anteckning till nästa ringare',
    flag: 'Flaggad',
    callBack: 'Ring tillbaka',
    notOnRegister: 'Står inte i spärrlistan.',
    onRegister: 'Står i spärrlistan:',
    registerEntry: (organisation, day) => `${organisation} sedan ${day}`,
    keptWhileObjecting: 'sparas så länge invändningen gäller',
    telephony: (count) => `Telefoniposter: ${count} samtal ringda genom Ringa (raderas med personen).`,
    deletedOn: (day, months, after) => `Personen raderas ${day} (${months} månader efter att ${after === 'last-campaign' ? 'den senaste kampanjen som ringde hen avslutades' : 'den senaste listan hen finns på importerades'}).`,
    keptWhile: (because, months) => `Personen sparas så länge ${because === 'running-campaign' ? 'en pågående kampanj använder en lista hen finns på' : 'en kampanj som ringde hen inte har avslutats'}; därefter ${months} månader.`,
  },
  da: {
    noName: '(intet navn)',
    since: (organisation, day) => `Organisation: ${organisation}. I Ringa siden ${day}.`,
    attributes: 'Oplysninger',
    lists: (count) => `Lister (${count}):`,
    source: { broker: 'købt hos en listemægler', members: 'partiets medlemsregister', signup: 'personer, der har tilmeldt sig eller givet samtykke', other: 'andet' },
    basis: { members: 'medlemmer og personer i regelmæssig kontakt (art. 9, stk. 2, litra d)', consent: 'samtykke', 'legitimate-interest': 'legitim interesse' },
    notRecorded: 'ikke angivet',
    sourceWord: 'kilde',
    basisWord: 'retsgrundlag',
    imported: (day) => `importeret ${day}`,
    campaigns: (count) => `Kampagner (${count}):`,
    status: { draft: 'kladde', active: 'i gang', paused: 'sat på pause', finished: 'afsluttet' },
    calls: (count) => (count === 1 ? '1 opkald' : `${count} opkald`),
    answersDeletedOn: (day) => `svar og noter slettes ${day}`,
    answersDeletedAfter: (months) => `svar og noter slettes ${months} måneder efter, at den er afsluttet`,
    callBy: (at, caller) => `${at} UTC af ${caller}`,
    formerCaller: 'en tidligere ringer',
    yes: 'ja',
    no: 'nej',
    notes: 'Noter',
    noteForNext: 'Note til næste ringer',
    flag: 'Markeret',
    callBack: 'Ring tilbage',
    notOnRegister: 'Står ikke på ring ikke-listen.',
    onRegister: 'Står på ring ikke-listen:',
    registerEntry: (organisation, day) => `${organisation} siden ${day}`,
    keptWhileObjecting: 'gemmes, så længe indsigelsen gælder',
    telephony: (count) => `Telefoniposter: ${count} opkald foretaget gennem Ringa (slettes med personen).`,
    deletedOn: (day, months, after) => `Personen slettes ${day} (${months} måneder efter, at ${after === 'last-campaign' ? 'den seneste kampagne, der ringede til personen, blev afsluttet' : 'den seneste liste, personen står på, blev importeret'}).`,
    keptWhile: (because, months) => `Personen gemmes, så længe ${because === 'running-campaign' ? 'en igangværende kampagne bruger en liste, personen står på' : 'en kampagne, der ringede til personen, ikke er afsluttet'}; derefter ${months} måneder.`,
  },
  nb: {
    noName: '(uten navn)',
    since: (organisation, day) => `Organisasjon: ${organisation}. I Ringa siden ${day}.`,
    attributes: 'Opplysninger',
    lists: (count) => `Lister (${count}):`,
    source: { broker: 'kjøpt fra en listemegler', members: 'partiets medlemsregister', signup: 'personer som har meldt seg på eller samtykket', other: 'annet' },
    basis: { members: 'medlemmer og personer i regelmessig kontakt (art. 9 nr. 2 bokstav d)', consent: 'samtykke', 'legitimate-interest': 'berettiget interesse' },
    notRecorded: 'ikke oppgitt',
    sourceWord: 'kilde',
    basisWord: 'behandlingsgrunnlag',
    imported: (day) => `importert ${day}`,
    campaigns: (count) => `Kampanjer (${count}):`,
    status: { draft: 'kladd', active: 'pågår', paused: 'satt på pause', finished: 'avsluttet' },
    calls: (count) => (count === 1 ? '1 samtale' : `${count} samtaler`),
    answersDeletedOn: (day) => `svar og notater slettes ${day}`,
    answersDeletedAfter: (months) => `svar og notater slettes ${months} måneder etter at den er avsluttet`,
    callBy: (at, caller) => `${at} UTC av ${caller}`,
    formerCaller: 'en tidligere ringer',
    yes: 'ja',
    no: 'nei',
    notes: 'Notater',
    noteForNext: 'Notat til neste ringer',
    flag: 'Flagget',
    callBack: 'Ring tilbake',
    notOnRegister: 'Står ikke på reservasjonslisten.',
    onRegister: 'Står på reservasjonslisten:',
    registerEntry: (organisation, day) => `${organisation} siden ${day}`,
    keptWhileObjecting: 'lagres så lenge innsigelsen gjelder',
    telephony: (count) => `Telefoniposter: ${count} samtaler ringt gjennom Ringa (slettes med personen).`,
    deletedOn: (day, months, after) => `Personen slettes ${day} (${months} måneder etter at ${after === 'last-campaign' ? 'den siste kampanjen som ringte personen, ble avsluttet' : 'den siste listen personen står på, ble importert'}).`,
    keptWhile: (because, months) => `Personen lagres så lenge ${because === 'running-campaign' ? 'en pågående kampanje bruker en liste personen står på' : 'en kampanje som ringte personen, ikke er avsluttet'}; deretter ${months} måneder.`,
  },
  en: {
    noName: '(no name)',
    since: (organisation, day) => `Organisation: ${organisation}. In Ringa since ${day}.`,
    attributes: 'Attributes',
    lists: (count) => `Lists (${count}):`,
    source: { broker: 'bought from a data broker', members: "the party's member register", signup: 'people who signed up or consented', other: 'other' },
    basis: { members: 'members and people in regular contact (Art. 9(2)(d))', consent: 'consent', 'legitimate-interest': 'legitimate interest' },
    notRecorded: 'not recorded',
    sourceWord: 'source',
    basisWord: 'legal basis',
    imported: (day) => `imported ${day}`,
    campaigns: (count) => `Campaigns (${count}):`,
    status: { draft: 'draft', active: 'active', paused: 'paused', finished: 'finished' },
    calls: (count) => `${count} call(s)`,
    answersDeletedOn: (day) => `answers and notes deleted on ${day}`,
    answersDeletedAfter: (months) => `answers and notes deleted ${months} months after it finishes`,
    callBy: (at, caller) => `${at} UTC by ${caller}`,
    formerCaller: 'a former caller',
    yes: 'yes',
    no: 'no',
    notes: 'Notes',
    noteForNext: 'Note for the next caller',
    flag: 'Flag',
    callBack: 'Call back',
    notOnRegister: 'Not on the do-not-call register.',
    onRegister: 'On the do-not-call register:',
    registerEntry: (organisation, day) => `${organisation} since ${day}`,
    keptWhileObjecting: 'kept while the objection stands',
    telephony: (count) => `Telephony records: ${count} call(s) placed through Ringa (deleted with the person).`,
    deletedOn: (day, months, after) => `The person is deleted on ${day} (${months} months after the ${after === 'last-campaign' ? 'last campaign that called them finished' : 'last import of a list they are on'}).`,
    keptWhile: (because, months) => `The person is kept while ${because === 'running-campaign' ? 'a running campaign uses a list they are on' : 'a campaign that called them has not finished'}; then ${months} months.`,
  },
};

const day = (at: string | null) => (at === null ? '' : at.slice(0, 10));

/** An access export (Art. 15) in plain words, for an operator at the command line to hand on, in `language`. */
export function personExportText(record: PersonExportValue, language: Language): string {
  const w = WORDS[language];
  const answerText = (answer: boolean | string | string[]) => (typeof answer === 'boolean' ? (answer ? w.yes : w.no) : Array.isArray(answer) ? answer.join(', ') : answer);
  const lines: string[] = [];
  const name = `${record.firstName} ${record.lastName}`.trim() || w.noName;
  lines.push(`${name}, ${record.phone}${record.email ? `, ${record.email}` : ''}`, w.since(record.organisationName, day(record.createdAt)));
  const attributes = Object.entries(record.attributes);
  if (attributes.length > 0) lines.push(`${w.attributes}: ${attributes.map(([key, value]) => `${key}: ${value}`).join('; ')}`);
  lines.push('', w.lists(record.lists.length));
  for (const list of record.lists) {
    const source =
      list.sourceKind === null
        ? `${w.sourceWord}: ${w.notRecorded}`
        : `${w.sourceWord}: ${w.source[list.sourceKind] ?? list.sourceKind}${list.sourceName ? ` (${list.sourceName}${list.sourceDate ? `, ${day(list.sourceDate)}` : ''})` : ''}; ${w.basisWord}: ${list.legalBasis ? (w.basis[list.legalBasis] ?? list.legalBasis) : w.notRecorded}`;
    lines.push(`  ${list.name} (${list.organisationName}), ${w.imported(day(list.importedAt))}; ${source}`);
  }
  lines.push('', w.campaigns(record.campaigns.length));
  for (const campaign of record.campaigns) {
    const deleted = campaign.answersDeleteAt ? w.answersDeletedOn(day(campaign.answersDeleteAt)) : w.answersDeletedAfter(campaign.answersRetentionMonths);
    lines.push(`  ${campaign.name} (${campaign.organisationName}), ${w.status[campaign.status] ?? campaign.status}; ${w.calls(campaign.calls.length)}; ${deleted}`);
    for (const call of campaign.calls) {
      lines.push(`    ${w.callBy(call.at.slice(0, 16).replace('T', ' '), call.callerName || w.formerCaller)}: ${call.outcome.label || call.outcome.code}`);
      if (call.content === null) continue;
      for (const answer of call.content.answers) lines.push(`      ${answer.question}: ${answerText(answer.answer)}`);
      if (call.content.notes) lines.push(`      ${w.notes}: ${call.content.notes}`);
      if (call.content.noteForNext) lines.push(`      ${w.noteForNext}: ${call.content.noteForNext}`);
      if (call.content.flagNote) lines.push(`      ${w.flag}: ${call.content.flagNote}`);
      if (call.content.callbackAt) lines.push(`      ${w.callBack}: ${call.content.callbackAt}`);
    }
  }
  lines.push('', record.doNotCall.length === 0 ? w.notOnRegister : w.onRegister);
  for (const entry of record.doNotCall) lines.push(`  ${w.registerEntry(entry.organisationName, day(entry.since))}${entry.reason ? `: ${entry.reason}` : ''} (${w.keptWhileObjecting})`);
  if (record.telephonyCalls.length > 0) lines.push('', w.telephony(record.telephonyCalls.length));
  const retention = record.retention;
  lines.push('', retention.deleteAt ? w.deletedOn(day(retention.deleteAt), retention.months, retention.after ?? 'last-import') : w.keptWhile(retention.because ?? 'unfinished-campaign', retention.months));
  return lines.join('\n');
}
