// The benchmarks' server: what main.ts runs (callers-server.ts, without the web build), in a process
// of its own on the given database, its output as progress lines on stderr. Used by bench:callers,
// bench:export and bench:stats.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../db/database';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Starts the server and waits until it listens; stops it again if it does not. `env`: more of the environment (a test's settings). */
export async function startServer(
  databaseUrl: string,
  sessionSecret: string,
  dataDir: string,
  log: (line: string) => void,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = fork(path.join(here, 'callers-server.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, SESSION_SECRET: sessionSecret, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    // Its output is progress, never the figures: all of it to stderr.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => log(`  server: ${line}`));
  }
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`The server exited (${code}) before it listened`)));
    });
  } catch (error) {
    await stopServer(child);
    throw error;
  }
  return { child, url };
}

/** SIGTERM, and SIGKILL if it has not gone within 10 s. */
export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
