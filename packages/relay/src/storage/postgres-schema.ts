/**
 * The PostgreSQL layout the relay's storage shares between processes (see docs/DEPLOY.md):
 *
 *   weft_kv       (ns, store, k) → v   every store of one replica, namespaced by `ns`
 *                                      = `<db>/<relay instance>`: derived state (docs, indexes,
 *                                      meta, change statuses) is never shared between processes
 *   weft_changes  (db, hash) → wire    the shared change log of each database: content-addressed,
 *                                      insert-only, with `seq` giving commit order per database
 *   weft_cursors  ns → seq             how far each replica has read the shared log
 *
 * `bytea` compares with memcmp and then by length, which is the port's key order (unsigned,
 * shorter prefix first), and the btree over the primary key serves every range scan.
 */
import type pg from 'pg';
import type { StoreName } from '@weft/engine';

/** The on-database layout version, kept in `weft_meta`. */
export const PG_SCHEMA_VERSION = 1;

/** The channel new changes are announced on; payload `<db> <seq>`. */
export const CHANGES_CHANNEL = 'weft_changes';

/** Stores as small integers in `weft_kv.store`. */
export const STORE_IDS: Readonly<Record<StoreName, number>> = {
  changes: 1,
  chain: 2,
  docs: 3,
  indexes: 4,
  meta: 5,
  snapshots: 6,
};

/** Serializes schema set-up across processes starting at once (CREATE … IF NOT EXISTS races). */
const SETUP_LOCK = 0x77656674; // "weft"

const DDL = `
CREATE TABLE IF NOT EXISTS weft_meta (name text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS weft_kv (
  ns text NOT NULL, store smallint NOT NULL, k bytea NOT NULL, v bytea NOT NULL,
  PRIMARY KEY (ns, store, k));
CREATE SEQUENCE IF NOT EXISTS weft_changes_seq;
CREATE TABLE IF NOT EXISTS weft_changes (
  db text NOT NULL, hash bytea NOT NULL, seq bigint NOT NULL, wire bytea NOT NULL,
  PRIMARY KEY (db, hash));
CREATE UNIQUE INDEX IF NOT EXISTS weft_changes_db_seq ON weft_changes (db, seq);
CREATE TABLE IF NOT EXISTS weft_cursors (ns text PRIMARY KEY, seq bigint NOT NULL);
`;

/**
 * Creates the tables if missing. Rejects when the database holds a newer layout than this code
 * knows, rather than writing into it.
 */
export async function ensurePostgresSchema(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK]);
    await client.query(DDL);
    const { rows } = await client.query<{ value: string }>(`SELECT value FROM weft_meta WHERE name = 'version'`);
    const version = rows[0] === undefined ? 0 : Number(rows[0].value);
    if (version > PG_SCHEMA_VERSION) {
      throw new Error(`the database has layout version ${version}, newer than ${PG_SCHEMA_VERSION}`);
    }
    if (version < PG_SCHEMA_VERSION) {
      await client.query(
        `INSERT INTO weft_meta (name, value) VALUES ('version', $1)
         ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
        [String(PG_SCHEMA_VERSION)],
      );
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
