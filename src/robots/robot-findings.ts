import type { FindingInput } from '../checks/define.js';
import { formatDuration } from '../checks/format.js';
import type { Registry, Robot } from '../harbor/admin-schemas.js';
import type { ReplicationPolicy } from '../harbor/replication-schemas.js';

const day = 24 * 3600_000;

/** Who authenticates as which robot: account name to the descriptions of what depends on it. */
export function robotDependents(
  policies: readonly ReplicationPolicy[],
  registries: readonly Registry[],
  bot: { harbor: string; username: string | undefined },
): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  const add = (name: string, what: string) => uses.set(name, [...(uses.get(name) ?? []), what]);
  if (bot.username) add(bot.username, `harbors[${bot.harbor}].username: the bot's own credentials`);
  const byId = new Map(registries.map((r) => [r.id, r]));
  for (const p of policies.filter((x) => x.enabled !== false)) {
    for (const ref of [p.src_registry, p.dest_registry]) {
      const reg = ref?.id ? byId.get(ref.id) : undefined;
      const key = reg?.credential?.access_key;
      if (reg && key)
        add(
          key,
          `enabled replication policy "${p.name}" (policy ${p.id}) through registry endpoint ${reg.name} ` +
            `(${reg.url ?? 'no url'})`,
        );
    }
  }
  return uses;
}

/** Enabled robots that expired or expire within `windowDays`; disabled ones and `expires_at: -1` never. */
export function expiringRobots(
  robots: readonly Robot[],
  now: Date,
  windowDays: number,
): { robot: Robot; leftMs: number }[] {
  return robots
    .filter((r) => !r.disable && r.expires_at > 0)
    .map((robot) => ({ robot, leftMs: robot.expires_at * 1000 - now.getTime() }))
    .filter((x) => x.leftMs <= windowDays * day)
    .sort((a, b) => a.leftMs - b.leftMs);
}

/** The finding for one expiring or expired robot; critical when something listed in `usedBy` depends on it. */
export function robotFinding(robot: Robot, leftMs: number, usedBy: readonly string[]): FindingInput {
  const expired = leftMs <= 0;
  const used = usedBy.length > 0;
  const at = new Date(robot.expires_at * 1000).toISOString();
  const when = expired ? `expired ${formatDuration(-leftMs)} ago` : `expires in ${formatDuration(leftMs)}`;
  const effect = used
    ? `${usedBy.join('; and ')} ${usedBy.length > 1 ? 'authenticate' : 'authenticates'} as it: ` +
      `${expired ? 'these now fail' : 'these will fail'} with 401 unauthorized.`
    : `Anything that logs in as it (CI jobs, image pull secrets) ${expired ? 'now fails' : 'will fail'} ` +
      `with 401 unauthorized; nothing the bot can see (replication, its own configuration) uses it.`;
  const severity = used ? 'critical' : expired ? 'warning' : undefined;
  return {
    cause: expired ? 'robot-expired' : 'robot-expiring',
    ...(severity ? { severity } : {}),
    title: `Robot account ${robot.name} ${when}${used ? ' and is in use' : ''}`,
    summary:
      `${effect.charAt(0).toUpperCase()}${effect.slice(1)} Extend it (Robot Accounts > edit, or ` +
      `PUT /api/v2.0/robots/${robot.id} with a new ` +
      `duration; the secret stays the same), or disable it if nothing needs it.`,
    resource: { kind: 'RobotAccount', name: robot.name, namespace: null },
    evidence: [
      `GET /api/v2.0/robots: ${robot.name} id=${robot.id} level=${robot.level ?? '?'} disable=${robot.disable} ` +
        `expires_at=${robot.expires_at} (${at})`,
      ...usedBy.map((u) => `used by ${u}`),
    ],
  };
}
