export * from './backend.ts';
export * from './operator-state.ts';
export * from './ttl.ts';
export type { StateKind } from './table.ts';
