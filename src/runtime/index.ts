export * from './types.ts';
export * from './checksum.ts';
export * from './trace-kinds.ts';
