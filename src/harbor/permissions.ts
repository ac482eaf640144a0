import { UpstreamError } from '../errors.js';

// The robot account permissions each Harbor call needs (failure-modes.md, "Robot account
// permissions", read in goharbor/harbor src/server/v2.0/handler/), most specific path first.
const rules: { method: RegExp; path: RegExp; permission: string }[] = [
  { method: /PUT|POST/, path: /^\/replication\/executions/, permission: 'system replication:create' },
  { method: /GET/, path: /^\/replication\/executions/, permission: 'system replication:list and replication:read' },
  {
    method: /GET/,
    path: /^\/replication\/policies/,
    permission: 'system replication-policy:list and replication-policy:read',
  },
  { method: /PUT/, path: /^\/jobservice\//, permission: 'system jobservice-monitor:stop' },
  { method: /GET/, path: /^\/jobservice\//, permission: 'system jobservice-monitor:list' },
  { method: /DELETE/, path: /\/artifacts\//, permission: 'project artifact:delete' },
  { method: /GET/, path: /\/artifacts/, permission: 'project artifact:list and artifact:read' },
  { method: /GET/, path: /repositories/, permission: 'project repository:list' },
  { method: /GET/, path: /^\/projects/, permission: 'system project:list and project:read' },
  { method: /GET|HEAD/, path: /^\/(v2\/|service\/token)/, permission: 'project repository:pull' },
  { method: /GET/, path: /^\/quotas/, permission: 'system quota:list and quota:read' },
  { method: /GET/, path: /^\/robots/, permission: 'system robot:list and robot:read' },
  { method: /GET/, path: /^\/system\/gc/, permission: 'system garbage-collection:list and garbage-collection:read' },
  { method: /GET/, path: /^\/registries/, permission: 'system registry:list and registry:read' },
];

/** The robot permission a Harbor call needs, or null when the call is not one the bot makes. */
export function permissionFor(method: string, path: string): string | null {
  return rules.find((r) => r.method.test(method) && r.path.test(path))?.permission ?? null;
}

/** Runs `fn`; a 401/403 from Harbor comes back naming the robot permission that is missing. */
export async function withPermissionHints<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof UpstreamError) || !err.forbidden) throw err;
    const permission = permissionFor(err.method, err.path);
    if (!permission) throw err;
    throw new UpstreamError({ ...err, detail: `${err.detail}; the robot account needs ${permission}`, cause: err });
  }
}
