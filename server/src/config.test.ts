import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { ConfigError, loadConfig } from './config';

const dataDir = () => mkdtempSync(path.join(os.tmpdir(), 'ringa-config-'));

test('defaults: port 3000, ./data, embedded PostgreSQL, PUBLIC_URL from the port, a session secret generated and kept', () => {
  const dir = dataDir();
  const config = loadConfig({ DATA_DIR: dir }, []);
  expect(config).toMatchObject({ port: 3000, host: '0.0.0.0', dataDir: dir, databaseUrl: undefined, demo: false, trustProxy: false });
  expect(config.publicUrl.origin).toBe('http://localhost:3000');
  expect(config.sessionSecret).toBe(readFileSync(path.join(dir, 'session-secret'), 'utf8').trim());
  expect(loadConfig({ DATA_DIR: dir }, []).sessionSecret).toBe(config.sessionSecret);
});

test('--demo, DEMO=1 and TRUST_PROXY are read', () => {
  const dir = dataDir();
  expect(loadConfig({ DATA_DIR: dir }, ['--demo']).demo).toBe(true);
  expect(loadConfig({ DATA_DIR: dir, DEMO: '1' }, []).demo).toBe(true);
  expect(loadConfig({ DATA_DIR: dir, TRUST_PROXY: 'true' }, []).trustProxy).toBe(true);
  expect(loadConfig({ DATA_DIR: dir, TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' }, []).trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8']);
});

test('every bad setting is reported at once, in words that say what to change', () => {
  let error: unknown;
  try {
    loadConfig(
      { PORT: '99999', DATABASE_URL: 'mysql://x', PUBLIC_URL: 'not a url', SESSION_SECRET: 'short', TRUST_PROXY: 'the usual one' },
      [],
    );
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const problems = (error as ConfigError).problems;
  expect(problems).toHaveLength(5);
  expect(problems.join('\n')).toMatch(/PORT must be a whole number from 0 to 65535 \(got "99999"\)/);
  expect(problems.join('\n')).toMatch(/DATABASE_URL must start with postgres:\/\//);
  expect(problems.join('\n')).toMatch(/PUBLIC_URL is not a valid URL/);
  expect(problems.join('\n')).toMatch(/SESSION_SECRET must be at least 32 characters/);
  expect(problems.join('\n')).toMatch(/TRUST_PROXY must be true or a comma-separated list/);
});

test('SECRETS_KEY is 32 bytes in base64 or hex, else generated and kept; Twilio from the environment comes whole or not at all', () => {
  const dir = dataDir();
  const generated = loadConfig({ DATA_DIR: dir }, []).secretsKey;
  expect(generated).toHaveLength(32);
  expect(loadConfig({ DATA_DIR: dir }, []).secretsKey.equals(generated)).toBe(true);
  expect(loadConfig({ DATA_DIR: dir, SECRETS_KEY: 'ab'.repeat(32) }, []).secretsKey.toString('hex')).toBe('ab'.repeat(32));
  expect(loadConfig({ DATA_DIR: dir, SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') }, []).secretsKey.equals(Buffer.alloc(32, 7))).toBe(true);
  expect(() => loadConfig({ DATA_DIR: dir, SECRETS_KEY: 'too short' }, [])).toThrow(/SECRETS_KEY must be 32 random bytes/);

  const twilio = {
    TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: 'a'.repeat(32),
    TWILIO_API_KEY: `SK${'1'.repeat(32)}`,
    TWILIO_API_SECRET: 'b'.repeat(32),
    TWILIO_TWIML_APP_SID: `AP${'2'.repeat(32)}`,
    TWILIO_CALLER_ID: '+46101234567',
  };
  expect(loadConfig({ DATA_DIR: dir }, []).twilio).toBeUndefined();
  expect(loadConfig({ DATA_DIR: dir, ...twilio }, []).twilio).toMatchObject({ accountSid: twilio.TWILIO_ACCOUNT_SID, callerId: '+46101234567' });
  expect(() => loadConfig({ DATA_DIR: dir, TWILIO_ACCOUNT_SID: twilio.TWILIO_ACCOUNT_SID }, [])).toThrow(/missing: TWILIO_AUTH_TOKEN/);
  expect(() => loadConfig({ DATA_DIR: dir, ...twilio, TWILIO_CALLER_ID: '0701234567' }, [])).toThrow(/TWILIO_CALLER_ID must be a phone number in E.164/);
  // Twilio's limits: 1 call a second and no cap unless set.
  expect(loadConfig({ DATA_DIR: dir, ...twilio }, []).twilio).toMatchObject({ callsPerSecond: 1, maxConcurrentCalls: undefined });
  expect(loadConfig({ DATA_DIR: dir, ...twilio, TWILIO_CALLS_PER_SECOND: '5', TWILIO_MAX_CONCURRENT_CALLS: '40' }, []).twilio).toMatchObject({ callsPerSecond: 5, maxConcurrentCalls: 40 });
  expect(() => loadConfig({ DATA_DIR: dir, ...twilio, TWILIO_CALLS_PER_SECOND: '0.5' }, [])).toThrow(/TWILIO_CALLS_PER_SECOND must be a whole number from 1 to 100/);
  expect(() => loadConfig({ DATA_DIR: dir, ...twilio, TWILIO_MAX_CONCURRENT_CALLS: '0' }, [])).toThrow(/TWILIO_MAX_CONCURRENT_CALLS must be a whole number from 1 to 10000/);
  expect(loadConfig({ DATA_DIR: dir }, []).telephonyCountryCodes).toEqual(['46', '45']);
  expect(loadConfig({ DATA_DIR: dir, TELEPHONY_COUNTRY_CODES: '+46, +47' }, []).telephonyCountryCodes).toEqual(['46', '47']);
  expect(() => loadConfig({ DATA_DIR: dir, TELEPHONY_COUNTRY_CODES: 'SE' }, [])).toThrow(/TELEPHONY_COUNTRY_CODES/);
});

test('METRICS_TOKEN: unset serves no /metrics; a short or spaced token is refused with what to use instead', () => {
  const dir = dataDir();
  expect(loadConfig({ DATA_DIR: dir }, []).metricsToken).toBeUndefined();
  expect(loadConfig({ DATA_DIR: dir, METRICS_TOKEN: ' 0123456789abcdef0123456789abcdef ' }, []).metricsToken).toBe('0123456789abcdef0123456789abcdef');
  for (const token of ['short', 'a token with spaces in it, long enough']) {
    expect(() => loadConfig({ DATA_DIR: dir, METRICS_TOKEN: token }, [])).toThrow(/METRICS_TOKEN must be at least 24 characters without spaces, e.g. from `openssl rand -hex 24`/);
  }
});

test('HOSTING_OPERATOR: who runs the server, for the records of processing; unset is not recorded, too long is refused', () => {
  const dir = dataDir();
  expect(loadConfig({ DATA_DIR: dir }, []).hostingOperator).toBeUndefined();
  expect(loadConfig({ DATA_DIR: dir, HOSTING_OPERATOR: '  Folkhemmets Drift AB, Stockholm ' }, []).hostingOperator).toBe('Folkhemmets Drift AB, Stockholm');
  expect(() => loadConfig({ DATA_DIR: dir, HOSTING_OPERATOR: 'x'.repeat(201) }, [])).toThrow(/HOSTING_OPERATOR must be at most 200 characters/);
});

test('SMTP_URL and MAIL_FROM: unset sends no mail; set, they are read; a bad one is refused without ever printing the password', () => {
  const dir = dataDir();
  expect(loadConfig({ DATA_DIR: dir }, []).mail).toBeUndefined();
  const mail = loadConfig({ DATA_DIR: dir, SMTP_URL: 'smtp://ringa:s3cret-pass@smtp.example.org:587', MAIL_FROM: 'Ringa <ringa@example.org>' }, []).mail;
  expect(mail?.smtpUrl.host).toBe('smtp.example.org:587');
  expect(mail?.from).toBe('Ringa <ringa@example.org>');
  expect(loadConfig({ DATA_DIR: dir, SMTP_URL: 'smtps://smtp.example.org', MAIL_FROM: 'ringa@example.org' }, []).mail?.smtpUrl.protocol).toBe('smtps:');

  const problemsOf = (env: Record<string, string>) => {
    try {
      loadConfig({ DATA_DIR: dir, ...env }, []);
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    return '';
  };
  const cases: [Record<string, string>, RegExp][] = [
    [{ SMTP_URL: 'smtp://ringa:s3cret-pass@smtp example.org:587', MAIL_FROM: 'ringa@example.org' }, /SMTP_URL is not a valid URL, e\.g\. smtp:\/\/user:password@smtp\.example\.org:587/],
    [{ SMTP_URL: 'http://ringa:s3cret-pass@smtp.example.org', MAIL_FROM: 'ringa@example.org' }, /SMTP_URL must start with smtp:\/\/ or smtps:\/\/ \(got "http:"\)/],
    [{ SMTP_URL: 'smtp://ringa:s3cret-pass@smtp.example.org' }, /SMTP_URL is set but MAIL_FROM is not/],
    [{ SMTP_URL: 'smtp://ringa:s3cret-pass@smtp.example.org', MAIL_FROM: 'Ringa' }, /MAIL_FROM must be an email address/],
    [{ MAIL_FROM: 'ringa@example.org' }, /MAIL_FROM is set but SMTP_URL is not/],
  ];
  for (const [env, problem] of cases) {
    const message = problemsOf(env);
    expect(message).toMatch(problem);
    expect(message).not.toContain('s3cret');
  }
});
