/** The processing guarantee a job runs under; each engine says which it offers. */
export type Guarantee = 'exactly-once' | 'at-least-once' | 'at-most-once';

export const GUARANTEES: readonly Guarantee[] = ['exactly-once', 'at-least-once', 'at-most-once'];
