import * as z from 'zod';
import { errorMessage } from '../errors.js';
import type { HarborClient } from '../harbor/client.js';
import { getParsed } from '../harbor/parse.js';

const projectSchema = z.looseObject({
  name: z.string(),
  project_id: z.number().optional(),
  registry_id: z.number().nullable().optional(),
});

/**
 * What Harbor says about the project an image path starts with: a proxy-cache project has a
 * `registry_id`. Harbor is usually down when its own images fail to pull, so this is best effort
 * within a short deadline and always returns one evidence line.
 */
export async function describeProxyCacheProject(
  harbor: HarborClient,
  project: string,
  signal: AbortSignal,
  timeoutMs = 3000,
): Promise<string> {
  try {
    const p = await getParsed(harbor.http, projectSchema, {
      path: `/projects/${encodeURIComponent(project)}`,
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      timeoutMs,
    });
    return p.registry_id
      ? `Harbor project "${p.name}" is a proxy-cache project (registry_id ${p.registry_id})`
      : `Harbor project "${p.name}" is a regular project (no registry_id), still served by this Harbor`;
  } catch (err) {
    return `Harbor API could not say what project "${project}" is (${errorMessage(err).slice(0, 160)})`;
  }
}
