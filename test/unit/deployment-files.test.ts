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

  it('the Dockerfile is multi-stage on Node 22.19+ and runs as a non-root user', () => {
    const text = read('Dockerfile');
    const froms = [...text.matchAll(/^FROM node:(\d+)\.(\d+)/gm)];
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const [, major, minor] of froms) expect(Number(major) > 22 || (Number(major) === 22 && Number(minor) >= 19)).toBe(true);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toContain('dist/src/bin/harbor-pilot.js');
    const pkg = JSON.parse(read('package.json'));
    expect(pkg.bin['harbor-pilot']).toBe('dist/src/bin/harbor-pilot.js');
  });

  it('the Slack manifest declares the slash command, interactivity, scopes and Socket Mode', () => {
    const m = parse(read('manifest.yaml'));
    expect(m.features.slash_commands[0].command).toBe('/harbor');
    expect(m.settings.interactivity.is_enabled).toBe(true);
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
  });

  it('separate read-only diagnosis RBAC from opt-in remediation verbs', () => {
    const verbsOf = (p: string) => docs(p).filter((d) => d.kind === 'Role' || d.kind === 'ClusterRole').flatMap((r) => r.rules.flatMap((x: { verbs: string[] }) => x.verbs));
    expect(new Set(verbsOf('deploy/kubernetes/rbac-readonly.yaml'))).toEqual(new Set(['get', 'list']));
    expect(new Set(verbsOf('deploy/kubernetes/rbac-remediation.yaml'))).toEqual(new Set(['patch', 'delete']));
    expect(parse(read('deploy/kubernetes/kustomization.yaml')).resources).not.toContain('rbac-remediation.yaml');
  });
});
