import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';

/**
 * The secret environment variables of CONTRACT.md ("Secrets from files"). Each may instead be given
 * as `NAME_FILE`: a path whose contents, without the trailing newline, are the value (Vault agent,
 * CSI secret store, compose and Kubernetes secrets mount them as files).
 */
export const secretVariables = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'HARBOR_PILOT_HOOK_TOKEN',
  'REDIS_PASSWORD',
  'REDIS_SENTINEL_PASSWORD',
] as const;

type Lookup = { value: string } | { problem: string } | undefined;

/**
 * Reads `name` from the environment, or from the file `name_FILE` names. Both set is a problem
 * that names the variable; so is a file that cannot be read. Empty values count as unset.
 */
export function lookupSecret(env: NodeJS.ProcessEnv, name: string): Lookup {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  const hasDirect = direct !== undefined && direct !== '';
  const hasFile = file !== undefined && file !== '';
  if (hasDirect && hasFile) return { problem: `${name} and ${name}_FILE are both set: set only one of them` };
  if (hasDirect) return { value: direct };
  if (!hasFile) return undefined;
  try {
    return { value: readFileSync(file, 'utf8').replace(/\r?\n$/, '') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { problem: `${name}_FILE: cannot read ${file} (${code})` };
  }
}

/**
 * A copy of `env` in which every secret variable given as `NAME_FILE` is set from its file.
 * Throws a ConfigError naming every variable that is set twice or whose file cannot be read.
 */
export function resolveSecretFiles(env: NodeJS.ProcessEnv, names: readonly string[] = secretVariables) {
  const out: NodeJS.ProcessEnv = { ...env };
  const problems: string[] = [];
  for (const name of names) {
    const found = lookupSecret(env, name);
    if (found && 'problem' in found) problems.push(`env ${found.problem}`);
    else if (found) out[name] = found.value;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}
