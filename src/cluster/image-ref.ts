/** An image reference split the way container runtimes resolve it. */
export interface ImageRef {
  /** Registry host[:port]; `docker.io` when the reference names none. */
  registry: string;
  /** Repository path inside the registry (`goharbor/harbor-core`, `library/nginx`). */
  repository: string;
  tag?: string;
  digest?: string;
}

/**
 * Parses `[host[:port]/]path[:tag][@digest]`. The first segment is a host only when it has a dot or
 * a port or is `localhost`, exactly as the Docker reference grammar decides.
 */
export function parseImageRef(ref: string): ImageRef {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let registry = 'docker.io';
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    rest = rest.slice(slash + 1);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io';
  const repository = registry === 'docker.io' && !rest.includes('/') ? `library/${rest}` : rest;
  return { registry, repository, tag: tag ?? (digest ? undefined : 'latest'), digest };
}

export function formatImageRef(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** `host[:port]` in lower case, without the scheme's default port. */
export function normalizeHost(hostPort: string, scheme: 'https' | 'http' = 'https'): string {
  const h = hostPort
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/\/.*$/, '');
  return h.replace(scheme === 'https' ? /:443$/ : /:80$/, '');
}

/** The host names by which a Harbor is reached: its URL's host and its configured aliases. */
export function harborHosts(url: string, aliases: readonly string[]): Set<string> {
  const u = new URL(url);
  const scheme = u.protocol === 'http:' ? 'http' : 'https';
  const hosts = new Set([normalizeHost(u.host, scheme)]);
  for (const a of aliases) {
    hosts.add(normalizeHost(a));
    hosts.add(normalizeHost(a, 'http'));
  }
  return hosts;
}

/**
 * The same image from an independent source: `<mirror>/<image name>` keeping tag and digest. A proxy
 * cache keeps digests, so a pinned digest still names the same content upstream.
 */
export function independentImage(image: string, mirror: string): string {
  const ref = parseImageRef(image);
  const name = ref.repository.split('/').pop() ?? ref.repository;
  return `${mirror.replace(/\/+$/, '')}/${name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
