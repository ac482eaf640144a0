import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { checks, registry } from '../../jobs/index.js';
import { causes } from '../../src/findings/causes.js';
import { importCycles } from '../support/import-graph.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
// The shared contract sits beside the repository; a copy travels with the tests for clones without it.
const shared = join(root, '../shared/CONTRACT.md');
const contract = readFileSync(existsSync(shared) ? shared : join(root, 'test/fixtures/CONTRACT.md'), 'utf8');

function files(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((f) => {
    const p = join(dir, f);
    return statSync(join(root, p)).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/(?:from|import\()\s*'([^']+)'/g)].map((m) => m[1] as string);
}

describe('architecture', () => {
  it('src/ (outside its entry points) never imports commands/ or jobs/', () => {
    const offenders = files('src')
      .filter((f) => !f.startsWith('src/bin/'))
      .flatMap((f) =>
        imports(f)
          .filter((i) => /(^|\/)(commands|jobs)\//.test(i))
          .map((i) => `${relative(root, join(root, f))} -> ${i}`),
      );
    expect(offenders).toEqual([]);
  });

  it('only the Slack door (src/slack/slack-door.ts) holds the Web API client and calls its methods', () => {
    const door = join('src', 'slack', 'slack-door.ts');
    const code = ['src', 'jobs', 'commands'].flatMap((d) => files(d)).filter((f) => f !== door);
    const importsClient = (f: string) => {
      const text = readFileSync(join(root, f), 'utf8');
      return (
        /import\s+(?!type\b)[^;]*from\s*'@slack\/web-api'/.test(text) || /import[^;]*\bWebClient\b[^;]*from/.test(text)
      );
    };
    // Bolt's listener `client` is a Web API client too: nothing outside the door calls Slack's methods on one.
    const callsSlack = (f: string) =>
      !f.startsWith(join('src', 'sim')) &&
      /\.(chat|files|views|usergroups|conversations|reactions)\.[a-zA-Z]+(\.[a-zA-Z]+)?\(/.test(
        readFileSync(join(root, f), 'utf8'),
      );
    expect(code.filter(importsClient)).toEqual([]);
    expect(code.filter(callsSlack)).toEqual([]);
  });

  it('only the worker builder (src/worker/queue-worker.ts) constructs a BullMQ Worker', () => {
    const builder = join('src', 'worker', 'queue-worker.ts');
    const builds = (f: string) => /\bnew\s+Worker\b/.test(readFileSync(join(root, f), 'utf8'));
    expect(['src', 'jobs', 'commands'].flatMap((d) => files(d)).filter((f) => f !== builder && builds(f))).toEqual([]);
  });

  it('src/ has no import cycles, type-only imports included', () => {
    expect(importCycles(root, 'src')).toEqual([]);
  });

  it('jobs/ never imports @slack/bolt', () => {
    expect(files('jobs').filter((f) => imports(f).some((i) => i.startsWith('@slack/bolt')))).toEqual([]);
  });

  it('every check id, cause code and remediation id is in CONTRACT.md, the cause catalog or the additions in the README', () => {
    for (const c of checks) {
      expect(contract, `check ${c.id}`).toContain(`\`${c.id}\``);
      for (const cause of c.causes) expect(Object.keys(causes), `${c.id} cause ${cause}`).toContain(cause);
    }
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const added = readme.slice(readme.indexOf('### Names added to the contract'), readme.indexOf('## Permissions'));
    for (const id of registry.remediations.keys())
      expect(`${contract}${added}`, `remediation ${id}`).toContain(`\`${id}\``);
    for (const cause of Object.keys(causes).filter((c) => !contract.includes(`\`${c}\``)))
      expect(added, `cause ${cause}`).toContain(`\`${cause}\``);
  });

  it('every cause of CONTRACT.md is in the cause catalog', () => {
    const table = contract.slice(contract.indexOf('| check id |'), contract.indexOf('Remediation ids'));
    const named = [...table.matchAll(/`([a-z0-9-]+)` \[/g)].map((m) => m[1] as string);
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((c) => !(c in causes))).toEqual([]);
  });

  it('each check file is named after its id and each command after its name', () => {
    for (const c of checks) expect(readdirSync(join(root, 'jobs'))).toContain(`${c.id}.ts`);
    for (const c of commands) expect(readdirSync(join(root, 'commands'))).toContain(`${c.name}.ts`);
  });
});
