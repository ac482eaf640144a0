import type { CommandDefinition } from '../src/slack/command.js';
import audit from './audit.js';
import check from './check.js';
import diagnose from './diagnose.js';
import digest from './digest.js';
import findings from './findings.js';
import help from './help.js';
import silence from './silence.js';
import status from './status.js';
import unsilence from './unsilence.js';

/** Every slash sub-command, in the order `help` lists them. Explicit: no folder scanning. */
export const commands: readonly CommandDefinition[] = [
  help,
  diagnose,
  check,
  status,
  findings,
  silence,
  unsilence,
  digest,
  audit,
];
