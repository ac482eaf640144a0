import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { registry } from '../../jobs/index.js';
import { subcommands } from '../../src/bin/harbor-pilot.js';
import { createProgram, runProgram } from '../../src/cli/program.js';
import { packageVersion } from '../../src/version.js';
import { captureStream, memoryLogger } from '../support/helpers.js';

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = captureStream();
  const stderr = captureStream();
  const code = await runProgram(argv, { stdout, stderr, env, log: memoryLogger('error').log, registry }, subcommands);
  return { code, out: stdout.text(), err: stderr.text() };
}

const names = createProgram({ ...captureIo(), registry }, subcommands).commands.map((c) => c.name());

function captureIo() {
  return { stdout: captureStream(), stderr: captureStream(), env: {}, log: memoryLogger('error').log };
}

describe('the command line', () => {
  it('has every sub-command of the README', () => {
    expect(names).toEqual(
      expect.arrayContaining(['start', 'bot', 'worker', 'check', 'preflight', 'lab', 'audit', 'completion']),
    );
  });

  it.each(names)('`%s --help` and `-h` print its usage on stdout and exit 0', async (name) => {
    for (const flag of ['--help', '-h']) {
      const r = await cli([name, flag]);
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toContain(`Usage: harbor-pilot ${name}`);
      expect(r.out).toContain('-h, --help');
    }
  });

  it('prints the version and the overview, and exits 2 with usage when no command is given', async () => {
    expect(await cli(['--version'])).toMatchObject({ code: 0, out: `${packageVersion()}\n` });
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const name of names) expect(help.out).toContain(`  ${name}`);
    expect(await cli([])).toMatchObject({ code: 2, out: '', err: expect.stringContaining('Usage: harbor-pilot') });
  });

  it('exits 2 naming an unknown option, command or value', async () => {
    expect(await cli(['check', '--bogus'])).toMatchObject({
      code: 2,
      err: expect.stringContaining("unknown option '--bogus'"),
    });
    expect(await cli(['frobnicate'])).toMatchObject({
      code: 2,
      err: expect.stringContaining("unknown command 'frobnicate'"),
    });
    expect(await cli(['check', '-o', 'xml'])).toMatchObject({
      code: 2,
      err: expect.stringContaining("'xml' is invalid"),
    });
    expect(await cli(['lab', '--port', 'x'])).toMatchObject({
      code: 2,
      err: expect.stringContaining("'--port <N>' argument 'x'"),
    });
  });

  it('`start --help` starts nothing: no Slack token is asked for, no Redis is dialled', async () => {
    const r = await cli(['start', '--help'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).not.toContain('SLACK_BOT_TOKEN: required');
  });
});

describe('shell completion', () => {
  it('bash: completes sub-commands, options, output formats and check ids', async () => {
    const { code, out } = await cli(['completion', 'bash']);
    expect(code).toBe(0);
    const complete = (line: string) => {
      const script = `${out}\nread -ra COMP_WORDS <<< "${line}"; [[ "${line}" == *" " ]] && COMP_WORDS+=("");
COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _harbor_pilot; echo "\${COMPREPLY[*]}"`;
      return execFileSync('bash', ['-c', script], { encoding: 'utf8' }).trim().split(' ');
    };
    expect(complete('harbor-pilot ch')).toEqual(['check']);
    expect(complete('harbor-pilot check -o ')).toEqual(['table', 'wide', 'json', 'yaml']);
    expect(complete('harbor-pilot check harbor-h')).toEqual(['harbor-health']);
    expect(complete('harbor-pilot preflight --t')).toEqual(['--to']);
    expect(complete('harbor-pilot completion ')).toEqual(expect.arrayContaining(['bash', 'zsh']));
  });

  it('zsh: a #compdef script with each sub-command and its options', async () => {
    const { code, out } = await cli(['completion', 'zsh']);
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('#compdef harbor-pilot');
    for (const name of names) expect(out).toContain(`    ${name})`);
    expect(out).toContain("'(-o --output)'{-o,--output}'[output format]:format:(table wide json yaml)'");
    expect(out).toContain("'*:argument:(");
    try {
      execFileSync('zsh', ['-n'], { input: out });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // zsh not installed: syntax unchecked
    }
  });
});
