// The server process of `npm run bench:callers`: what server/src/main.ts runs (configuration from the
// environment, the database pool, the one buildApp, listen), without the web build and its static files.
// main.ts would rebuild the web app when its sources are newer than the build, which would put a
// minutes-long vite build into a benchmark of the calling engine.
import path from 'node:path';
import { createDatabase } from '../../db/database';
import { buildApp } from '../../server/src/app';
import { loadConfig } from '../../server/src/config';

const config = loadConfig();
if (!config.databaseUrl) throw new Error('callers-server needs DATABASE_URL (the benchmark starts the cluster)');
const db = createDatabase(config.databaseUrl);
// Tests only (server/test/dialer-processes.test.ts): calls on the simulated network this many times faster than real time.
const simulatedSpeed = Number(process.env.RINGA_SIMULATED_SPEED ?? 1);
const app = await buildApp({
  db,
  publicUrl: config.publicUrl,
  sessionSecret: config.sessionSecret,
  trustProxy: config.trustProxy,
  // As main.ts: several processes may serve one database; their broadcasts meet in PostgreSQL.
  shareBroadcasts: true,
  importMaxBytes: config.importMaxBytes,
  uploadDir: path.join(config.dataDir, 'uploads'),
  logger: { level: process.env.LOG_LEVEL ?? 'warn' },
  dialer: { simulatedSpeed },
});

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await app.close();
  await db.destroy();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
// The benchmark gone (killed, crashed) must not leave this process behind.
process.on('disconnect', () => void stop());

await app.listen({ port: config.port, host: config.host });
process.send?.({ ready: true });
