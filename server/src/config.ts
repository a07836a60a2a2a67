import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** An external PostgreSQL; when absent, an embedded one runs under dataDir. */
  databaseUrl: string | undefined;
  /** The address people and webhooks use; its origin is the only one allowed to change state. */
  publicUrl: URL;
  sessionSecret: string;
  demo: boolean;
  /** Whose X-Forwarded-For to believe: nobody, any proxy (true), or the proxies at these addresses/CIDRs. */
  trustProxy: boolean | string[];
  /** The largest list file an import takes. */
  importMaxBytes: number;
  /** AES-256-GCM key for secrets kept in the database (organisations' Twilio credentials). */
  secretsKey: Buffer;
  /** Twilio credentials from the environment, for a single-organisation install (organisations' own come first). */
  twilio: TwilioCredentials | undefined;
  /** Country calling codes (digits, no +) that calls may go to, besides the calling organisation's own country. */
  telephonyCountryCodes: string[];
  /** The bearer token GET /metrics asks for; without it /metrics is not served. */
  metricsToken: string | undefined;
  /** Who runs this server (a processor in organisations' records of processing); undefined: not recorded. */
  hostingOperator: string | undefined;
  /** Where mail goes out (SMTP_URL) and whom it comes from (MAIL_FROM); undefined: Ringa sends no mail. */
  mail: MailSettings | undefined;
}

/** An SMTP server to send through; its URL holds the password, so it is never printed or logged. */
export interface MailSettings {
  smtpUrl: URL;
  from: string;
}

/** What Ringa needs of a Twilio account to place browser calls. */
export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
  apiKey: string;
  apiSecret: string;
  twimlAppSid: string;
  callerId: string;
  /** New calls a second Ringa places through the account (Twilio's default is 1). */
  callsPerSecond?: number | undefined;
  /** Calls alive at once through the account; undefined for no cap. */
  maxConcurrentCalls?: number | undefined;
}

const TWILIO_ENV = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_API_KEY', 'TWILIO_API_SECRET', 'TWILIO_TWIML_APP_SID', 'TWILIO_CALLER_ID'] as const;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates configuration; every problem is reported at once, in words a person can act on. */
export function loadConfig(env: Env = process.env, argv: string[] = process.argv.slice(2)): Config {
  const problems: string[] = [];

  const port = parsePort(env.PORT, problems);
  const host = env.HOST?.trim() || '0.0.0.0';
  const dataDir = path.resolve(env.DATA_DIR?.trim() || './data');

  let databaseUrl: string | undefined = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl) {
    try {
      const url = new URL(databaseUrl);
      if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
        problems.push(`DATABASE_URL must start with postgres:// or postgresql:// (got "${url.protocol}")`);
      }
    } catch {
      problems.push('DATABASE_URL is not a valid URL, e.g. postgres://user:password@localhost:5432/ringa');
      databaseUrl = undefined;
    }
  }

  let publicUrl = new URL(`http://localhost:${port}`);
  if (env.PUBLIC_URL?.trim()) {
    try {
      publicUrl = new URL(env.PUBLIC_URL.trim());
      if (publicUrl.protocol !== 'http:' && publicUrl.protocol !== 'https:') {
        problems.push(`PUBLIC_URL must be an http:// or https:// address (got "${publicUrl.protocol}")`);
      }
    } catch {
      problems.push('PUBLIC_URL is not a valid URL, e.g. https://ringa.example.org');
    }
  }

  const demo = argv.includes('--demo') || isTruthy(env.DEMO);
  const trustProxy = parseTrustProxy(env.TRUST_PROXY, problems);
  let importMaxBytes = 200 * 1024 * 1024;
  if (env.IMPORT_MAX_MB?.trim()) {
    const megabytes = Number(env.IMPORT_MAX_MB);
    if (!Number.isFinite(megabytes) || megabytes <= 0 || megabytes > 10_000) {
      problems.push(`IMPORT_MAX_MB must be a number of megabytes from 1 to 10000 (got "${env.IMPORT_MAX_MB}")`);
    } else {
      importMaxBytes = Math.round(megabytes * 1024 * 1024);
    }
  }

  let sessionSecret = env.SESSION_SECRET?.trim() ?? '';
  if (sessionSecret && sessionSecret.length < 32) {
    problems.push('SESSION_SECRET must be at least 32 characters long (or leave it unset to have one generated)');
  }

  let secretsKey = env.SECRETS_KEY?.trim() ? parseSecretsKey(env.SECRETS_KEY.trim()) : undefined;
  if (secretsKey === null) {
    problems.push('SECRETS_KEY must be 32 random bytes written as base64 (44 characters) or hex (64 characters), e.g. from `openssl rand -base64 32`');
  }
  const twilio = parseTwilio(env, problems);
  const telephonyCountryCodes = parseCountryCodes(env.TELEPHONY_COUNTRY_CODES, problems);
  const metricsToken = env.METRICS_TOKEN?.trim() || undefined;
  if (metricsToken !== undefined && (metricsToken.length < 24 || !/^[\x21-\x7e]+$/.test(metricsToken))) {
    problems.push('METRICS_TOKEN must be at least 24 characters without spaces, e.g. from `openssl rand -hex 24` (or leave it unset to not serve /metrics)');
  }

  const hostingOperator = env.HOSTING_OPERATOR?.trim() || undefined;
  if (hostingOperator !== undefined && hostingOperator.length > 200) {
    problems.push('HOSTING_OPERATOR must be at most 200 characters: the name (and, if you like, the address) of whoever runs this server');
  }

  const mail = parseMail(env, problems);

  if (problems.length > 0) throw new ConfigError(problems);
  if (!sessionSecret) sessionSecret = readOrCreateSecret(dataDir, 'session-secret');
  // The generated secret is 32 random bytes in base64url.
  if (!secretsKey) secretsKey = Buffer.from(readOrCreateSecret(dataDir, 'secrets-key'), 'base64url');

  return { port, host, dataDir, databaseUrl, publicUrl, sessionSecret, demo, trustProxy, importMaxBytes, secretsKey, twilio, telephonyCountryCodes, metricsToken, hostingOperator, mail };
}

