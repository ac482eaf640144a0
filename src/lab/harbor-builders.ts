import * as z from 'zod';
import {
  artifactAt,
  buildRegistry,
  loseBlob,
  loseManifest,
  loseTag,
  zeroSizeArtifact,
} from '../sim/artifact-scenarios.js';
import type { ArtifactSimState } from '../sim/harbor-artifacts-state.js';
import {
  healthyReplication,
  stuckReplication,
  tagListingFailure,
  tagUnknownRace,
} from '../sim/replication-scenarios.js';
import { defineBuilder, type Builder } from './builder.js';
import type { LabWorld } from './world.js';

const artifactsOf = (w: LabWorld) => w.harbor.artifacts as ArtifactSimState;

const replicationScenarios = {
  healthy: healthyReplication,
  stuck: stuckReplication,
  'tag-unknown-race': tagUnknownRace,
  'tag-listing-failure': tagListingFailure,
} as const;

const artifactRef = z.strictObject({
  repo: z.string().min(1),
  index: z.number().int().min(0).default(0),
  cached: z.boolean().default(false),
});

/** Builders of the Harbor side: health, version, replication (E) and registry content (B, F). */
export const harborBuilders: Record<string, Builder> = {
  'harbor-version': defineBuilder({
    description: 'The version the running Harbor reports (systeminfo harbor_version).',
    params: z.strictObject({ version: z.string().regex(/^\d+\.\d+\.\d+$/) }),
    apply: (w, p) => {
      w.harbor.version = `v${p.version}-lab`;
    },
  }),
  'harbor-component': defineBuilder({
    description: "One component's status in GET /api/v2.0/health.",
    params: z.strictObject({
      name: z.string().min(1),
      status: z.string().default('unhealthy'),
      error: z.string().optional(),
    }),
    apply: (w, p) => {
      const components = w.harbor.health.components.filter((c) => c.name !== p.name);
      components.push({ name: p.name, status: p.status, ...(p.error ? { error: p.error } : {}) });
      w.harbor.health = {
        status: p.status === 'healthy' ? w.harbor.health.status : 'unhealthy',
        components: components.sort((a, b) => a.name.localeCompare(b.name)),
      };
    },
  }),
  'harbor-down': defineBuilder({
    description: "Harbor's ingress answers every request with this status (its pods are down).",
    params: z.strictObject({ status: z.number().int().min(500).max(599).default(503) }),
    apply: (w, p) => {
      w.harborFaults.push({
        path: /.*/,
        status: p.status,
        body:
          `<html><head><title>${p.status} Service Temporarily ` +
          `Unavailable</title></head><body><center><h1>${p.status} Service Temporarily ` +
          `Unavailable</h1></center><hr><center>nginx</center></body></html>`,
      });
    },
  }),
  replication: defineBuilder({
    description: 'Replication policies, executions, tasks and jobservice state (failure mode E).',
    params: z.strictObject({
      scenario: z.enum(Object.keys(replicationScenarios) as [keyof typeof replicationScenarios]),
    }),
    apply: (w, p) => {
      w.harbor.replication = replicationScenarios[p.scenario](w.now);
    },
  }),
  registry: defineBuilder({
    description: 'Projects, repositories and artifacts, consistent with storage.',
    params: z.strictObject({
      repos: z
        .array(
          z.strictObject({
            name: z.string().regex(/^[^/]+\/.+$/),
            artifacts: z.number().int().min(0).max(20_000),
            sharedLayers: z.number().int().min(0).optional(),
            uniqueLayers: z.number().int().min(0).optional(),
          }),
        )
        .min(1),
    }),
    apply: (w, p) => {
      w.harbor.artifacts = buildRegistry(p.repos, w.now);
    },
  }),
  'lose-manifest': defineBuilder({
    description: "Storage lost an artifact's manifest; with cached, core's cache layer still serves it (B).",
    params: artifactRef,
    apply: (w, p) =>
      loseManifest(artifactsOf(w), artifactAt(artifactsOf(w), p.repo, p.index).digest, { cached: p.cached }),
  }),
  'lose-blob': defineBuilder({
    description:
      'Storage lost one layer blob of an artifact: its data deleted or truncated to 0 B, or the repository ' +
      "link to it deleted (B). The registry's blob-descriptor cache (on, as in Harbor) still answers for it " +
      'unless cached is false.',
    params: artifactRef.extend({
      layer: z.number().int().min(0).default(0),
      how: z.enum(['deleted', 'truncated', 'unlinked']).default('deleted'),
      cached: z.boolean().default(true),
    }),
    apply: (w, p) => {
      const st = artifactsOf(w);
      const layer = st.pushed.manifests[artifactAt(st, p.repo, p.index).digest]?.layers?.[p.layer];
      if (!layer) throw new Error(`artifact ${p.index} of ${p.repo} has no layer ${p.layer}`);
      loseBlob(st, layer.digest, { how: p.how, repository: p.repo, cached: p.cached });
    },
  }),
  'lose-tag': defineBuilder({
    description:
      "The registry lost a tag's link (_manifests/tags/<tag>/current/link): by tag MANIFEST_UNKNOWN, by digest " +
      'the manifest is there (F). Harbor 2.x core asks the registry by digest, so set tags: registry in ' +
      'registry-storage to see it through /v2/.',
    params: artifactRef.omit({ cached: true }).extend({ tag: z.string().min(1).optional() }),
    apply: (w, p) => {
      const a = artifactAt(artifactsOf(w), p.repo, p.index);
      const tag = p.tag ?? a.tags?.[0]?.name;
      if (!tag) throw new Error(`artifact ${p.index} of ${p.repo} has no tag`);
      loseTag(artifactsOf(w), p.repo, tag);
    },
  }),
  'registry-storage': defineBuilder({
    description:
      "How the registry behind Harbor answers: its blob-descriptor cache (on in Harbor's registry config), " +
      'storage that redirects blob reads (S3, GCS), and who resolves tags (core: Harbor 2.x; registry: 1.x).',
    params: z.strictObject({
      cache: z.boolean().default(true),
      redirect: z.boolean().default(false),
      tags: z.enum(['core', 'registry']).default('core'),
    }),
    apply: (w, p) => {
      const st = artifactsOf(w);
      st.registryCache = p.cache;
      st.storage.redirect = p.redirect;
      st.tagResolution = p.tags;
    },
  }),
  'zero-size-artifact': defineBuilder({
    description: 'An artifact record of size 0 whose manifest was never written (F).',
    params: artifactRef.omit({ cached: true }),
    apply: (w, p) => zeroSizeArtifact(artifactsOf(w), p.repo, artifactAt(artifactsOf(w), p.repo, p.index).digest),
  }),
};
