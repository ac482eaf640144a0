import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../jobs/index.js';
import { runCheckCommand } from '../../src/cli/check-command.js';
import { loadConfig, readEnv } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { resolveSecretFiles, secretVariables } from '../../src/secret-files.js';
import { startHarborSim, type HarborSim } from '../../src/sim/harbor-sim.js';
import { captureStream, memoryLogger, tempFiles } from '../support/helpers.js';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('secrets from files (NAME_FILE)', () => {
  const files = tempFiles({ 'token.txt': 'from-the-file\n', 'crlf.txt': 'crlf-value\r\n', 'bare.txt': 'no-newline' });

  it.each(secretVariables)('%s may be given as a _FILE twin, without its trailing newline', (name) => {
    const env = resolveSecretFiles({ [`${name}_FILE`]: files['token.txt'] });
    expect(env[name]).toBe('from-the-file');
  });

  it.each(secretVariables)('%s and its _FILE twin both set is an error naming the variable', (name) => {
    const problems = problemsOf(() => resolveSecretFiles({ [name]: 'x', [`${name}_FILE`]: files['token.txt'] }));
    expect(problems).toEqual([`env ${name} and ${name}_FILE are both set: set only one of them`]);
  });

  it('keeps the value as written apart from one trailing newline, CRLF included', () => {
    const env = resolveSecretFiles({
      SLACK_BOT_TOKEN_FILE: files['crlf.txt'],
      SLACK_APP_TOKEN_FILE: files['bare.txt'],
    });
    expect(env.SLACK_BOT_TOKEN).toBe('crlf-value');
    expect(env.SLACK_APP_TOKEN).toBe('no-newline');
  });

  it('names the variable and the path when the file cannot be read, and every problem at once', () => {
    const missing = `${files.dir}/nope`;
    const problems = problemsOf(() =>
      readEnv({ SLACK_BOT_TOKEN_FILE: missing, SLACK_SIGNING_SECRET: 'a', SLACK_SIGNING_SECRET_FILE: missing }),
    );
    expect(problems).toEqual([
      `env SLACK_BOT_TOKEN_FILE: cannot read ${missing} (ENOENT)`,
      'env SLACK_SIGNING_SECRET and SLACK_SIGNING_SECRET_FILE are both set: set only one of them',
    ]);
  });

  it('readEnv gives the Slack tokens read from files to the bot', () => {
    const env = readEnv({ SLACK_BOT_TOKEN_FILE: files['token.txt'], SLACK_SIGNING_SECRET_FILE: files['bare.txt'] });
    expect(env.SLACK_BOT_TOKEN).toBe('from-the-file');
    expect(env.SLACK_SIGNING_SECRET).toBe('no-newline');
  });

  it('${VAR} in the configuration reads VAR_FILE; both set is an error naming the key and the variable', () => {
    const cfg = tempFiles({
      'c.yaml': 'harbors:\n  - name: prod\n    url: https://h.example\n    username: u\n    password: ${HP_PW}\n',
    });
    const path = cfg['c.yaml'] as string;
    const config = loadConfig({ env: { HP_PW_FILE: files['token.txt'] }, path });
    expect(config.harbors[0]?.password).toBe('from-the-file');
    const problems = problemsOf(() => loadConfig({ env: { HP_PW: 'a', HP_PW_FILE: files['token.txt'] }, path }));
    expect(problems.join('\n')).toContain('harbors[0].password: HP_PW and HP_PW_FILE are both set');
  });
});

describe('a Harbor password from a file reaches Harbor', () => {
  let harbor: HarborSim;
  beforeAll(async () => {
    harbor = await startHarborSim();
    harbor.state.users = [{ username: 'robot$pilot', password: 'filed-secret' }];
  });
  afterAll(() => harbor.close());

  it('check authenticates with the password read from HP_PASSWORD_FILE and never prints it', async () => {
    const files = tempFiles({
      'pw.txt': 'filed-secret\n',
      'config.yaml': `harbors:\n  - name: prod\n    url: ${harbor.url}\n    username: robot$pilot\n    password: \${HP_PASSWORD}\n`,
    });
    const stdout = captureStream();
    const stderr = captureStream();
    const code = await runCheckCommand(
      ['replication-stuck', '--json', '--config', files['config.yaml'] as string],
      registry,
      {
        stdout,
        stderr,
        env: { HP_PASSWORD_FILE: files['pw.txt'] },
        log: memoryLogger().log,
      },
    );
    expect(code).toBe(0);
    const doc = JSON.parse(stdout.text());
    expect(doc.checks).toEqual([expect.objectContaining({ id: 'replication-stuck', status: 'ok' })]);
    const auth = harbor.requests.find((r) => r.path.startsWith('/api/v2.0/replication'))?.headers.authorization;
    expect(auth).toBe(`Basic ${Buffer.from('robot$pilot:filed-secret').toString('base64')}`);
    expect(stdout.text() + stderr.text()).not.toContain('filed-secret');
  });
});
