/**
 * weir as a library: run a scenario (a shipped one or your own pipeline) in
 * the simulator and judge it, and turn it into a fast-check property that
 * explores seeds and fault plans and shrinks a failure; or test one operator
 * or a small pipeline step by step in a harness (`OperatorTestHarness`,
 * `PipelineTestHarness`), with the DataStream API, its window functions,
 * triggers and scripts, the output record types and the trace event types.
 */
export { runScenario, UnknownScenarioError, InvalidSettingsError, type RunOptions, type RunReport, type PausePoint, type RunPause } from './explore/run.ts';
export {
  KafkaStreamsQueries, InvalidStateStoreException, StateStoreNotAvailableException, StateStoreMigratedException, UnknownStateStoreException,
  InvalidStateStorePartitionException, type StoreQueryParameters, type ReadOnlyKeyValueStore, type ReadOnlyWindowStore, type ReadOnlySessionStore,
  type ReadOnlyStore, type KeyValueEntry, type WindowedEntry, type SessionEntry, type KeyQueryMetadata, type KafkaStreamsState,
} from './engines/kstreams/queries.ts';
export { encodeToken, decodeToken, TokenError, type RunSettings } from './explore/settings.ts';
export * from './explore/property.ts';
/** fast-check as weir uses it: a test that takes `fc` from here checks `weirProperty` with the same copy and types. */
export { default as fc } from 'fast-check';
export type { Fault, FaultPlan, Anchor } from './sim/faults.ts';
export { StreamEnvironment, DataStream, KeyedStream, WindowedStream, WindowedResultStream, IntervalJoinBuilder, IntervalJoinedStream, union } from './engines/flink/api/environment.ts';
export type { ClosingBehavior, OnTimeBehavior } from './engines/flink/operators/triggered-window.ts';
export type { TimestampsAndWatermarks } from './engines/flink/operators/timestamps.ts';
export { tumbling, sliding, session, type WindowAssigner } from './stream/assigners.ts';
export {
  globalWindows, tumblingProcessingTime, slidingProcessingTime, processingTimeSession, GLOBAL_WINDOW, type FlinkWindowAssigner,
} from './engines/flink/windows/flink-assigners.ts';
export {
  TriggerResult, EventTimeTrigger, ProcessingTimeTrigger, CountTrigger, ContinuousEventTimeTrigger, ContinuousProcessingTimeTrigger,
  PurgingTrigger, NeverTrigger, AfterWatermark, AfterPane, type Trigger, type TriggerContext, type OnMergeContext, type StateDescriptor, type PartitionedState,
} from './engines/flink/windows/triggers.ts';
export {
  CountEvictor, TimeEvictor, type Evictor, type EvictorContext, type TimestampedValue, type WindowAggregateFunction, type ReduceFunction,
  type ProcessWindowFunction, type ProcessWindowContext, type WindowValueState, type Collector,
} from './engines/flink/windows/functions.ts';
export { countAggregate, sumAggregate, avgAggregate, type AggregateFunction } from './engines/flink/operators/aggregates.ts';
export type { KeyedProcessFunction, KeyedProcessContext } from './engines/flink/operators/keyed-process.ts';
export { script, scriptRecords, ScriptError, ScriptBuilder, type Script, type ScriptStep, type ScriptRecord, type ScriptedRecord } from './engines/flink/script.ts';
export type { ScriptedSourceOptions } from './engines/flink/operators/scripted-source.ts';
export type { LogSourceOptions } from './engines/flink/operators/log-source.ts';
export type { LogSinkOptions } from './engines/flink/sinks/log-sink.ts';
export type * from './stream/records.ts';
export { MIN_WATERMARK, MAX_WATERMARK, NO_TIMESTAMP } from './stream/watermark.ts';
export * from './engines/flink/harness/index.ts';
export type { TimerView, StateEntryView } from './engines/flink/operators/operator.ts';
export { TRACE_KINDS, type TraceKind } from './runtime/trace-kinds.ts';
export type { TraceEvent, TraceSubscriber } from './runtime/trace-event.ts';
export { subscriberFor } from './runtime/trace-event.ts';
export {
  isEventOf, type FlinkRecordEvent, type FlinkRecordEventKind, type WatermarkEvent, type TaskIdleEvent, type SourceReadEvent, type SourceFetchEvent, type SourceEndEvent,
  type WindowFireEvent, type WindowLateEvent, type WindowSkipEvent, type WindowClosedDropEvent, type SessionAddEvent, type RecordLateEvent,
} from './engines/flink/trace-events.ts';
export { BUGS, type BugName } from './explore/bugs.ts';
export { TOPICS, sinkWindowResults, type Scenario, type ScenarioSizes, type CheckInput, type CutCheck, type EngineName } from '../scenarios/types.ts';
export type { FlinkBuild } from './engines/flink/deployment.ts';
export { SCENARIOS, findScenario } from '../scenarios/index.ts';
export { generateWorkload, type Workload, type WorkloadOptions } from './workload/generate.ts';
export type { CheckResult, WindowSpec } from './check/types.ts';
