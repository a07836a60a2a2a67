// The demo district's campaigns as an organizer would write them: briefings, scripts, questions and
// outcomes in Swedish, and how the people called answer (for the history of calls).
import type { OutcomeValue, QuestionValue } from '../campaigns/campaigns.schemas';
import { DEFAULT_OUTCOMES } from '../campaigns/outcomes';
import type { Random } from './demo-people';

/** The standard outcomes and one of the district's own: a supporter who does not want to join now. */
export const OUTCOMES: OutcomeValue[] = [
  ...DEFAULT_OUTCOMES,
  { code: 'positiv', label: 'Positiv, men vill inte bli medlem nu', reached: true, final: true, tags: ['supporter'] },
];

const medlem: QuestionValue = { id: 'medlem', kind: 'yes-no', text: 'Vill du bli medlem?', tags: ['recruit'] };
const frivillig: QuestionValue = {
  id: 'frivillig',
  kind: 'yes-no',
  text: 'Vill du hjälpa till som frivillig, till exempel på en ringkväll eller vid ett bokbord?',
  tags: ['volunteer'],
  when: { question: 'medlem', values: ['true'] },
};
const medskick: QuestionValue = { id: 'medskick', kind: 'text', text: 'Något personen vill att vi tar med oss?' };

export const CARE: { briefing: string; script: string; questions: QuestionValue[] } = {
  briefing: [
    'Välkommen till decemberringningen! Vi ringer dem som skrev under namninsamlingen för akutsjukvården i höstas och som inte är medlemmar.',
    '',
    '- Börja med att tacka för underskriften.',
    '- Fråga vad som är viktigast för dem i vården och lyssna – det är samtalet som räknas.',
    '- Fråga om medlemskap när samtalet har landat, inte i första meningen.',
    '- Vill någon inte bli uppringd igen: välj "Vill inte bli uppringd" så hamnar numret i spärrlistan direkt.',
    '',
    'Frågor under kvällen? Ring Dan på distriktet.',
  ].join('\n'),
  script: [
    '## Hälsning',
    'Hej {first_name}! Jag heter {caller_name} och ringer som frivillig från Socialdemokraterna i Norrbotten. Du skrev under vår namninsamling för akutsjukvården i höstas – tack för det! Har du ett par minuter?',
    '',
    '## Varför vi ringer',
    'Vi vill höra vad du tycker är viktigast för att vården ska fungera i {attr:Ort} och i resten av länet. Det du berättar tar vi med oss till regionfullmäktige.',
    '',
    '*Ställ frågan om vad som är viktigast och låt personen prata till punkt.*',
    '',
    '## Medlemskap',
    'Vi blir starkare ju fler vi är. Som medlem är du med och bestämmer vad vi driver, i din förening och i regionen. **Vill du bli medlem?** Det går att gå med direkt – jag skickar ett sms med en länk.',
    '',
    '## Avslutning',
    'Tack för att du tog dig tid, {first_name}! Den 14 januari har vi ett öppet möte om vården i Folkets hus – du är varmt välkommen.',
  ].join('\n'),
  questions: [
    {
      id: 'viktigast',
      kind: 'single',
      text: 'Vad är viktigast för dig när det gäller vården?',
      choices: [
        { value: 'akuten', label: 'Akutsjukvård nära där jag bor', tags: [] },
        { value: 'vardcentralen', label: 'Att komma fram till vårdcentralen', tags: [] },
        { value: 'aldreomsorgen', label: 'Äldreomsorgen', tags: [] },
        { value: 'psykisk-halsa', label: 'Psykisk hälsa', tags: [] },
        { value: 'personal', label: 'Fler anställda i vården', tags: [] },
        { value: 'annat', label: 'Något annat', tags: [] },
      ],
    },
    medlem,
    frivillig,
    { id: 'mote', kind: 'yes-no', text: 'Vill du komma på det öppna mötet om vården den 14 januari?', tags: ['event'] },
    medskick,
  ],
};

