// The mails Ringa sends, in every language it speaks. Each says who sent it and why, so that a
// reader who did not expect it knows what it is and what to do.
import type { Role } from '../../contract/api';
import type { Language } from '../../contract/language';
import type { Mail } from './mailer';

/** A mail's words: paragraphs before and after its one link, and a last line on who sent it and why. */
interface Letter {
  subject: string;
  greeting: string;
  before: string[];
  link: string;
  after: string[];
  footer: string;
}

const LOCALES: Record<Language, string> = { sv: 'sv-SE', da: 'da-DK', nb: 'nb-NO', en: 'en-GB' };

const ROLE_NAMES: Record<Language, Record<Role, string>> = {
  sv: { admin: 'administratör', organizer: 'organisatör', caller: 'ringare' },
  da: { admin: 'administrator', organizer: 'organisator', caller: 'ringer' },
  nb: { admin: 'administrator', organizer: 'organisator', caller: 'ringer' },
  en: { admin: 'admin', organizer: 'organizer', caller: 'caller' },
};

export interface ResetMailFacts {
  name: string;
  link: string;
  /** Where Ringa runs, e.g. https://ringa.example.org. */
  origin: string;
}

const RESET: Record<Language, (facts: ResetMailFacts) => Letter> = {
  sv: ({ name, link, origin }) => ({
    subject: 'Välj ett nytt lösenord till Ringa',
    greeting: `Hej ${name}!`,
    before: [
      `Någon – förhoppningsvis du – har bett om ett nytt lösenord till ditt konto i Ringa på ${origin}.`,
      'Öppna länken och välj ett nytt lösenord. Länken gäller i en timme och kan bara användas en gång:',
    ],
    link,
    after: ['Har du inte bett om ett nytt lösenord kan du strunta i det här mejlet. Ditt lösenord är då oförändrat.'],
    footer: `Mejlet skickades av Ringa, ringverktyget på ${origin}, eftersom din e-postadress angavs under ”Glömt lösenordet?”.`,
  }),
  da: ({ name, link, origin }) => ({
    subject: 'Vælg en ny adgangskode til Ringa',
    greeting: `Hej ${name}`,
    before: [
      `Nogen – forhåbentlig dig – har bedt om en ny adgangskode til din konto i Ringa på ${origin}.`,
      'Åbn linket, og vælg en ny adgangskode. Linket gælder i en time og kan kun bruges én gang:',
    ],
    link,
    after: ['Har du ikke bedt om en ny adgangskode, kan du se bort fra denne mail. Din adgangskode er så uændret.'],
    footer: `Mailen er sendt af Ringa, ringeværktøjet på ${origin}, fordi din e-mailadresse blev skrevet under »Glemt adgangskoden?«.`,
  }),
  nb: ({ name, link, origin }) => ({
    subject: 'Velg et nytt passord til Ringa',
    greeting: `Hei ${name}!`,
    before: [
      `Noen – forhåpentligvis du – har bedt om et nytt passord til kontoen din i Ringa på ${origin}.`,
      'Åpne lenken og velg et nytt passord. Lenken gjelder i én time og kan bare brukes én gang:',
    ],
    link,
    after: ['Har du ikke bedt om et nytt passord, kan du se bort fra denne e-posten. Passordet ditt er da uendret.'],
    footer: `E-posten ble sendt av Ringa, ringeverktøyet på ${origin}, fordi e-postadressen din ble skrevet inn under «Glemt passordet?».`,
  }),
  en: ({ name, link, origin }) => ({
    subject: 'Choose a new password for Ringa',
    greeting: `Hello ${name},`,
    before: [
      `Someone – hopefully you – asked for a new password for your Ringa account at ${origin}.`,
      'Open the link and choose a new password. The link is valid for one hour and can be used once:',
    ],
    link,
    after: ['If you did not ask for a new password, ignore this mail. Your password stays as it is.'],
    footer: `This mail was sent by Ringa, the phone-bank tool at ${origin}, because your email address was entered under "Forgot your password?".`,
  }),
};