/** 32 bytes from base64, base64url or hex; null when the text is none of them or not 32 bytes. */
export function parseSecretsKey(text: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return key;
  }
  return null;
}

/** SMTP_URL and MAIL_FROM come together; a problem never repeats the URL, which holds the password. */
function parseMail(env: Env, problems: string[]): MailSettings | undefined {
  const text = env.SMTP_URL?.trim() ?? '';
  const from = env.MAIL_FROM?.trim() ?? '';
  if (text === '') {
    if (from !== '') problems.push('MAIL_FROM is set but SMTP_URL is not: set SMTP_URL too (e.g. smtp://user:password@smtp.example.org:587), or leave both unset to send no mail');
    return undefined;
  }
  let smtpUrl: URL | undefined;
  try {
    smtpUrl = new URL(text);
  } catch {
    problems.push('SMTP_URL is not a valid URL, e.g. smtp://user:password@smtp.example.org:587 or smtps://user:password@smtp.example.org:465 (a password with @, : or / must be percent-encoded)');
  }
  if (smtpUrl && smtpUrl.protocol !== 'smtp:' && smtpUrl.protocol !== 'smtps:') {
    problems.push(`SMTP_URL must start with smtp:// or smtps:// (got "${smtpUrl.protocol}")`);
    smtpUrl = undefined;
  } else if (smtpUrl && smtpUrl.hostname === '') {
    problems.push('SMTP_URL names no server, e.g. smtp://user:password@smtp.example.org:587');
    smtpUrl = undefined;
  }
  // "Ringa <ringa@example.org>" or a bare address; one address, no line breaks.
  const address = /^(?:[^<>\r\n]*<([^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)>|([^<>\s@]+@[^<>\s@]+\.[^<>\s@]+))$/.exec(from);
  if (from === '') problems.push('SMTP_URL is set but MAIL_FROM is not: set the sender, e.g. MAIL_FROM="Ringa <ringa@example.org>"');
  else if (!address) problems.push(`MAIL_FROM must be an email address, optionally with a name, e.g. "Ringa <ringa@example.org>" (got "${from}")`);
  return smtpUrl && address ? { smtpUrl, from } : undefined;
}

/** Either all six TWILIO_* settings or none; each in the form Twilio's console shows it. */
function parseTwilio(env: Env, problems: string[]): TwilioCredentials | undefined {
  const given = TWILIO_ENV.filter((name) => env[name]?.trim());
  if (given.length === 0) return undefined;
  const missing = TWILIO_ENV.filter((name) => !env[name]?.trim());
  if (missing.length > 0) {
    problems.push(`Twilio from the environment needs all of ${TWILIO_ENV.join(', ')}; missing: ${missing.join(', ')}`);
    return undefined;
  }
  const value = (name: (typeof TWILIO_ENV)[number]) => env[name]?.trim() ?? '';
  const credentials: TwilioCredentials = {
    accountSid: value('TWILIO_ACCOUNT_SID'),
    authToken: value('TWILIO_AUTH_TOKEN'),
    apiKey: value('TWILIO_API_KEY'),
    apiSecret: value('TWILIO_API_SECRET'),
    twimlAppSid: value('TWILIO_TWIML_APP_SID'),
    callerId: value('TWILIO_CALLER_ID'),
  };
  const checks: [boolean, string][] = [
    [/^AC[0-9a-fA-F]{32}$/.test(credentials.accountSid), 'TWILIO_ACCOUNT_SID must be AC followed by 32 hex characters (the Account SID in the Twilio console)'],
    [/^SK[0-9a-fA-F]{32}$/.test(credentials.apiKey), 'TWILIO_API_KEY must be SK followed by 32 hex characters (an API key SID)'],
    [/^AP[0-9a-fA-F]{32}$/.test(credentials.twimlAppSid), 'TWILIO_TWIML_APP_SID must be AP followed by 32 hex characters (the TwiML app SID)'],
    [/^\+[1-9]\d{6,14}$/.test(credentials.callerId), 'TWILIO_CALLER_ID must be a phone number in E.164 form, e.g. +46701234567'],
  ];
  for (const [ok, problem] of checks) if (!ok) problems.push(problem);
  credentials.callsPerSecond = parseLimit(env, 'TWILIO_CALLS_PER_SECOND', 100, problems) ?? 1;
  credentials.maxConcurrentCalls = parseLimit(env, 'TWILIO_MAX_CONCURRENT_CALLS', 10000, problems);
  return credentials;
}

/** A whole number from 1 to `max`, or undefined when unset. */
function parseLimit(env: Env, name: string, max: number, problems: string[]): number | undefined {
  const text = env[name]?.trim() ?? '';
  if (text === '') return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
    problems.push(`${name} must be a whole number from 1 to ${max} (got "${text}")`);
    return undefined;
  }
  return Number(text);
}

