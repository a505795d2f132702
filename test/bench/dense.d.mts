import type { Scenario } from '../../scenarios/types.ts';
import type { RunSettings } from '../../src/explore/settings.ts';
import type { generateWorkload as Generate } from '../../src/workload/generate.ts';

export declare const DENSE_RECORDS_PER_STEP: number;
export declare const DENSE_KEYS: number;
export declare const DENSE_PARALLELISM: number;
export declare const DENSE_SEED: number;
export declare function denseWordcount(shipped: Scenario | undefined, generateWorkload: typeof Generate): Scenario;
export declare function denseSettings(events: number, extra?: Partial<RunSettings>): RunSettings;
export declare function heapPolicyFor(memory: Pick<typeof import('../../src/cli/memory.ts'), 'boundHeapGrowth' | 'askBytes'>, settings: RunSettings): number | undefined;
