import { expect, it } from 'vitest';
import { runIdOf, runNames } from './run-id.ts';

it('finds the run id in every kind of name a run gives its objects', () => {
  const n = runNames('a1b2c3');
  expect(runIdOf(n.netns('h1'))).toBe('a1b2c3');
  expect(runIdOf(n.link('th1'))).toBe('a1b2c3');
  expect(runIdOf(`containerd --config ${n.dataDir}/h1/exec/containerd/containerd.toml`)).toBe('a1b2c3');
  expect(runIdOf(n.dataDir)).toBe('a1b2c3');
  expect(runIdOf(n.stateFile)).toBe('a1b2c3');
  expect(runIdOf('/var/lib/docker/containers/abc')).toBeUndefined();
  expect(n.link('tout').length).toBeLessThanOrEqual(15);
});