function parseCountryCodes(value: string | undefined, problems: string[]): string[] {
  const text = value?.trim() ?? '';
  if (text === '') return ['46', '45'];
  const codes = text.split(',').map((part) => part.trim().replace(/^\+/, ''));
  if (codes.some((code) => !/^[1-9]\d{0,3}$/.test(code))) {
    problems.push(`TELEPHONY_COUNTRY_CODES must be a comma-separated list of country calling codes, e.g. +46,+45 (got "${text}")`);
    return ['46', '45'];
  }
  return codes;
}

function parsePort(value: string | undefined, problems: string[]): number {
  if (value === undefined || value.trim() === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`PORT must be a whole number from 0 to 65535 (got "${value}")`);
    return 3000;
  }
  return port;
}

/** Behind a reverse proxy every request comes from the proxy; the per-address sign-in limit needs the real address. */
function parseTrustProxy(value: string | undefined, problems: string[]): boolean | string[] {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  const addresses = text.split(',').map((part) => part.trim()).filter(Boolean);
  if (addresses.some((address) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(address))) {
    problems.push(`TRUST_PROXY must be true or a comma-separated list of proxy addresses/CIDRs, e.g. 127.0.0.1,10.0.0.0/8 (got "${text}")`);
    return false;
  }
  return addresses;
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

/** A random secret kept in DATA_DIR, so that it survives restarts without being configured. */
export function readOrCreateSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
