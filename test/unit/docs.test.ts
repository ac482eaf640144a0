import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registry } from '../../jobs/index.js';
import { mappingTable } from '../../src/alerts/mapping.js';
import { catalog, configReference, replaceSection } from '../../src/docs/generate.js';
import { metricsReference } from '../../src/docs/metrics-reference.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('generated documentation', () => {
  it('the README configuration reference matches the zod schema (run `npm run docs`)', () => {
    expect(replaceSection(readme, 'config', configReference())).toBe(readme);
  });

  it('the README catalog matches the check and remediation registries (run `npm run docs`)', () => {
    expect(replaceSection(readme, 'catalog', catalog(registry))).toBe(readme);
  });

  it('the README metrics table matches the metrics the processes register (run `npm run docs`)', () => {
    expect(replaceSection(readme, 'metrics', metricsReference())).toBe(readme);
  });

  it('the README alert mapping matches the built-in rules (run `npm run docs`)', () => {
    expect(replaceSection(readme, 'alert-mapping', mappingTable())).toBe(readme);
  });

  it('documents every key and check', () => {
    expect(configReference()).toContain('| `harbors[].aliases` |');
    expect(configReference()).toContain('| `SLACK_APP_TOKEN` |');
    for (const id of registry.checks.keys()) expect(catalog(registry)).toContain(`| \`${id}\` |`);
  });
});
