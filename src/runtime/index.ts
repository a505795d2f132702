export * from './types.ts';
export * from './checksum.ts';
export * from './trace-kinds.ts';
export * from './hash.ts';
export * from './arrays.ts';
export * from './request-client.ts';
export * from './trace-event.ts';
