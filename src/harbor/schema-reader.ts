import pg from 'pg';
import { UpstreamError } from '../errors.js';

export interface SchemaMigration {
  version: number;
  dirty: boolean;
}

/** `host:port/database` of a PostgreSQL URL: what evidence may name (never user or password). */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparseable database URL)';
  }
}

/**
 * Reads `schema_migrations` in a read-only transaction, with connect and statement timeouts.
 * Faults become UpstreamError of service `database`; their text names no credential.
 */
export async function readSchemaMigrations(url: string, timeoutMs = 5000): Promise<SchemaMigration[]> {
  const where = describeDatabaseUrl(url);
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'harbor-pilot',
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('BEGIN READ ONLY');
    const res = await client.query<{ version: string; dirty: boolean }>(
      'SELECT version, dirty FROM schema_migrations ORDER BY version DESC',
    );
    await client.query('ROLLBACK');
    return res.rows.map((r) => ({ version: Number(r.version), dirty: r.dirty }));
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const detail =
      e.code && /^[0-9A-Z]{5}$/.test(e.code)
        ? `PostgreSQL error ${e.code}: ${(e.message ?? '').replaceAll(url, where).slice(0, 200)}`
        : `connection failed (${e.code ?? e.message ?? 'error'})`;
    throw new UpstreamError({
      service: 'database',
      status: null,
      method: 'SELECT',
      path: `schema_migrations at ${where}`,
      detail,
      cause: err,
    });
  } finally {
    await client.end().catch(() => {});
  }
}
