import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';
import { noteDatabaseError, poolOf, type Database } from '../../../db/database';

/**
 * socket.io's PostgreSQL adapter (broadcasts between server processes through LISTEN/NOTIFY), with
 * its listening connection made safe. The adapter takes that connection from the pool it is given,
 * never releases it and listens for no 'error': a PostgreSQL restart ended the process ("Unhandled
 * 'error' event", 57P01) and each reconnection would have kept one more of the pool's connections.
 * Here it gets a pool whose connect() opens a connection of its own, outside the app's pool, whose
 * errors are noted (the outage is logged once) and whose 'end' makes the adapter listen again on a
 * new one every 1–3 s until PostgreSQL is back; its queries (NOTIFY, attachments) go through the
 * app's pool, failing like any other query while PostgreSQL is away.
 */
export function createBroadcastAdapter(db: Database, onError: (error: Error) => void): ReturnType<typeof createAdapter> {
  const pool = poolOf(db);
  const listening = {
    async connect(): Promise<pg.Client & { release: () => void }> {
      const client = new pg.Client({ ...pool.options, connectionTimeoutMillis: 5_000 });
      client.on('error', (error) => {
        noteDatabaseError(db, error);
      });
      try {
        await client.connect();
      } catch (error) {
        noteDatabaseError(db, error);
        await client.end().catch(() => {});
        throw error;
      }
      return Object.assign(client, {
        // The adapter releases its connection when socket.io closes: end it, it is not the pool's.
        release: () => void client.end().catch(() => {}),
      });
    },
    query: (text: string, values?: unknown[]) => pool.query(text, values),
  };
  return createAdapter(listening as unknown as pg.Pool, {
    errorHandler: (error) => {
      if (!noteDatabaseError(db, error)) onError(error);
    },
  });
}
