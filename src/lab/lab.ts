import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfig, type Config } from '../config.js';
import { startHarborSim, type HarborSim } from '../sim/harbor-sim.js';
import { startKubeSim, type KubeSim } from '../sim/kube-sim.js';
import { attachRealRegistry, type LabRegistry } from './real-registry-lab.js';
import { buildWorld } from './builders.js';
import type { Scenario } from './scenario-schema.js';
import { observerUser, serveWorld, type LabWorld } from './world.js';

/** The name of the Harbor and of the cluster in the lab's configuration. */
export const labTarget = 'lab';
/** Kubernetes user the drill's observer impersonates, so its requests are told apart. */
export const observerImpersonation = 'harbor-pilot-drill';

export interface Lab {
  harbor: HarborSim;
  kube: KubeSim;
  dir: string;
  configPath: string;
  kubeconfigPath: string;
  /** The configuration `check` reads (the file at configPath). */
  config: Config;
  /** The same targets seen through the observer's credentials (for the drill). */
  observerConfig: Config;
  scenario: Scenario;
  world: LabWorld;
  /** Serves another scenario (built relative to the lab's clock) and rewrites the files. */
  load(scenario: Scenario): LabWorld;
  /** With `realRegistry`: the real registry behind the simulated Harbor's /v2/. */
  registry?: LabRegistry;
  close(): Promise<void>;
}

export interface LabOptions {
  scenario: Scenario;
  /** Harbor listens on `port`, Kubernetes on `port + 1`; default: free ports. */
  port?: number;
  /** Where config and kubeconfig go, kept after close; default: a fresh temp directory, removed on close. */
  dir?: string;
  now?: () => Date;
  /** Serve /v2/ from a real docker-registry holding the scenario's artifacts, its storage broken alike. */
  realRegistry?: boolean;
}

/** The configuration file the lab writes: one Harbor and one cluster, both named `lab`. */
export function labConfigYaml(
  harborUrl: string,
  kubeconfigPath: string,
  world: LabWorld,
  user = { username: 'robot$pilot', password: 'pilot-secret' },
): string {
  const o = world.release.options;
  return [
    '# Written by `harbor-pilot lab`: points harbor-pilot at the simulated Harbor and Kubernetes API.',
    'harbors:',
    `  - name: ${labTarget}`,
    `    url: ${harborUrl}`,
    `    username: ${JSON.stringify(user.username)}`,
    `    password: ${JSON.stringify(user.password)}`,
    `    aliases: [${o.host}]`,
    '    remediations: ["*"]',
    '    timeoutMs: 5000',
    'clusters:',
    `  - name: ${labTarget}`,
    `    kubeconfig: ${JSON.stringify(kubeconfigPath)}`,
    `    namespace: ${o.namespace}`,
    `    release: ${o.release}`,
    `    harbor: ${labTarget}`,
    '    remediations: ["*"]',
    '    timeoutMs: 5000',
    'runner:',
    '  checkTimeoutMs: 30000',
    '',
  ].join('\n');
}

/** Writes the kubeconfigs of the trainee and of the drill's observer (who impersonates a marker user). */
function writeKubeconfigs(kube: KubeSim, dir: string): { trainee: string; observer: string } {
  const trainee = join(dir, 'kubeconfig');
  const observer = join(dir, 'kubeconfig-observer');
  writeFileSync(trainee, kube.kubeconfig(labTarget), { mode: 0o600 });
  writeFileSync(
    observer,
    kube.kubeconfig(labTarget).replace(/( {4}token: .*)/, `$1\n    as: ${observerImpersonation}`),
    { mode: 0o600 },
  );
  return { trainee, observer };
}

/**
 * Starts the simulated Harbor and Kubernetes API on 127.0.0.1 serving `scenario`, and writes a
 * configuration and kubeconfig that point harbor-pilot at them.
 */
export async function startLab(options: LabOptions): Promise<Lab> {
  const now = options.now ?? (() => new Date());
  const harbor = await startHarborSim({ port: options.port });
  const kube = await startKubeSim({ port: options.port ? options.port + 1 : undefined }).catch(async (err: unknown) => {
    await harbor.close();
    throw err;
  });
  const dir = resolve(options.dir ?? mkdtempSync(join(tmpdir(), 'harbor-pilot-lab-')));
  mkdirSync(dir, { recursive: true });
  const kubeconfigs = writeKubeconfigs(kube, dir);
  const lab = {
    harbor,
    kube,
    dir,
    configPath: join(dir, 'harbor-pilot.yaml'),
    kubeconfigPath: kubeconfigs.trainee,
  } as Lab;
  lab.load = (scenario) => {
    const world = buildWorld(scenario, now());
    serveWorld(world, { harbor, kube });
    const text = labConfigYaml(harbor.url, kubeconfigs.trainee, world);
    writeFileSync(lab.configPath, text, { mode: 0o600 });
    lab.config = parseConfig(text, {}, lab.configPath);
    lab.observerConfig = parseConfig(
      labConfigYaml(harbor.url, kubeconfigs.observer, world, observerUser),
      {},
      'observer configuration',
    );
    Object.assign(lab, { scenario, world });
    return world;
  };
  lab.close = async () => {
    await Promise.all([harbor.close(), kube.close(), lab.registry?.close()]);
    if (!options.dir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    lab.load(options.scenario);
    if (options.realRegistry) lab.registry = await attachRealRegistry(harbor);
  } catch (err) {
    await lab.close();
    throw err;
  }
  return lab;
}

/** What `harbor-pilot lab` prints: where things are and how to point `check` or Slack at them. */
export function describeLab(lab: Lab, cli = 'npx harbor-pilot'): string {
  const s = lab.scenario;
  return [
    `Incident lab: scenario "${s.name}" (${s.mode === 'healthy' ? 'healthy' : `failure mode ${s.mode}`}): ${s.title}`,
    `  Harbor API      ${lab.harbor.url}  (user robot$pilot, password pilot-secret; external host ` +
      `${lab.world.release.options.host})`,
    `  Kubernetes API  ${lab.kube.url}  (namespace ${lab.world.release.options.namespace}, Helm release ` +
      `${lab.world.release.options.release})`,
    ...(lab.registry ? [lab.registry.line] : []),
    `  config          ${lab.configPath}`,
    `  kubeconfig      ${lab.kubeconfigPath}`,
    '',
    'Diagnose it from another terminal:',
    `  ${cli} check --config ${lab.configPath}`,
    `  ${cli} preflight --config ${lab.configPath} --harbor ${labTarget} --cluster ${labTarget} --to ` +
      `${s.preflight?.to ?? '2.11.0'}`,
    `  kubectl --kubeconfig ${lab.kubeconfigPath} -n ${lab.world.release.options.namespace} get pods`,
    '',
    'Or from Slack: leave SLACK_API_URL unset so the bot talks to your real workspace, and run (it needs Redis, ' +
      'REDIS_URL)',
    `  HARBOR_PILOT_CONFIG=${lab.configPath} SLACK_BOT_TOKEN=xoxb-... SLACK_APP_TOKEN=xapp-... ${cli} start`,
    '  then type /harbor diagnose in a channel the app is in (add slack.approvers to the config to approve fixes).',
    '',
    'Press Ctrl-C to stop the lab (it removes its temp directory; one given with --dir stays).',
    '',
  ].join('\n');
}
