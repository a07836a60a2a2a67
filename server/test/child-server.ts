// A real server process for tests that need one: to kill it, or to read its memory from /proc. It is
// what main.ts runs (scripts/bench/callers-server.ts) on the test file's database, with a DATA_DIR of
// its own; requests go to it over HTTP on 127.0.0.1.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startServer, stopServer } from '../../scripts/bench/server-process';
import { PASSWORD } from './harness';
import { MEMBER_REGISTER_FIELDS } from './multipart';

export interface ChildServer {
  child: ChildProcess;
  pid: number;
  url: string;
  /** What it printed, for failure messages. */
  output: string[];
  stop(): Promise<void>;
}

export async function startChildServer(databaseUrl: string, dataDir: string): Promise<ChildServer> {
  const output: string[] = [];
  const { child, url } = await startServer(databaseUrl, 'z'.repeat(40), dataDir, (line) => output.push(line));
  if (child.pid === undefined) throw new Error('the server process has no pid');
  return { child, pid: child.pid, url, output, stop: () => stopServer(child) };
}

/** Signs in over HTTP; returns the session cookie. */
export async function signIn(server: ChildServer, email: string): Promise<string> {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers.getSetCookie().find((line) => line.startsWith('ringa_session='));
  if (!cookie) throw new Error('no session cookie');
  return cookie.split(';')[0] as string;
}

/** A file posted as the web app posts it (multipart, with a name and the member register as its source for an import). */
export async function upload(server: ChildServer, cookie: string, urlPath: string, file: { name: string; content: Buffer }): Promise<{ status: number; body: { id?: string; error?: { code: string; message: string } } }> {
  const form = new FormData();
  form.set('name', file.name);
  for (const [field, value] of Object.entries(MEMBER_REGISTER_FIELDS)) form.set(field, value);
  form.set('file', new Blob([file.content]), file.name);
  const response = await fetch(`${server.url}${urlPath}`, { method: 'POST', headers: { cookie, origin: server.url }, body: form });
  return { status: response.status, body: (await response.json()) as { id?: string; error?: { code: string; message: string } } };
}

/** A process's resident memory now and at its peak, in MB, from /proc (Linux). */
export function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kilobytes('VmRSS') / 1024, peak: kilobytes('VmHWM') / 1024 };
}
