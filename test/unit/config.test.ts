import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

const good = `
harbors:
  - name: prod
    url: https://harbor.example.com
    username: robot$pilot
    password: \${HARBOR_PASSWORD}
    database: \${HARBOR_DB_URL:-}
clusters:
  - name: prod
    namespace: harbor
    release: harbor
    harbor: prod
    remediations: [rollout-restart]
`;

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(text, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('interpolates the environment, drops empty optional keys and applies defaults', () => {
    const cfg = parseConfig(good, { HARBOR_PASSWORD: 's3cret' });
    expect(cfg.harbors[0]?.password).toBe('s3cret');
    expect(cfg.harbors[0]?.database).toBeUndefined();
    expect(cfg.harbors[0]?.remediations).toEqual([]);
    expect(cfg.clusters[0]?.remediations).toEqual(['rollout-restart']);
    expect(Object.isFrozen(cfg.harbors[0])).toBe(true);
  });

  it('names every bad key at once and never echoes a secret', () => {
    const bad = `
harbors:
  - name: Prod_1
    url: not-a-url
    password: hunter2-value
    colour: blue
clusters:
  - name: c
    harbor: missing
slack:
  approvers: [nobody]
`;
    const p = problems(bad);
    const text = p.join('\n');
    expect(text).toContain('harbors[0].name');
    expect(text).toContain('harbors[0].url');
    expect(text).toContain('unknown key "colour"');
    expect(text).toContain('clusters[0].harbor');
    expect(text).toContain('slack.approvers[0]');
    expect(text).toContain('harbors[0].username');
    expect(text).not.toContain('hunter2-value');
  });

  it('reports an unset variable by the key that uses it', () => {
    expect(problems(good)).toEqual(['harbors[0].password: environment variable HARBOR_PASSWORD is not set']);
  });

  it('rejects duplicate names and YAML that does not parse', () => {
    expect(problems('harbors:\n  - {name: a, url: "http://a"}\n  - {name: a, url: "http://b"}\n').join()).toContain(
      'duplicate name "a"',
    );
    expect(problems('harbors: [').join()).toContain('not valid YAML');
  });
});
