import { expect, test } from 'vitest';
import { LANGUAGES } from '../../contract/language';
import { inviteMail, passwordResetMail } from './mail.texts';

const LINK = 'https://ringa.example.org/reset-password#abc_DEF-123';

test('every language has both mails, with the link in the plain text and as a link in the HTML', () => {
  const subjects = new Set<string>();
  for (const language of LANGUAGES) {
    const reset = passwordResetMail('a@example.org', language, { name: 'Kim', link: LINK, origin: 'https://ringa.example.org' });
    const invite = inviteMail('a@example.org', language, {
      inviter: 'Kim',
      organisation: 'Region Nord / Aalborg',
      role: 'organizer',
      link: LINK,
      expiresAt: new Date('2026-10-11T17:00:00Z'),
      timeZone: 'Europe/Copenhagen',
      origin: 'https://ringa.example.org',
    });
    for (const mail of [reset, invite]) {
      expect(mail.to).toBe('a@example.org');
      expect(mail.text.split('\n')).toContain(LINK);
      expect(mail.html).toContain(`<a href="${LINK}">${LINK}</a>`);
      expect(mail.text).toContain('https://ringa.example.org');
      subjects.add(mail.subject);
    }
  }
  // Eight different subjects: no language borrows another's words.
  expect(subjects.size).toBe(8);
  const danish = inviteMail('a@example.org', 'da', { inviter: 'Kim', organisation: 'Aalborg', role: 'organizer', link: LINK, expiresAt: new Date('2026-10-11T17:00:00Z'), timeZone: 'Europe/Copenhagen', origin: 'https://ringa.example.org' });
  expect(danish.text).toContain('som organisator');
  expect(danish.text).toContain('til og med 11. oktober 2026');
});

test('names are text: HTML in them is shown, not run, and a line break cannot start a header of its own', () => {
  const mail = inviteMail('a@example.org', 'en', {
    inviter: 'Eve <script>alert(1)</script>\r\nBcc: everyone@example.org',
    organisation: 'Org',
    role: 'caller',
    link: LINK,
    expiresAt: new Date('2026-10-11T17:00:00Z'),
    timeZone: 'Europe/Stockholm',
    origin: 'https://ringa.example.org',
  });
  expect(mail.html).not.toContain('<script>');
  expect(mail.html).toContain('Eve &lt;script&gt;alert(1)&lt;/script&gt;');
  expect(mail.subject).not.toMatch(/[\r\n]/);
  expect(mail.subject).toBe('Eve <script>alert(1)</script> Bcc: everyone@example.org invites you to Org in Ringa');
});
