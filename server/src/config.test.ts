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
