export * from './window.ts';
export * from './assigners.ts';
export * from './merging.ts';
export * from './lateness.ts';
