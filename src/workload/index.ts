export * from './generate.ts';
export * from './bank.ts';
export * from './keys.ts';
export { PartitionDeck, NominalClock, buildArrivals, activeArrivalGapMsMax } from './schedule.ts';
