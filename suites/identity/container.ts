import { defineCheck, verdict } from '../framework/check.ts';
import { interfaceDifferences, sandboxInterfaces } from '../framework/interfaces.ts';
import { Scenario } from '../framework/scenario.ts';

/** container mode: the joined sandbox has the same interfaces, addresses and MACs as its peer. */
export default defineCheck({
  id: 'identity/container',
  title: "A container-mode sandbox has its peer's interfaces, addresses and MACs",
  requires: { modes: ['container'] },
  async run(ctx) {
    const scenario = await Scenario.build(ctx, {
      networks: [{ name: 'net' }],
      sandboxes: [
        { name: 'primary', network: 'net' },
        { name: 'joined', shareWith: 'primary' },
      ],
    });
    const primary = await sandboxInterfaces(ctx, scenario.sandbox('primary'));
    const joined = await sandboxInterfaces(ctx, scenario.sandbox('joined'));
    const diffs = interfaceDifferences(joined, primary, ['joined', 'primary']);
    return verdict(
      diffs.length === 0 && primary.some((i) => i.name !== 'lo'),
      {
        pass: `identical ${primary.length} interfaces, addresses and MACs`,
        fail: diffs.join('; ') || 'the primary has no interface but lo',
      },
      { interfaces: primary },
      { interfaces: joined },
    );
  },
});
