import * as z from 'zod';
import { artifactAt, buildRegistry, loseBlob, loseManifest, zeroSizeArtifact } from '../sim/artifact-scenarios.js';
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
      "Storage lost one layer blob of an artifact; with cached, the registry's blob cache still answers HEAD (B).",
    params: artifactRef.extend({ layer: z.number().int().min(0).default(0) }),
    apply: (w, p) => {
      const st = artifactsOf(w);
      const layer = st.storage.manifests[artifactAt(st, p.repo, p.index).digest]?.layers?.[p.layer];
      if (!layer) throw new Error(`artifact ${p.index} of ${p.repo} has no layer ${p.layer}`);
      loseBlob(st, layer.digest, { cached: p.cached });
    },
  }),
  'zero-size-artifact': defineBuilder({
    description: 'An artifact record of size 0 whose manifest was never written (F).',
    params: artifactRef.omit({ cached: true }),
    apply: (w, p) => zeroSizeArtifact(artifactsOf(w), p.repo, artifactAt(artifactsOf(w), p.repo, p.index).digest),
  }),
};
