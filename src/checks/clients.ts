import type { Config } from '../config.js';
import { UserInputError } from '../errors.js';
import { createHarborClient, type HarborClient } from '../harbor/client.js';
import type { FetchLike } from '../http.js';
import { createKubeClientsFromConfig, type KubeClients } from '../kube/client.js';
import type { Logger } from '../log.js';
import { clusterConfigOf, harborConfigOf } from '../targets.js';

/** Builds each upstream client once per process, on first use, from the configuration. */
export interface ClientSet {
  harbor(name: string): HarborClient;
  kube(name: string): KubeClients;
}

export function createClientSet(config: Config, options: { log: Logger; fetch?: FetchLike }): ClientSet {
  const harbors = new Map<string, HarborClient>();
  const kubes = new Map<string, KubeClients>();
  return {
    harbor(name) {
      let client = harbors.get(name);
      if (!client) {
        const h = harborConfigOf(config, name);
        if (!h) throw new UserInputError(`no Harbor named "${name}" is configured`);
        client = createHarborClient({
          baseUrl: h.url,
          auth: h.username && h.password ? { username: h.username, password: h.password } : undefined,
          timeoutMs: h.timeoutMs,
          insecureSkipTLSVerify: h.insecureSkipTLSVerify,
          fetch: options.fetch,
          log: options.log.child({ harbor: name }),
        });
        harbors.set(name, client);
      }
      return client;
    },
    kube(name) {
      let client = kubes.get(name);
      if (!client) {
        const c = clusterConfigOf(config, name);
        if (!c) throw new UserInputError(`no cluster named "${name}" is configured`);
        client = createKubeClientsFromConfig(c);
        kubes.set(name, client);
      }
      return client;
    },
  };
}
