import * as z from 'zod';

// Shapes from reference/harbor/swagger-v2.15.2.yaml (Project, Repository, Artifact, Tag, Reference)
// and the OCI / Docker manifest formats the registry API serves. Loose: only what the checks read.

export const projectSchema = z.looseObject({
  project_id: z.number(),
  name: z.string(),
  repo_count: z.number().optional(),
  /** Set on a proxy-cache project: the registry it caches. */
  registry_id: z.number().nullable().optional(),
});
export type Project = z.infer<typeof projectSchema>;

export const repositorySchema = z.looseObject({
  id: z.number().optional(),
  project_id: z.number().optional(),
  /** Includes the project: `library/nginx`, `team/a/b`. */
  name: z.string(),
  artifact_count: z.number().default(0),
  update_time: z.string().nullish(),
});
export type Repository = z.infer<typeof repositorySchema>;

export const tagSchema = z.looseObject({ name: z.string(), push_time: z.string().nullish() });

export const artifactSchema = z.looseObject({
  id: z.number().optional(),
  digest: z.string(),
  size: z.number().default(0),
  type: z.string().optional(),
  media_type: z.string().optional(),
  manifest_media_type: z.string().optional(),
  repository_name: z.string().optional(),
  push_time: z.string().nullish(),
  tags: z.array(tagSchema).nullish(),
  references: z.array(z.looseObject({ child_digest: z.string() })).nullish(),
});
export type Artifact = z.infer<typeof artifactSchema>;

const descriptor = z.looseObject({ digest: z.string(), mediaType: z.string().optional(), size: z.number().optional() });

/** An image manifest (config + layers) or an index (manifests); other fields are ignored. */
export const manifestSchema = z.looseObject({
  schemaVersion: z.number().optional(),
  mediaType: z.string().optional(),
  config: descriptor.optional(),
  layers: z.array(descriptor).optional(),
  manifests: z.array(descriptor).optional(),
});
export type Manifest = z.infer<typeof manifestSchema>;

export const tokenSchema = z.looseObject({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
});

/** Media types a manifest GET accepts, so the registry answers with what was pushed. */
export const manifestAccept = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** Splits `team/a/b` into the project (`team`) and the repository inside it (`a/b`). */
export function splitRepository(full: string): { project: string; repository: string } {
  const i = full.indexOf('/');
  return i < 0 ? { project: full, repository: '' } : { project: full.slice(0, i), repository: full.slice(i + 1) };
}
