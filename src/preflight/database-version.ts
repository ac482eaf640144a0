import pg from 'pg';
import { UpstreamError, errorMessage } from '../errors.js';

export interface SchemaMigration {
  version: number;
  dirty: boolean;
}

/**
 * Reads golang-migrate's `schema_migrations` row from Harbor's database, read-only and bounded in
 * time. Any failure is an UpstreamError of service `database` (the URL, which may hold a password,
 * is never part of the message).
 */
export async function readSchemaMigration(url: string, timeoutMs = 5000): Promise<SchemaMigration> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs, query_timeout: timeoutMs });
  const fail = (detail: string, cause?: unknown) => new UpstreamError({ service: 'database', status: null, method: 'SELECT', path: 'schema_migrations', detail, cause });
  try {
    await client.connect();
    await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
    const res = await client.query<{ version: string | number; dirty: boolean }>('select version, dirty from schema_migrations limit 1');
    const row = res.rows[0];
    if (!row) throw fail('schema_migrations is empty');
    return { version: Number(row.version), dirty: row.dirty === true };
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    throw fail(errorMessage(err).slice(0, 200), err);
  } finally {
    await client.end().catch(() => undefined);
  }
}
