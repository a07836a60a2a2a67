import nodemailer, { type Transporter } from 'nodemailer';
import type { MailSettings } from '../../config';

/** A mail ready to go: one recipient, a subject, and the same words as plain text and as HTML. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Why a mail did not go out, in words that name no person (never the address, never the server's answer). */
export type MailFailure = (reason: { code: string }) => void;

/**
 * Sends Ringa's mails through the SMTP server of SMTP_URL, or knows that there is none. A failed send
 * is reported by its error code only and answered false: nothing a mail does can crash a request.
 */
export class Mailer {
  private readonly transport: Transporter | null;
  private readonly from: string;

  constructor(settings: MailSettings | undefined, private readonly onFailure: MailFailure = () => {}) {
    // nodemailer reads user, password, host, port and TLS (smtps:) from the URL; the URL stays in here.
    this.transport = settings ? nodemailer.createTransport(settings.smtpUrl.toString()) : null;
    this.from = settings?.from ?? '';
  }

  get configured(): boolean {
    return this.transport !== null;
  }

  /** True when the SMTP server took the mail. */
  async send(mail: Mail): Promise<boolean> {
    if (!this.transport) return false;
    try {
      await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
      return true;
    } catch (error) {
      const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'unknown';
      this.onFailure({ code });
      return false;
    }
  }

  close(): void {
    this.transport?.close();
  }
}
