import { artifactState } from '../sim/harbor-artifacts-state.js';
import type { HarborSim } from '../sim/harbor-sim-types.js';
import { type RealRegistry, startRealRegistry } from '../sim/real-registry.js';
import { mirrorToRegistry } from '../sim/registry-mirror.js';
import { type StorageServer, startStorageServer } from '../sim/storage-server.js';

/** The registry Harbor ships, serving the lab Harbor's artifacts with its storage broken as the scenario says. */
export interface LabRegistry {
  registry: RealRegistry;
  storage: StorageServer | null;
  /** The line `harbor-pilot lab` prints about it. */
  line: string;
  close(): Promise<void>;
}

/**
 * Pushes the artifacts the simulated Harbor lists into a real docker-registry (distribution 2.8.2),
 * breaks its storage where the scenario's storage lost something, and makes the simulated Harbor
 * proxy /v2/ to it: what a probe sees is then what production shows. The blob-descriptor cache is
 * in memory (Harbor's registry keeps it in Redis; the answers are the same) unless the scenario turns
 * it off; redirecting storage gets an S3-like store in front of the storage directory.
 */
export async function attachRealRegistry(harbor: HarborSim): Promise<LabRegistry> {
  const st = artifactState(harbor);
  const storage = st.storage.redirect ? await startStorageServer() : null;
  const registry = await startRealRegistry({
    cache: st.registryCache ? 'inmemory' : 'none',
    redirectTo: storage?.url,
  }).catch(async (err: unknown) => {
    await storage?.close();
    throw err;
  });
  if (storage) storage.root = registry.root;
  const close = async () => {
    await registry.stop();
    await storage?.close();
  };
  try {
    await mirrorToRegistry(st, registry);
  } catch (err) {
    await close();
    throw err;
  }
  const cache = st.registryCache ? 'blob-descriptor cache on' : 'no cache';
  const line =
    `  Registry        ${registry.url}  (docker-registry behind the Harbor's /v2/, ${cache}; ` + `${registry.root})`;
  return { registry, storage, line, close };
}
