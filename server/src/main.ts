import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applicationDatabaseUrl, createDatabase, startCluster } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createSetupLink, setupNeeded } from './modules/accounts/accounts.service';
import { DEMO_PASSWORD, seedDemo, type DemoResult } from './modules/demo/demo.service';
import { failInterruptedImports } from './modules/lists/lists.service';
import { systemClock } from './clock';
import { ensureWebBuild, webBuildDir } from './web-build';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const config = loadConfig();
  ensureWebBuild(root, say);

  // The server stops PostgreSQL itself on SIGTERM, after the requests in flight and the pool.
  const cluster = await startCluster({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }, say, { handlesSignals: true });
  const db = createDatabase(applicationDatabaseUrl({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }, cluster));
  let stopping = false;
  let demo: DemoResult | null = null;
  const stopDatabase = async () => {
    await db.destroy();
    await cluster.stop();
  };

  try {
    const applied = await migrateToLatest(db);
    if (applied.length > 0) say(`Applied migrations: ${applied.join(', ')}`);
    const interrupted = await failInterruptedImports(db, systemClock.now());
    if (interrupted > 0) say(`${interrupted} list import(s) were interrupted when Ringa last stopped; they are marked failed and kept nothing.`);
    // Before the server listens: a database with other organisations is refused, and nothing starts.
    if (config.demo) demo = await seedDemo(db, systemClock);
  } catch (error) {
    await stopDatabase();
    throw error;
  }

  const app = await buildApp({
    db,
    publicUrl: config.publicUrl,
    sessionSecret: config.sessionSecret,
    webRoot: webBuildDir(root),
    trustProxy: config.trustProxy,
    importMaxBytes: config.importMaxBytes,
    // Uploads stay beside the data, not in the system's temporary folder; a start removes a crash's leftovers.
    uploadDir: path.join(config.dataDir, 'uploads'),
    secretsKey: config.secretsKey,
    twilio: config.twilio,
    telephony: { countryCodes: config.telephonyCountryCodes },
    metricsToken: config.metricsToken,
    mail: config.mail,
    hosting: {
      operator: config.hostingOperator ?? null,
      database: config.databaseUrl ? { kind: 'external', host: new URL(config.databaseUrl).hostname || null } : { kind: 'embedded', host: null },
    },
    // Several processes may run on one database behind a load balancer; their broadcasts meet in PostgreSQL.
    shareBroadcasts: true,
    logger: { level: process.env.LOG_LEVEL ?? 'warn' },
  });

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping…`);
    try {
      await app.close(); // stops accepting, waits for requests in flight
      say('Connections closed.');
      await db.destroy();
      if (cluster.startedHere) {
        await cluster.stop();
        say('Database stopped.');
      }
      say('Stopped.');
      process.exit(0);
    } catch (error) {
      process.stderr.write(`Could not stop cleanly: ${String(error)}\n`);
      process.exit(1);
    }
  };
  // 'on', not 'once': a terminal's Ctrl-C may arrive twice (tsx passes it on too), and a second must not end the stop half-way.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;

  if (demo) {
    const counted = (n: number) => n.toLocaleString('en-GB');
    say(
      demo.seeded
        ? `\nDemo data is ready: ${counted(demo.people)} made-up people and ${counted(demo.calls)} calls (seeded in ${(demo.milliseconds / 1000).toFixed(1)} s).`
        : '\nThe demo district is already in this database; nothing was added.',
    );
    say(`Sign in as any of these (password for all: ${DEMO_PASSWORD}):`);
    for (const signIn of demo.signIns) say(`  ${signIn.role.padEnd(9)} ${signIn.email.padEnd(28)} ${signIn.organisation}`);
    say(`  (and ${demo.volunteers} more callers who made the earlier calls, with the same password: see each organisation's members)`);
  } else if (await setupNeeded(db)) {
    const link = await createSetupLink(db, systemClock, config.publicUrl);
    say(`\nFirst run: open this one-time link to name your organisation and create the first admin (valid 24 hours):\n  ${link}`);
  }
  say(`\nRinga is running at ${config.publicUrl.origin}  (listening on ${config.host}:${port})`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Ringa could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
