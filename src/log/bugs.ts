/**
 * The log broker's planted bugs: mistakes in what read_committed readers are
 * shown, and in ending what producers leave open. They break every engine that reads or writes through the log, so
 * they apply whatever the engine. The broker reads them as options
 * (`BrokerOptions`); `weir bugs` lists them with the engines'.
 */
export const LOG_BUGS = {
  'lso-ignores-open-transactions': {
    description: 'the log broker serves read_committed up to the high watermark instead of the last stable offset, so a reader moves past the records of a transaction still open, and misses them when it commits',
    caughtBy: 'read-committed',
  },
  'read-committed-shows-aborted': {
    description: 'the log broker shows the records of aborted transactions to read_committed readers (it skips only open ones), so a job reading a chain\'s aborted batches counts them',
    caughtBy: 'exactly-once',
  },
  'txn-timeout-ignored': {
    description: 'the log broker\'s transaction coordinator never aborts a transaction whose transaction.timeout.ms ran out, so the transaction a crashed stateless Kafka Streams instance left open (its restart takes a new transactional id and fences nothing) blocks read_committed readers, and the offsets it carried the next owner, for good',
    caughtBy: 'txn.timeout',
  },
} as const satisfies Record<string, { description: string; caughtBy: string }>;

export type LogBugName = keyof typeof LOG_BUGS;
