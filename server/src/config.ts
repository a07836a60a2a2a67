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
}

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

  if (problems.length > 0) throw new ConfigError(problems);
  if (!sessionSecret) sessionSecret = readOrCreateSecret(dataDir, 'session-secret');

  return { port, host, dataDir, databaseUrl, publicUrl, sessionSecret, demo, trustProxy, importMaxBytes };
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
