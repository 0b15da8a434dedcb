import { randomBytes } from 'node:crypto';

/** Every kernel object, Docker object, file and KV key of a run carries this prefix and the run id. */
export const PREFIX = 'cnmh';
export const LABEL_RUN = 'cnm-harness.run';
export const LABEL_PROBE = 'cnm-harness.probe';

export const STATE_DIR = '/run/cnm-harness';
export const DATA_DIR = '/var/lib/cnm-harness/runs';

export function newRunId(): string {
  return randomBytes(3).toString('hex');
}

const RUN_ID = /^[0-9a-f]{6}$/;

export function isRunId(id: string): boolean {
  return RUN_ID.test(id);
}

/** Names of a run's objects. Kernel link names stay within 15 characters. */
export function runNames(runId: string) {
  return {
    netns: (role: string) => `${PREFIX}-${runId}-${role}`,
    link: (role: string) => `${PREFIX}${runId}${role}`.slice(0, 15),
    docker: (role: string) => `${PREFIX}-${runId}-${role}`,
    dataDir: `${DATA_DIR}/${runId}`,
    stateFile: `${STATE_DIR}/${runId}.json`,
  };
}

/** The run id inside a name made by runNames, if any. */
export function runIdOf(name: string): string | undefined {
  const m = /cnmh-?([0-9a-f]{6})/.exec(name) ?? /\/cnm-harness\/(?:runs\/)?([0-9a-f]{6})(?:[/.]|$)/.exec(name);
  return m?.[1];
}
