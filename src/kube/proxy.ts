import type {
  ConfigurationOptions,
  ObservableMiddleware,
  RequestContext,
  ResponseContext,
} from '@kubernetes/client-node';
import { k8s } from './k8s.js';
import type { KubeClients } from './client.js';

/**
 * client-node 2.x percent-encodes `/` inside the proxy `path` (`api%2Fv2.0%2Fping`), which the API
 * server forwards as one segment. This restores the slashes after `/proxy/` only.
 */
const restoreProxySlashes: ObservableMiddleware = {
  pre(ctx: RequestContext) {
    const url = ctx.getUrl();
    const at = url.indexOf('/proxy/');
    if (at >= 0) {
      const [path, query] = url.slice(at).split('?', 2) as [string, string | undefined];
      ctx.setUrl(`${url.slice(0, at)}${path.replace(/%2F/gi, '/')}${query === undefined ? '' : `?${query}`}`);
    }
    return new (k8s().Observable)(Promise.resolve(ctx));
  },
  post(ctx: ResponseContext) {
    return new (k8s().Observable)(Promise.resolve(ctx));
  },
};

const proxyOptions: ConfigurationOptions<ObservableMiddleware> = {
  middleware: [restoreProxySlashes],
  middlewareMergeStrategy: 'append',
};

/** JSON proxied answers come back parsed or as text depending on the content type. */
function asJson(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** GET through the pod proxy (`pods/<name>:<port>/proxy/<path>`); needs `get pods/proxy`. */
export async function getViaPodProxy(
  kube: KubeClients,
  namespace: string,
  pod: string,
  port: number | string | undefined,
  path: string,
  scheme?: 'https',
): Promise<unknown> {
  const name = `${scheme ? `${scheme}:` : ''}${pod}${port === undefined ? '' : `:${port}`}`;
  const body = await kube.call({ verb: 'get', resource: 'pods/proxy', namespace }, () =>
    kube.core.connectGetNamespacedPodProxyWithPath({ name, namespace, path: path.replace(/^\/+/, '') }, proxyOptions),
  );
  return asJson(body);
}

/** GET through the service proxy (`services/<name>:<port>/proxy/<path>`); needs `get services/proxy`. */
export async function getViaServiceProxy(
  kube: KubeClients,
  namespace: string,
  service: string,
  port: number | string | undefined,
  path: string,
): Promise<unknown> {
  const name = port === undefined ? service : `${service}:${port}`;
  const body = await kube.call({ verb: 'get', resource: 'services/proxy', namespace }, () =>
    kube.core.connectGetNamespacedServiceProxyWithPath(
      { name, namespace, path: path.replace(/^\/+/, '') },
      proxyOptions,
    ),
  );
  return asJson(body);
}
