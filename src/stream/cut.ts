/**
 * A consistent cut as an engine recorded it: where its sources stood in the
 * input (the next offset of each input partition) and the keyed state that
 * exactly the input before those offsets must give. Flink records one per
 * completed checkpoint; the checkers judge every engine's cuts the same way.
 */
export interface CheckpointCut<V> {
  checkpoint: number;
  /** Input partition → next offset to read, as the sources recorded it. */
  offsets: Map<number, number>;
  /** The keyed state in the checkpoint, by key. */
  state: Map<string, V>;
}
