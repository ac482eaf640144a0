import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registry } from '../../jobs/index.js';
import { mappingTable } from '../../src/alerts/mapping.js';
import { subcommands } from '../../src/bin/harbor-pilot.js';
import { cliReference } from '../../src/docs/cli-reference.js';
import { failureModes, failureModeTable } from '../../src/docs/failure-modes.js';
import { catalog, configJsonSchema, configReference, replaceSection } from '../../src/docs/generate.js';
import { causes } from '../../src/findings/causes.js';
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

  it('the README command line reference is the help the program prints (run `npm run docs`)', () => {
    expect(replaceSection(readme, 'cli', cliReference(subcommands, registry))).toBe(readme);
    for (const name of ['check', 'preflight', 'lab', 'completion'])
      expect(readme).toContain(`$ harbor-pilot ${name} --help`);
  });

  it('defines every failure-mode letter the cause catalog uses, once (run `npm run docs`)', () => {
    expect(replaceSection(readme, 'failure-modes', failureModeTable())).toBe(readme);
    for (const [code, info] of Object.entries(causes)) expect(failureModes, code).toHaveProperty(info.mode);
  });

  it('gives every configuration key and environment variable a meaning', () => {
    const rows = configReference()
      .split('\n')
      .filter((l) => /^\| `/.test(l));
    const blank = rows.filter((l) => /\| *\|$/.test(l)).map((l) => l.split('|')[1]?.trim());
    expect(blank).toEqual([]);
  });

  it('config.schema.json is the zod schema as JSON Schema, and config.example.yaml names it (run `npm run docs`)', () => {
    expect(readFileSync(new URL('../../config.schema.json', import.meta.url), 'utf8')).toBe(configJsonSchema());
    const example = readFileSync(new URL('../../config.example.yaml', import.meta.url), 'utf8');
    expect(example.split('\n')[0]).toBe('# yaml-language-server: $schema=./config.schema.json');
  });
});