export interface InviteMailFacts {
  /** Who sent the invitation (the organizer's name). */
  inviter: string;
  /** The organisation's place in the tree, e.g. "Norrbotten / Luleå". */
  organisation: string;
  role: Role;
  link: string;
  expiresAt: Date;
  timeZone: string;
  origin: string;
}

const INVITE: Record<Language, (facts: InviteMailFacts, until: string, role: string) => Letter> = {
  sv: ({ inviter, organisation, link, origin }, until, role) => ({
    subject: `${inviter} bjuder in dig till ${organisation} i Ringa`,
    greeting: 'Hej!',
    before: [
      `${inviter} har bjudit in dig till ${organisation} i Ringa, verktyget för ringkampanjer, som ${role}.`,
      `Öppna länken för att gå med. Den gäller till och med ${until}:`,
    ],
    link,
    after: ['Känner du inte igen inbjudan kan du strunta i det här mejlet.'],
    footer: `Mejlet skickades av Ringa på ${origin} på uppdrag av ${inviter}, som angav din e-postadress i en inbjudan.`,
  }),
  da: ({ inviter, organisation, link, origin }, until, role) => ({
    subject: `${inviter} inviterer dig til ${organisation} i Ringa`,
    greeting: 'Hej',
    before: [
      `${inviter} har inviteret dig til ${organisation} i Ringa, værktøjet til ringekampagner, som ${role}.`,
      `Åbn linket for at være med. Det gælder til og med ${until}:`,
    ],
    link,
    after: ['Kender du ikke invitationen, kan du se bort fra denne mail.'],
    footer: `Mailen er sendt af Ringa på ${origin} på vegne af ${inviter}, som skrev din e-mailadresse i en invitation.`,
  }),
  nb: ({ inviter, organisation, link, origin }, until, role) => ({
    subject: `${inviter} inviterer deg til ${organisation} i Ringa`,
    greeting: 'Hei!',
    before: [
      `${inviter} har invitert deg til ${organisation} i Ringa, verktøyet for ringekampanjer, som ${role}.`,
      `Åpne lenken for å bli med. Den gjelder til og med ${until}:`,
    ],
    link,
    after: ['Kjenner du ikke igjen invitasjonen, kan du se bort fra denne e-posten.'],
    footer: `E-posten ble sendt av Ringa på ${origin} på vegne av ${inviter}, som skrev inn e-postadressen din i en invitasjon.`,
  }),
  en: ({ inviter, organisation, link, origin }, until, role) => ({
    subject: `${inviter} invites you to ${organisation} in Ringa`,
    greeting: 'Hello,',
    before: [
      `${inviter} has invited you to ${organisation} in Ringa, the tool for calling campaigns, as ${role}.`,
      `Open the link to join. It is valid until ${until}:`,
    ],
    link,
    after: ['If you do not recognise this invitation, ignore this mail.'],
    footer: `This mail was sent by Ringa at ${origin} on behalf of ${inviter}, who entered your email address in an invitation.`,
  }),
};

export function passwordResetMail(to: string, language: Language, facts: ResetMailFacts): Mail {
  return render(to, RESET[language](facts));
}

export function inviteMail(to: string, language: Language, facts: InviteMailFacts): Mail {
  const until = new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'long', timeZone: facts.timeZone }).format(facts.expiresAt);
  return render(to, INVITE[language](facts, until, ROLE_NAMES[language][facts.role]));
}

function render(to: string, letter: Letter): Mail {
  const text = [letter.greeting, ...letter.before, letter.link, ...letter.after, '--', letter.footer].join('\n\n');
  const paragraph = (words: string) => `<p>${escapeHtml(words)}</p>`;
  const html = [
    '<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5; max-width: 40em">',
    paragraph(letter.greeting),
    ...letter.before.map(paragraph),
    `<p><a href="${escapeHtml(letter.link)}">${escapeHtml(letter.link)}</a></p>`,
    ...letter.after.map(paragraph),
    `<hr><p style="color: #555; font-size: 0.9em">${escapeHtml(letter.footer)}</p>`,
    '</body></html>',
  ].join('\n');
  // Names in a subject are one line: a line break there would start a header of its own.
  return { to, subject: letter.subject.replace(/\s+/g, ' '), text, html };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
