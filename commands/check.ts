import { planChecks, resolveParams } from '../src/checks/runner.js';
import { UserInputError } from '../src/errors.js';
import { assertChannelMay, channelTargets } from '../src/slack/channels.js';
import { defineCommand, parseParamWords } from '../src/slack/command.js';
import { startDiagnosis } from '../src/diagnosis/start-diagnosis.js';
import { listTargets, parseTargetRef } from '../src/targets.js';

export default defineCommand({
  name: 'check',
  usage: 'check CHECK_ID [harbor/NAME|cluster/NAME] [key=value ...]',
  summary: 'run one check, optionally on one target and with parameters',
  async run(ctx) {
    const [id, ...rest] = ctx.args;
    const ids = [...ctx.registry.checks.keys()];
    if (!id)
      throw new UserInputError(`usage: check CHECK_ID [target] [key=value ...]; valid check ids: ${ids.join(', ')}`);
    const check = ctx.registry.check(id);
    if (!check) throw new UserInputError(`unknown check id "${id}"; valid check ids: ${ids.join(', ')}`);
    const ref = rest[0] && /^(harbor|cluster)\//.test(rest[0]) ? rest.shift() : undefined;
    const { params, bad } = parseParamWords(rest);
    if (bad.length > 0) throw new UserInputError(`"${bad.join(' ')}" is not a target or key=value parameter`);
    resolveParams(check, ctx.config, params);
    if (ref) assertChannelMay(ctx.config, ctx.channel, parseTargetRef(ctx.config, ref).ref);
    const targets = ref ? [parseTargetRef(ctx.config, ref)] : channelTargets(ctx.config, ctx.channel);
    const plan = planChecks(ctx.registry, ctx.config, { ids: [id], targets }, listTargets(ctx.config));
    await startDiagnosis(ctx, plan, `${id} on ${ref ?? 'all targets'}`, params);
  },
});
