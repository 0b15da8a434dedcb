import { runOneAfterAnother } from './framework/shared-lab-files.ts';
import { SHARED_LAB_FILES } from './framework/test-layout.ts';

// The files of the first shared lab (project conformance-a), listed in framework/test-layout.ts. One
// of them alone: `npx vitest run --project conformance-a -t resilience.conformance`.
runOneAfterAnother(SHARED_LAB_FILES.a);
