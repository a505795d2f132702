/** The sizes of one job: how much input, how wide, over how many partitions and keys. */
export interface JobSizes {
  events: number;
  parallelism: number;
  /** Partitions of the input topic. */
  partitions: number;
  keys: number;
}
