import type { RemediationOutcome, RemediationPlan } from '../checks/define.js';
import { UpstreamError } from '../errors.js';
import type { V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import type { KubeClients } from '../kube/client.js';
import { changedSince, patchDeployment, patchStatefulSet, readDeployment, readStatefulSet } from '../kube/patch.js';
import { diffObjects } from './diff.js';

type Versioned = { metadata?: { resourceVersion?: string } };
type Built = { body: Record<string, unknown> } | { refuse: string };

/** The parts of a PatchSpec that every Deployment patch shares: identity, read and patch. */
export function deploymentPatchTarget(
  kube: KubeClients,
  p: { namespace: string; deployment: string; resourceVersion: string },
) {
  return {
    kind: 'Deployment',
    namespace: p.namespace,
    name: p.deployment,
    resourceVersion: p.resourceVersion,
    apiPath: `/apis/apps/v1/namespaces/${p.namespace}/deployments/${p.deployment}`,
    read: () => readDeployment(kube, p.namespace, p.deployment),
    patch: (body: Record<string, unknown>, dryRun: boolean) =>
      patchDeployment(kube, { namespace: p.namespace, name: p.deployment, body, dryRun }),
  } satisfies Partial<PatchSpec<V1Deployment>>;
}

/** The same for a StatefulSet. */
export function statefulSetPatchTarget(
  kube: KubeClients,
  p: { namespace: string; statefulset: string; resourceVersion: string },
) {
  return {
    kind: 'StatefulSet',
    namespace: p.namespace,
    name: p.statefulset,
    resourceVersion: p.resourceVersion,
    apiPath: `/apis/apps/v1/namespaces/${p.namespace}/statefulsets/${p.statefulset}`,
    read: () => readStatefulSet(kube, p.namespace, p.statefulset),
    patch: (body: Record<string, unknown>, dryRun: boolean) =>
      patchStatefulSet(kube, { namespace: p.namespace, name: p.statefulset, body, dryRun }),
  } satisfies Partial<PatchSpec<V1StatefulSet>>;
}

/** One strategic-merge-patch remediation on one object: how to read it, patch it and show it. */
export interface PatchSpec<T extends Versioned> {
  kind: string;
  namespace: string;
  name: string;
  /** The resourceVersion the finding saw; anything else means the object moved on. */
  resourceVersion: string;
  /** The API path, for the plan's request line. */
  apiPath: string;
  summary: string;
  read(): Promise<T>;
  /** The patch body for the current object, or why nothing may be patched. */
  build(current: T): Built | Promise<Built>;
  patch(body: Record<string, unknown>, dryRun: boolean): Promise<T>;
  /** The part of the object the diff shows. */
  project(obj: T): unknown;
}

function withVersion(body: Record<string, unknown>, rv: string): Record<string, unknown> {
  return { ...body, metadata: { ...((body.metadata as object | undefined) ?? {}), resourceVersion: rv } };
}

/** A refused API call as a plan refusal that names the RBAC verb and resource the bot lacks. */
export function forbiddenRefusal(err: unknown): string | undefined {
  if (!(err instanceof UpstreamError) || !err.forbidden) return undefined;
  return (
    `the API server refused ${err.method} ${err.path} (${err.status}): grant the bot RBAC "${err.method} ` +
    `${err.path.replace(/ in .*$/, '')}" (deploy/kubernetes/rbac-remediation.yaml)`
  );
}

/** Reads the object, refuses when it changed since the finding, dry-runs the patch server-side, diffs. */
export async function planPatch<T extends Versioned>(spec: PatchSpec<T>): Promise<RemediationPlan> {
  try {
    return await planPatchUnguarded(spec);
  } catch (err) {
    const refuse = forbiddenRefusal(err);
    if (!refuse) throw err;
    return {
      summary: spec.summary,
      requests: [`PATCH ${spec.apiPath}?fieldManager=harbor-pilot (strategic merge patch)`],
      refuse,
    };
  }
}

async function planPatchUnguarded<T extends Versioned>(spec: PatchSpec<T>): Promise<RemediationPlan> {
  const requests = [`PATCH ${spec.apiPath}?fieldManager=harbor-pilot (strategic merge patch)`];
  let current: T;
  try {
    current = await spec.read();
  } catch (err) {
    if (err instanceof UpstreamError && err.status === 404)
      return {
        summary: spec.summary,
        requests,
        refuse: `${spec.kind} ${spec.namespace}/${spec.name} no longer exists`,
      };
    throw err;
  }
  const refuse = changedSince(spec.kind, spec.name, spec.resourceVersion, current.metadata?.resourceVersion);
  if (refuse) return { summary: spec.summary, requests, refuse };
  const built = await spec.build(current);
  if ('refuse' in built) return { summary: spec.summary, requests, refuse: built.refuse };
  const dry = await spec.patch(withVersion(built.body, spec.resourceVersion), true);
  const diff = diffObjects(spec.project(current), spec.project(dry));
  if (!diff)
    return {
      summary: spec.summary,
      requests,
      refuse:
        `the server-side dry run (dryRun=All) changes nothing on ${spec.kind} ${spec.name}: it is already ` +
        `as this fix would make it`,
    };
  return {
    summary: spec.summary,
    requests: [...requests, `dry run: PATCH ${spec.apiPath}?dryRun=All accepted`],
    diff,
    expect: { resourceVersion: spec.resourceVersion },
  };
}

/** Applies the patch only to the planned version of the object (a 409 from the server otherwise). */
export async function executePatch<T extends Versioned>(
  spec: PatchSpec<T>,
  plan: RemediationPlan,
): Promise<RemediationOutcome> {
  if (plan.refuse) return { ok: false, detail: `not run: ${plan.refuse}` };
  const rv = String(plan.expect?.resourceVersion ?? spec.resourceVersion);
  const current = await spec.read();
  const refuse = changedSince(spec.kind, spec.name, rv, current.metadata?.resourceVersion);
  if (refuse) return { ok: false, detail: `not run: ${refuse}` };
  const built = await spec.build(current);
  if ('refuse' in built) return { ok: false, detail: `not run: ${built.refuse}` };
  try {
    const after = await spec.patch(withVersion(built.body, rv), false);
    return {
      ok: true,
      detail:
        `patched ${spec.kind} ${spec.namespace}/${spec.name} (resourceVersion ${rv} → ` +
        `${after.metadata?.resourceVersion ?? '?'})`,
    };
  } catch (err) {
    if (err instanceof UpstreamError && err.status === 409)
      return {
        ok: false,
        detail: `not run: ${spec.kind} ${spec.name} changed between plan and execution (409 Conflict)`,
      };
    throw err;
  }
}
