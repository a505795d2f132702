export * from '../../../stream/time-window.ts';
export * from '../../../stream/assigners.ts';
export * from './merging.ts';
export * from './lateness.ts';
