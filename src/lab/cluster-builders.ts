import * as z from 'zod';
import {
  editIngress,
  failReadiness,
  rolloutWithFailingPull,
  upgradeThroughOwnProxyCache,
} from '../sim/harbor-incidents.js';
import { buildHarvesterUpgrade } from '../sim/harvester-scenario.js';
import {
  admiralUrlNoise,
  downgradeBelowSchema,
  migrationRunning,
  skewCoreClock,
  tokenKeyMismatch,
} from '../sim/harbor-incidents-core.js';
import { defineBuilder, type Builder } from './builder.js';
import { pinnedTokenKeyValues, setReleaseValues } from './helm-values.js';
import { imagesFromOwnHarbor } from './own-images.js';

const version = z.string().regex(/^\d+\.\d+\.\d+$/);
const component = z.enum(['core', 'jobservice', 'portal', 'registry']);

/** Builders of the cluster side: the Helm release of Harbor and what goes wrong with it. */
export const clusterBuilders: Record<string, Builder> = {
  'upgrade-through-own-proxy-cache': defineBuilder({
    description: 'An upgrade whose Harbor images come through a proxy-cache project of this same Harbor (A).',
    params: z.strictObject({ project: z.string().min(1).optional(), toVersion: version.optional() }),
    apply: (w, p) => {
      upgradeThroughOwnProxyCache(w.release, p);
    },
  }),
  'images-from-own-harbor': defineBuilder({
    description:
      'Every Harbor workload already pulls through this Harbor and runs from the image cache: the next upgrade ' +
      'breaks (A, armed).',
    params: z.strictObject({ project: z.string().min(1).default('dockerhub-proxy') }),
    apply: (w, p) => {
      imagesFromOwnHarbor(w.release, p.project);
    },
  }),
  'helm-values': defineBuilder({
    description: 'The values every stored Helm revision was installed with (what `helm get values` shows).',
    params: z.record(z.string(), z.unknown()),
    apply: (w, p) => {
      setReleaseValues(w.release, p);
    },
  }),
  'pin-token-key': defineBuilder({
    description: 'Helm values that pin the token service key (core.tokenKey/tokenCert), so upgrades keep it.',
    params: z.strictObject({}),
    apply: (w) => {
      setReleaseValues(w.release, pinnedTokenKeyValues(w.release));
    },
  }),
  'failing-pull': defineBuilder({
    description:
      'A component rolled to an image the kubelet cannot pull (not found, unauthorized, rate limited, unreachable).',
    params: z.strictObject({
      component,
      problem: z.enum(['not-found', 'unauthorized', 'rate-limited', 'unreachable', 'harbor-503']),
      image: z.string().min(1).optional(),
    }),
    apply: (w, p) => {
      rolloutWithFailingPull(w.release, p.component, (img) => p.image ?? img, p.problem);
    },
  }),
  'edit-ingress': defineBuilder({
    description:
      'The live Ingress edited by hand: annotations set (or removed with null), class, core backend port (A2).',
    params: z.strictObject({
      annotations: z.record(z.string(), z.string().nullable()).optional(),
      className: z.string().min(1).optional(),
      corePort: z.number().int().positive().optional(),
    }),
    apply: (w, p) => {
      editIngress(w.release, p);
    },
  }),
  'fail-readiness': defineBuilder({
    description: "A component's pods run but fail their readiness probe: its Service has no ready endpoints (A2).",
    params: z.strictObject({
      component: z.enum(['core', 'jobservice', 'portal', 'registry', 'database', 'redis', 'trivy']),
    }),
    apply: (w, p) => {
      failReadiness(w.release, p.component);
    },
  }),
  'harvester-upgrade': defineBuilder({
    description: 'A Harvester upgrade on the same cluster: the Upgrade, Version, node images and upgrade-log pod (G).',
    params: z.strictObject({
      from: z.string().min(1).optional(),
      to: z.string().min(1).optional(),
      versionExists: z.boolean().default(false),
      fluentbitStuck: z.boolean().default(true),
      completed: z.boolean().default(false),
    }),
    apply: (w, p) => {
      w.extra.push(buildHarvesterUpgrade({ ...p, now: w.now }));
    },
  }),
  'downgrade-below-schema': defineBuilder({
    description: 'Harbor rolled back below its database schema: core crash-loops on "file does not exist" (D).',
    params: z.strictObject({ toVersion: version }),
    apply: (w, p) => {
      downgradeBelowSchema(w.release, p);
    },
  }),
  'token-key-mismatch': defineBuilder({
    description: 'Core replicas hold different token keys (C).',
    params: z.strictObject({ variant: z.enum(['checksum', 'stale-pod', 'secret-ref']).default('checksum') }),
    apply: (w, p) => {
      tokenKeyMismatch(w.release, p.variant);
    },
  }),
  'skew-core-clock': defineBuilder({
    description: "One core replica's clock is off (C).",
    params: z.strictObject({ pod: z.number().int().min(0).default(1), offsetSeconds: z.number().int() }),
    apply: (w, p) => {
      skewCoreClock(w.release, p.pod, p.offsetSeconds * 1000);
    },
  }),
  'admiral-url-noise': defineBuilder({
    description: 'The harmless admiral_url error repeating in core logs (D2).',
    params: z.strictObject({ times: z.number().int().min(1).default(6) }),
    apply: (w, p) => {
      admiralUrlNoise(w.release, p.times);
    },
  }),
  'migration-running': defineBuilder({
    description: 'Core still migrating quota data right after an upgrade (D2).',
    params: z.strictObject({}),
    apply: (w) => {
      migrationRunning(w.release);
    },
  }),
};
