import type { HarborRelease } from '../sim/harbor-release.js';

type Containers = { image: string }[] | undefined;

function retag(containers: Containers, imageFor: (img: string) => string): void {
  for (const c of containers ?? []) c.image = imageFor(c.image);
}

/**
 * Failure mode A, armed but not yet fired: every Harbor workload already pulls its images through a
 * proxy-cache project of this same Harbor and runs fine from the nodes' image cache. The next
 * upgrade changes the tags, and the pulls then need the Harbor that is being replaced.
 */
export function imagesFromOwnHarbor(r: HarborRelease, project = 'dockerhub-proxy'): HarborRelease {
  const imageFor = (img: string) => `${r.options.host}/${project}/goharbor/${img.split('/').pop() ?? img}`;
  for (const o of r.objects) {
    if (o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'ReplicaSet') {
      const spec = (o.spec as { template?: { spec?: { containers?: Containers; initContainers?: Containers } } })
        .template?.spec;
      retag(spec?.containers, imageFor);
      retag(spec?.initContainers, imageFor);
    }
    if (o.kind === 'Pod') {
      retag((o.spec as { containers?: Containers }).containers, imageFor);
      const statuses =
        (o.status as { containerStatuses?: { image: string; imageID: string }[] }).containerStatuses ?? [];
      for (const s of statuses) {
        s.image = imageFor(s.image);
        s.imageID = s.imageID.replace(/^[^@]*/, s.image.replace(/:[^:/]+$/, ''));
      }
    }
  }
  return r;
}
