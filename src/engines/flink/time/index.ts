export * from '../../../stream/watermark.ts';
export * from './watermark-generator.ts';
export * from './idleness.ts';
export * from './valve.ts';
export * from './timers.ts';
export type { TimerTuple } from './timer-queue.ts';
