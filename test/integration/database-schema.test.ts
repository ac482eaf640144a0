import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import databaseSchema from '../../jobs/database-schema.js';
import { downgradeBelowSchema } from '../../src/sim/harbor-incidents-core.js';
import { buildHarborRelease, loadScenario } from '../../src/sim/harbor-release.js';
import { startClusterHarness, type ClusterHarness } from '../support/cluster-harness.js';
import { sql } from '../support/helpers.js';

const admin = 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `hp_schema_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const dbUrl = `postgres://postgres@127.0.0.1:5432/${dbName}`;
const now = new Date('2026-11-22T10:00:00Z');
let h: ClusterHarness;

async function setSchema(version: number, dirty: boolean) {
  await sql(dbUrl, 'DELETE FROM schema_migrations');
  await sql(dbUrl, 'INSERT INTO schema_migrations (version, dirty) VALUES ($1, $2)', [version, dirty]);
}

beforeAll(async () => {
  await sql(admin, `CREATE DATABASE ${dbName}`);
  await sql(dbUrl, 'CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)');
  h = await startClusterHarness({ now, harborYaml: `    database: ${dbUrl}` });
});
afterAll(async () => {
  await h?.close();
  await sql(admin, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
});

describe('database-schema (real PostgreSQL)', () => {
  it('finds nothing when the schema matches the running Harbor', async () => {
    await setSchema(130, false);
    loadScenario(h.kube, buildHarborRelease({ now, version: '2.10.3' }));
    expect(await h.run(databaseSchema)).toMatchObject({ status: 'ok', findings: [] });
  });

  it('reports a schema newer than the binary after a rollback, from the database and core logs, with the runbook', async () => {
    await setSchema(130, false);
    loadScenario(h.kube, downgradeBelowSchema(buildHarborRelease({ now, version: '2.10.3' }), { toVersion: '2.9.4' }));
    const run = await h.run(databaseSchema);
    expect(run.findings).toHaveLength(1);
    const f = run.findings[0];
    expect(f).toMatchObject({
      cause: 'schema-newer-than-binary',
      severity: 'critical',
      resource: { kind: 'Database', name: dbName, namespace: null },
      remediations: [],
    });
    expect(f?.title).toContain('schema 130 from 2.10.0, binary v2.9.4');
    expect(f?.evidence).toEqual(
      expect.arrayContaining([
        'schema_migrations: version 130, dirty false',
        'running Harbor v2.9.4 (core image) ships schema 120',
        expect.stringMatching(/\(previous container\): .*failed to initialize database: file does not exist/),
      ]),
    );
    expect(f?.evidence.filter((e) => e.startsWith('runbook:'))).toHaveLength(3);
    expect((await sql(dbUrl, 'SELECT version, dirty FROM schema_migrations')).rows).toEqual([
      { version: '130', dirty: false },
    ]);
  });

  it('reports a dirty schema (the hand edit of seed 004)', async () => {
    await setSchema(5, true);
    loadScenario(h.kube, buildHarborRelease({ now, version: '1.8.6' }));
    const f = (await h.run(databaseSchema)).findings[0];
    expect(f).toMatchObject({
      cause: 'schema-dirty',
      severity: 'critical',
      title: 'schema_migrations is marked dirty at version 5',
    });
  });

  it('judges from the database alone when core logs are forbidden, and says so', async () => {
    await setSchema(130, true);
    loadScenario(h.kube, buildHarborRelease({ now, version: '2.10.3' }));
    h.kube.state.forbidden = ['get pods/log'];
    try {
      const f = (await h.run(databaseSchema)).findings[0];
      expect(f).toMatchObject({ cause: 'schema-dirty' });
      expect(f?.evidence).toContain(
        'logs not read: the API server refused get pods/log in harbor (403); grant the bot "get pods/log"',
      );
    } finally {
      h.kube.state.forbidden = [];
    }
  });

  it('reports an unreadable database without leaking its credentials and still reads the logs', async () => {
    const other = await startClusterHarness({
      now,
      harborYaml: '    database: postgres://pilot:s3cr3t-pw@127.0.0.1:1/registry',
    });
    try {
      loadScenario(other.kube, downgradeBelowSchema(buildHarborRelease({ now }), { toVersion: '2.9.4' }));
      const run = await other.run(databaseSchema);
      expect(run.findings.map((f) => f.cause)).toEqual(['schema-newer-than-binary', 'target-unreachable']);
      expect(run.findings[1]?.evidence[0]).toContain(
        'schema_migrations at 127.0.0.1:1/registry: connection failed (ECONNREFUSED)',
      );
      expect(JSON.stringify(run.findings)).not.toContain('s3cr3t-pw');
      expect(other.logs.join('')).not.toContain('s3cr3t-pw');
    } finally {
      await other.close();
    }
  });

  it('judges from core logs alone when no database is configured', async () => {
    const other = await startClusterHarness({ now });
    try {
      loadScenario(other.kube, downgradeBelowSchema(buildHarborRelease({ now }), { toVersion: '2.9.4' }));
      const f = (await other.run(databaseSchema)).findings[0];
      expect(f).toMatchObject({
        cause: 'schema-newer-than-binary',
        resource: { kind: 'Database', name: 'registry', namespace: null },
      });
      expect(
        f?.evidence.some(
          (e) =>
            e.includes('Failed to upgrade schema, error: "file does not exist"') ||
            e.includes('failed to initialize database'),
        ),
      ).toBe(true);
    } finally {
      await other.close();
    }
  });
});
