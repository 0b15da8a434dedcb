import { runOneAfterAnother } from './framework/shared-lab-files.ts';
import { SHARED_LAB_FILES } from './framework/test-layout.ts';

// The files of the second shared lab (project conformance-b), listed in framework/test-layout.ts. One
// of them alone: `npx vitest run --project conformance-b -t cni-driver`.
runOneAfterAnother(SHARED_LAB_FILES.b);
