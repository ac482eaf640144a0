import type * as K8s from '@kubernetes/client-node';

/**
 * @kubernetes/client-node, loaded on first use. Importing it costs about 80 MB of RSS (its HTTP and
 * auth stacks), which a `bot` process, or a worker with no cluster configured, never needs; so no
 * module imports it statically (the architecture test keeps it so). Whatever is about to use a
 * cluster awaits `loadKubernetesClient()` first; the synchronous code below it then calls `k8s()`.
 */
let loaded: typeof K8s | undefined;
let loading: Promise<typeof K8s> | undefined;

export function loadKubernetesClient(): Promise<typeof K8s> {
  loading ??= import('@kubernetes/client-node').then((m) => {
    loaded = m;
    return m;
  });
  return loading;
}

/** The loaded module; a programming error (not a user's) when nothing awaited the loader first. */
export function k8s(): typeof K8s {
  if (!loaded) throw new Error('the Kubernetes client is used before loadKubernetesClient() finished');
  return loaded;
}
