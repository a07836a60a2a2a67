// A real SMTP server for tests (the smtp-server package) on 127.0.0.1 and a port of its own: what
// Ringa mails arrives here, read back as a person's mail program would show it.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { MailSettings } from '../src/config';

export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  /** The plain-text part and the HTML part, decoded. */
  text: string;
  html: string;
  /** The one-time link in the mail (the text part's first line that is an http(s) address). */
  link: string;
}

export interface TestMailServer {
  /** What Ringa is configured with to send here. */
  settings: MailSettings;
  received: ReceivedMail[];
  /** The next mail to this address (waits up to 5 s). */
  next(to: string): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export async function startMailServer(): Promise<TestMailServer> {
  const received: ReceivedMail[] = [];
  const waiting: { to: string; resolve: (mail: ReceivedMail) => void }[] = [];
  const server = new SMTPServer({
    // Plain SMTP on the loopback, no TLS certificate to trust; the user and password are checked.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === 'ringa' && auth.password === 'mail-secret') return callback(null, { user: 'ringa' });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mail = parseMail(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((r) => r.address));
        received.push(mail);
        for (const waiter of [...waiting]) {
          if (mail.to.includes(waiter.to)) {
            waiting.splice(waiting.indexOf(waiter), 1);
            waiter.resolve(mail);
            break;
          }
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const seen = new Set<ReceivedMail>();
  return {
    settings: { smtpUrl: new URL(`smtp://ringa:mail-secret@127.0.0.1:${port}`), from: 'Ringa <ringa@ringa.test>' },
    received,
    next(to) {
      const already = received.find((mail) => !seen.has(mail) && mail.to.includes(to));
      if (already) {
        seen.add(already);
        return Promise.resolve(already);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no mail to ${to} within 5 s`)), 5000);
        waiting.push({
          to,
          resolve: (mail) => {
            clearTimeout(timer);
            seen.add(mail);
            resolve(mail);
          },
        });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Just enough MIME for nodemailer's mails: headers, encoded words, multipart/alternative, quoted-printable and base64. */
function parseMail(source: string, to: string[]): ReceivedMail {
  const { headers, body } = splitPart(source);
  const parts: { type: string; content: string }[] = [];
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  if (boundary) {
    for (const piece of body.split(`--${boundary}`).slice(1, -1)) {
      const part = splitPart(piece.replace(/^\r\n/, ''));
      parts.push({ type: part.headers['content-type'] ?? '', content: decodeBody(part.body, part.headers['content-transfer-encoding']) });
    }
  } else {
    parts.push({ type: headers['content-type'] ?? 'text/plain', content: decodeBody(body, headers['content-transfer-encoding']) });
  }
  const text = parts.find((part) => part.type.startsWith('text/plain'))?.content ?? '';
  const html = parts.find((part) => part.type.startsWith('text/html'))?.content ?? '';
  return {
    to,
    from: decodeWords(headers.from ?? ''),
    subject: decodeWords(headers.subject ?? ''),
    text,
    html,
    link: /^https?:\/\/\S+$/m.exec(text)?.[0] ?? '',
  };
}

function splitPart(source: string): { headers: Record<string, string>; body: string } {
  const end = source.indexOf('\r\n\r\n');
  const head = source.slice(0, end).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: source.slice(end + 4) };
}

function decodeBody(body: string, encoding = '7bit'): string {
  if (/quoted-printable/i.test(encoding)) return decodeQuotedPrintable(body.replace(/=\r\n/g, ''));
  if (/base64/i.test(encoding)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i] ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8').replace(/\r\n/g, '\n');
}

function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_, kind: string, words: string) =>
      kind.toUpperCase() === 'B' ? Buffer.from(words, 'base64').toString('utf8') : decodeQuotedPrintable(words.replace(/_/g, ' ')),
    );
}
