import type { Finding } from './finding.js';

/** Where a finding was posted: its message `ts` in a thread. */
export interface FindingPost {
  channel: string;
  threadTs: string;
  ts: string;
}

/** A finding as the store keeps it. `openedAt` starts the current open episode (first sighting or reopening). */
export interface FindingRecord {
  fingerprint: string;
  finding: Finding;
  status: 'open' | 'resolved';
  firstSeen: string;
  openedAt: string;
  lastSeen: string;
  timesSeen: number;
  resolvedAt?: string;
  /** Earlier open episodes that resolved before this one opened, oldest first (the last 20). */
  pastEpisodes: { openedAt: string; resolvedAt: string }[];
  posts: FindingPost[];
}

/** One finding of a run: `isNew` when it was not open before this run (first sighting or back after resolution). */
export interface Sighting {
  record: FindingRecord;
  isNew: boolean;
}
