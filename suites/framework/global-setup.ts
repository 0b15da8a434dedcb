import type { TestProject } from 'vitest/node';
import { StartedLab, type LabDescriptor } from '../../lab/lab.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    lab: LabDescriptor;
  }
}

/** Brings the embedded 2-host lab up once for the whole conformance project, and down at the end. */
export default async function setup(project: TestProject) {
  const hosts = Number(process.env.CNM_HARNESS_HOSTS ?? 2);
  const lab = await StartedLab.up({ kind: 'netns', hosts }, (m) => console.log(`[lab] ${m}`));
  console.log(`[lab] ${lab.runId} up in ${lab.descriptor.upMs} ms`);
  project.provide('lab', lab.descriptor);
  // the reports reporter runs in this process and names the lab in results.json
  process.env.CNM_HARNESS_TEST_LAB = JSON.stringify({
    runId: lab.runId,
    kind: lab.kind,
    hosts: lab.hosts.map((h) => h.name),
  });
  return async () => {
    await lab.down();
  };
}
