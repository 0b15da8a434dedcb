import type { Sandbox } from '../../drivers/contract.ts';
import { defineCheck, verdict } from '../framework/check.ts';

/** Joining a sandbox that does not exist fails at once with an error that names it. */
export default defineCheck({
  id: 'identity/container-missing-peer',
  title: 'Joining a missing sandbox is a clear error',
  requires: { modes: ['container'] },
  async run(ctx) {
    const host = ctx.lab.hosts[0]!;
    const missingId = `${ctx.lab.runId}0000missing`;
    const ghost = { id: missingId, name: 'ghost', host } as unknown as Sandbox;
    let error: string | undefined;
    try {
      const s = await ctx.driver.createSandbox({ name: 'orphan', host, shareWith: ghost });
      ctx.use(s);
    } catch (e) {
      error = (e as Error).message;
    }
    ctx.evidence.push({
      host: host.name,
      command: `create sandbox sharing ${missingId}`,
      exitCode: error ? 1 : 0,
      output: error ?? 'created',
    });
    return verdict(
      error !== undefined && error.includes(missingId),
      {
        pass: `refused with: ${error}`,
        fail: error
          ? `the error does not name the missing sandbox: ${error}`
          : 'a sandbox was created sharing a missing one',
      },
      { error: `names ${missingId}` },
      { error: error ?? null },
    );
  },
});
