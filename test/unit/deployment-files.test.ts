import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { parseConfig } from '../../src/config.js';

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');

describe('deployment files', () => {
  it('docker-compose runs a durable Redis and the bot from the Dockerfile with secrets from the environment', () => {
    const compose = parse(read('docker-compose.yml'));
    const redis = compose.services.redis;
    expect(redis.command.join(' ')).toContain('--appendonly yes');
    expect(redis.command.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(redis.volumes[0]).toMatch(/:\/data$/);
    const bot = compose.services['harbor-pilot'];
    expect(bot.build).toBe('.');
    expect(bot.command).toEqual(['start']);
    expect(bot.environment.REDIS_URL).toBe('redis://redis:6379');
    for (const secret of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'HARBOR_PASSWORD']) {
      expect(bot.environment[secret]).toMatch(new RegExp(`^\\$\\{${secret}(:[-?].*)?\\}$`));
    }
    expect(bot.depends_on.redis.condition).toBe('service_healthy');
  });

  it("the bot's compose healthcheck passes on a ready bot and fails on a not-ready or absent one", async () => {
    const test = parse(read('docker-compose.yml')).services['harbor-pilot'].healthcheck.test as string[];
    expect(test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    const script = test[3] as string;
    let ready = true;
    const server = createServer((req, res) => void res.writeHead(req.url === '/readyz' && ready ? 200 : 503).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const probe = (p: number) =>
      new Promise((r) => spawn(process.execPath, ['-e', script.replace('9464', String(p))]).on('exit', r));
    try {
      expect(await probe(port)).toBe(0);
      ready = false;
      expect(await probe(port)).toBe(1);
    } finally {
      server.close();
    }
    expect(await probe(1)).toBe(1);
  });

  it('the Dockerfile is multi-stage on Node 22.19+ and runs as a non-root user', () => {
    const text = read('Dockerfile');
    const froms = [...text.matchAll(/^FROM node:(\d+)\.(\d+)/gm)];
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const [, major, minor] of froms)
      expect(Number(major) > 22 || (Number(major) === 22 && Number(minor) >= 19)).toBe(true);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toContain('dist/src/bin/harbor-pilot.js');
    const pkg = JSON.parse(read('package.json'));
    expect(pkg.bin['harbor-pilot']).toBe('dist/src/bin/harbor-pilot.js');
  });

  it('the Slack manifest declares the slash command, interactivity, scopes and Socket Mode', () => {
    const m = parse(read('manifest.yaml'));
    expect(m.features.slash_commands[0].command).toBe('/harbor');
    expect(m.settings.interactivity.is_enabled).toBe(true);
    expect(m.features.app_home.home_tab_enabled).toBe(true);
    expect(m.settings.event_subscriptions.bot_events).toContain('app_home_opened');
    expect(m.settings.socket_mode_enabled).toBe(true);
    expect(m.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['commands', 'chat:write', 'usergroups:read']));
  });

  it('the example configuration is valid', () => {
    const cfg = parseConfig(read('config.example.yaml'), { HARBOR_PASSWORD: 'x' });
    expect(cfg.harbors[0]?.name).toBe('prod');
    expect(cfg.digests[0]?.timezone).toBe('Europe/Berlin');
  });
});

describe('Kubernetes manifests', () => {
  const docs = (p: string) => parseAllDocuments(read(p)).map((d) => d.toJS());

  it('run the bot non-root with resources and probes on the ops endpoints', () => {
    const deploy = docs('deploy/kubernetes/harbor-pilot.yaml').find((d) => d.kind === 'Deployment');
    const pod = deploy.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const c = pod.containers[0];
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(c.resources.requests.memory).toBeDefined();
    expect(c.resources.limits.memory).toBeDefined();
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'OPS_PORT', value: '9464' }]));
  });

  it('keep Redis persistent and non-evicting', () => {
    const sts = docs('deploy/kubernetes/redis.yaml').find((d) => d.kind === 'StatefulSet');
    expect(sts.spec.template.spec.containers[0].args.join(' ')).toContain('--appendonly yes');
    expect(sts.spec.template.spec.containers[0].args.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(sts.spec.template.spec.containers[0].args.join(' ')).toContain('--requirepass $(REDIS_PASSWORD)');
    const policy = docs('deploy/kubernetes/redis.yaml').find((d) => d.kind === 'NetworkPolicy');
    expect(policy.spec.ingress[0].from[0].podSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'harbor-pilot',
    });
  });

  it('separate read-only diagnosis RBAC from opt-in remediation verbs', () => {
    const verbsOf = (p: string) =>
      docs(p)
        .filter((d) => d.kind === 'Role' || d.kind === 'ClusterRole')
        .flatMap((r) => r.rules.flatMap((x: { verbs: string[] }) => x.verbs));
    expect(new Set(verbsOf('deploy/kubernetes/rbac-readonly.yaml'))).toEqual(new Set(['get', 'list']));
    expect(new Set(verbsOf('deploy/kubernetes/rbac-remediation.yaml'))).toEqual(new Set(['patch', 'delete']));
    expect(parse(read('deploy/kubernetes/kustomization.yaml')).resources).not.toContain('rbac-remediation.yaml');
  });
});