export function autumn(municipality: 'Luleå' | 'Piteå'): { briefing: string; script: string; questions: QuestionValue[] } {
  return {
    briefing: [
      `Höstkampanjen i ${municipality}: vi ringer dem som skrev under namninsamlingen och inte är medlemmar.`,
      '',
      'Ringkvällar måndag till torsdag 18–20 och lördagar 11–14 i partilokalen, eller hemifrån om du hellre vill det. Fika finns!',
    ].join('\n'),
    script: [
      '## Hälsning',
      `Hej {first_name}! Jag heter {caller_name} och ringer från Socialdemokraterna i ${municipality}. Du skrev under vår namninsamling – tack! Har du en kort stund?`,
      '',
      '## Samtalet',
      `Vi vill veta vad du tycker att kommunen ska satsa på de närmaste åren, här i {attr:Ort}.`,
      '',
      '## Medlemskap',
      'Vi behöver fler som är med och påverkar. **Vill du bli medlem?** Du kan gå med direkt, jag skickar en länk.',
      '',
      '## Avslutning',
      'Tack för samtalet, {first_name}! Ha en fin kväll.',
    ].join('\n'),
    questions: [
      {
        id: 'viktigast',
        kind: 'single',
        text: 'Vad ska kommunen satsa mest på?',
        choices: [
          { value: 'jobb', label: 'Jobb och företagande', tags: [] },
          { value: 'skola', label: 'Skolan', tags: [] },
          { value: 'aldreomsorg', label: 'Äldreomsorgen', tags: [] },
          { value: 'trygghet', label: 'Trygghet', tags: [] },
          { value: 'bostader', label: 'Bostäder', tags: [] },
          { value: 'klimat', label: 'Klimat och kollektivtrafik', tags: [] },
        ],
      },
      medlem,
      frivillig,
      { id: 'mote', kind: 'yes-no', text: 'Vill du komma på medlemsmötet med kommunalrådet i Folkets hus?', tags: ['event'] },
      medskick,
    ],
  };
}

export const WELCOME: { briefing: string; script: string; questions: QuestionValue[] } = {
  briefing: [
    'Varje ny medlem ska få ett välkomstsamtal inom två veckor och en inbjudan till en aktivitet inom en månad.',
    '',
    'Listan med nya medlemmar kommer från medlemsregistret varje måndag. Ring de nyaste först – Ringa tar dem som har kortast tid kvar.',
  ].join('\n'),
  script: [
    '## Hälsning',
    'Hej {first_name}! Jag heter {caller_name} och ringer från Socialdemokraterna i Luleå. Välkommen som medlem – vad roligt att du har gått med!',
    '',
    '## Din förening',
    'Du hör till {attr:Förening}. Där träffas vi ungefär en gång i månaden, och alla är välkomna, nya som gamla.',
    '',
    '## Vad vill du göra?',
    'Det finns många sätt att vara med: ringkvällar, dörrknackning, studiecirklar eller bara komma på mötena. Vad låter roligt för dig?',
    '',
    '## Avslutning',
    'Än en gång välkommen, {first_name}! Hör av dig till föreningen om du undrar något.',
  ].join('\n'),
  questions: [
    { id: 'traff', kind: 'yes-no', text: 'Vill du komma på nästa medlemsträff i din förening?', tags: ['event'] },
    {
      id: 'engagemang',
      kind: 'multiple',
      text: 'Vad skulle du vilja vara med på?',
      choices: [
        { value: 'ringkvallar', label: 'Ringkvällar', tags: ['volunteer'] },
        { value: 'dorrknackning', label: 'Dörrknackning', tags: ['volunteer'] },
        { value: 'studiecirkel', label: 'Studiecirkel', tags: [] },
        { value: 'sociala-medier', label: 'Sociala medier', tags: ['volunteer'] },
        { value: 'inget', label: 'Inget just nu', tags: [] },
      ],
    },
    { id: 'fragor', kind: 'text', text: 'Frågor eller önskemål från den nya medlemmen' },
  ],
};

/**
 * Luleå's call-around in power mode: Ringa rings two people at a time for each caller and connects whoever
 * answers. The people answered the party's survey on buses and ticked that they may be called.
 */
