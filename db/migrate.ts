import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { migrations } from './migrations';

/** Applies every pending migration; throws with the failing migration's name and error. */
export async function migrateToLatest<T>(db: Kysely<T>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
  return applied(await migrator.migrateToLatest());
}

/**
 * Applies migrations on a connection already inside a transaction (a restore, which must be all or
 * nothing): up to and including `to`, or all of them.
 */
export async function migrateInTransaction<T>(db: Kysely<T>, to?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) }, disableTransactions: true });
  return applied(to === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(to));
}

/** The names of every migration this version of Ringa knows, in the order they apply. */
export function knownMigrations(): string[] {
  return Object.keys(migrations).sort();
}

function applied({ error, results }: MigrationResultSet): string[] {
  const failed = results?.find((result) => result.status === 'Error');
  if (error !== undefined) {
    const reason = error instanceof Error ? error.message : JSON.stringify(error);
    throw new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${reason}`, { cause: error });
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
