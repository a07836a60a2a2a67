// Once per test run: one PostgreSQL (embedded, or DATABASE_URL's), migrated once into a template
// database that every test file clones (CREATE DATABASE … TEMPLATE), so files never share state.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDatabase, startCluster, withDatabase } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A connection string to the cluster's maintenance database. */
    clusterUrl: string;
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ringa-test-'));
  const cluster = await startCluster({ databaseUrl: process.env.DATABASE_URL, dataDir });
  const clusterUrl = process.env.DATABASE_URL ? withDatabase(process.env.DATABASE_URL, 'postgres') : cluster.urlFor('postgres');
  const templateDatabase = `ringa_template_${process.pid}`;

  const admin = new pg.Client({ connectionString: clusterUrl });
  try {
    await admin.connect();
    await admin.query(`drop database if exists ${templateDatabase}`);
    await admin.query(`create database ${templateDatabase}`);
    const db = createDatabase(withDatabase(clusterUrl, templateDatabase), { max: 1 });
    await migrateToLatest(db).finally(() => db.destroy());
  } catch (error) {
    await admin.end().catch(() => {});
    await cluster.stop();
    throw error;
  }

  project.provide('clusterUrl', clusterUrl);
  project.provide('templateDatabase', templateDatabase);

  return async () => {
    // Test files drop their own databases; drop any left by a crashed file, then the template.
    const left = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like 'ringa_test_%' or datname = $1`,
      [templateDatabase],
    );
    for (const { datname } of left.rows) await admin.query(`drop database if exists "${datname}" with (force)`);
    await admin.end();
    await cluster.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
