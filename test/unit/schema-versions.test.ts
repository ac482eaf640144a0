import { describe, expect, it } from 'vitest';
import { describeDatabaseUrl } from '../../src/harbor/schema-reader.js';
import {
  parseHarborVersion,
  releaseOfSchema,
  schemaNewerThanBinary,
  schemaOfRelease,
} from '../../src/harbor/schema-versions.js';

describe('schema versions', () => {
  it('parses Harbor version strings', () => {
    expect(parseHarborVersion('v2.15.2-080b0220')).toEqual([2, 15, 2]);
    expect(parseHarborVersion('2.10')).toEqual([2, 10, 0]);
    expect(parseHarborVersion('latest')).toBeUndefined();
  });

  it('maps schema versions to releases and back', () => {
    expect(releaseOfSchema(130)).toBe('2.10.0');
    expect(releaseOfSchema(131)).toBe('2.10.0');
    expect(releaseOfSchema(11)).toBeUndefined();
    expect(schemaOfRelease([2, 14, 0])).toBe(170);
    expect(schemaOfRelease([2, 14, 3])).toBe(171);
    expect(schemaOfRelease([1, 8, 6])).toBeUndefined();
  });

  it('calls a schema newer only when a listed later release migrated it', () => {
    expect(schemaNewerThanBinary(12, [1, 8, 6])).toBe(true); // seed 004: 1.9.4 schema under 1.8.6
    expect(schemaNewerThanBinary(130, [2, 9, 4])).toBe(true);
    expect(schemaNewerThanBinary(171, [2, 14, 0])).toBe(true);
    expect(schemaNewerThanBinary(131, [2, 10, 3])).toBe(false); // a patch release's own migration
    expect(schemaNewerThanBinary(180, [2, 15, 2])).toBe(false);
    expect(schemaNewerThanBinary(190, [2, 15, 2])).toBe(false); // beyond the table: not claimed
  });

  it('describes a database URL without its credentials', () => {
    expect(describeDatabaseUrl('postgres://robot:pa55@db.internal:6432/registry?sslmode=require')).toBe(
      'db.internal:6432/registry',
    );
  });
});
