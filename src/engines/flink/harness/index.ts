/** The test harnesses: one operator (`OperatorTestHarness`) or a small pipeline (`PipelineTestHarness`), run in-process. */
export { OperatorTestHarness, type OperatorHarnessOptions } from './operator-harness.ts';
export {
  PipelineTestHarness, HarnessInput, type PipelineHarnessOptions, type HarnessIO, type HarnessSnapshot, type HarnessTimer, type HarnessStateEntry, type SideRecord,
} from './pipeline-harness.ts';
export { HarnessError, type CollectedRecord, type SinkEvent } from './operators.ts';
export { LocalJobError } from './local-job.ts';
export { PaneAssert, PaneContents, PaneAssertionError, type PanedResult } from './panes.ts';
export { subtaskForKey, keyGroupForKey, keyGroupRange } from '../runtime/writer.ts';