export const BUSES: { name: string; briefing: string; script: string; questions: QuestionValue[] } = {
  name: 'Ringrunda i Luleå: bussarna och kollektivtrafiken',
  briefing: [
    'Här ringer Ringa åt dig. Tryck på Börja ringa, så ringer Ringa upp två personer åt gången och kopplar fram den som svarar först. Du slår inga nummer, och de som inte svarar noterar Ringa själv.',
    '',
    'Vi ringer dem i Luleå som svarade på vår enkät om bussarna i höstas och kryssade i att vi fick ringa. Ingen av dem är medlem.',
    '',
    '- Tacka för enkätsvaret och fråga hur bussen fungerar för dem.',
    '- Fråga om medlemskap när samtalet har landat.',
    '- Tryck på Spara när samtalet är slut, så kopplas nästa person fram av sig själv.',
  ].join('\n'),
  script: [
    '## Hälsning',
    'Hej {first_name}! Jag heter {caller_name} och ringer från Socialdemokraterna i Luleå. Du svarade på vår enkät om bussarna i höstas och skrev att vi fick ringa – tack för det! Har du ett par minuter?',
    '',
    '## Bussarna',
    'Vi vill att det ska bli lättare att åka buss i {attr:Ort} och i resten av kommunen. Hur fungerar bussen för dig i dag? Vad skulle få dig att åka oftare?',
    '',
    '## Medlemskap',
    'Vi driver frågan i kommunfullmäktige, och vi blir starkare ju fler vi är. **Vill du bli medlem?** Jag kan skicka ett sms med en länk direkt.',
    '',
    '## Avslutning',
    'Tack för samtalet, {first_name}! Ha det så bra.',
  ].join('\n'),
  questions: [
    {
      id: 'bussen',
      kind: 'single',
      text: 'Vad skulle få dig att åka mer buss?',
      choices: [
        { value: 'tatare', label: 'Tätare turer', tags: [] },
        { value: 'kvallar', label: 'Bussar på kvällar och helger', tags: [] },
        { value: 'billigare', label: 'Billigare biljetter', tags: [] },
        { value: 'narmare', label: 'En hållplats närmare hemmet', tags: [] },
        { value: 'aker-redan', label: 'Åker redan buss så mycket jag behöver', tags: [] },
      ],
    },
    medlem,
  ],
};

export const DRAFT: { name: string; script: string } = {
  name: 'Inbjudan till julglöggen i Centrum',
  script: 'Hej {first_name}! Jag heter {caller_name} och ringer från S-föreningen Centrum. Vi bjuder på glögg och pepparkakor i partilokalen lördag den 19 december – vill du komma?',
};

const NOTES = [
  'Vill ha mer information om vårdcentralen.',
  'Tycker att akuten i Kalix ska finnas kvar.',
  'Har en mamma i äldreomsorgen, mycket engagerad.',
  'Bad oss skicka info per mejl.',
  'Jobbar själv i vården. Vill gärna prata mer.',
  'Lite stressad, men positiv.',
];

/** What someone who answered says, as the campaign asks it: answers for a recruiting campaign (CARE or autumn). */
export function recruitingAnswers(random: Random, outcome: string, choices: string[]): { answers: Record<string, unknown>; notes?: string } {
  if (outcome === 'conversation') {
    const answers: Record<string, unknown> = {};
    if (random.chance(0.9)) answers.viktigast = random.pick(choices);
    const joins = random.chance(0.2);
    answers.medlem = joins;
    if (joins) answers.frivillig = random.chance(0.35);
    answers.mote = random.chance(joins ? 0.6 : 0.18);
    const notes = random.chance(0.12) ? random.pick(NOTES) : undefined;
    return notes ? { answers, notes } : { answers };
  }
  if (outcome === 'positiv') return { answers: { viktigast: random.pick(choices), medlem: false } };
  return { answers: {} };
}

/** What a new member says in their welcome call. */
export function welcomeAnswers(random: Random, outcome: string): { answers: Record<string, unknown> } {
  if (outcome !== 'conversation') return { answers: {} };
  const wants = ['ringkvallar', 'dorrknackning', 'studiecirkel', 'sociala-medier'].filter(() => random.chance(0.22));
  return { answers: { traff: random.chance(0.55), engagemang: wants.length > 0 ? wants : ['inget'] } };
}
