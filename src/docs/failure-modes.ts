import { causes } from '../findings/causes.js';

/** What each failure-mode letter of the cause catalog stands for: the one place the README defines them. */
export const failureModes: Record<string, string> = {
  A: "An upgrade pulls Harbor's own images through the Harbor being upgraded: every pod waits in ImagePullBackOff",
  A2: 'Pods are Running but the URL answers 503: the Ingress was edited, or its Service has no ready endpoints',
  B: 'A retried push gets 404 MANIFEST_UNKNOWN: Harbor lists a manifest or blob its storage does not have',
  C: 'Pushes fail now and then with "unauthorized": core replicas sign tokens with different keys, or clocks differ',
  D: 'A downgrade: the database schema is newer than the running Harbor (or dirty), and core will not start',
  D2: 'After an upgrade: alarming log lines that are harmless, and data migrations still running',
  E: 'Replication stuck, failing, or racing: long executions, tags read before they exist, huge repositories',
  F: 'Tags of size 0 B that cannot be deleted the normal way',
  G: 'A Harvester upgrade stuck downloading images, or waiting for a Version object that does not exist',
  common: 'Not one failure mode: image pulls, unhealthy or crash-looping components, unreachable targets',
};

/** The README's table of failure modes, with the causes of each from the catalog. */
export function failureModeTable(): string {
  const out = ['| mode | what breaks | causes |', '|---|---|---|'];
  for (const [mode, text] of Object.entries(failureModes)) {
    const codes = Object.entries(causes)
      .filter(([, info]) => info.mode === mode)
      .map(([code]) => `\`${code}\``);
    out.push(`| ${mode} | ${text} | ${codes.join(', ')} |`);
  }
  return out.join('\n');
}
