/**
 * wordcount on Kafka Streams with a test's probe processor in the
 * pipeline, in front of the windowed count: right after the input
 * (`'input'`, in the sub-topology that reads it, before the grouping's
 * repartition) or after a repartition by the word (`'repartitioned'`, in
 * the sub-topology that counts).
 */
import { wordcount } from '../../../scenarios/wordcount.ts';
import { TOPICS, type Scenario } from '../../../scenarios/types.ts';
import { toWindowResults } from '../../../src/engines/kstreams/dsl.ts';
import { TimeWindows } from '../../../src/engines/kstreams/windows.ts';
import type { ProcessorSupplier } from '../../../src/engines/kstreams/processor.ts';

const wordOf = (v: unknown): string => (v as { key: string }).key;

export function wordcountProbed(probe: ProcessorSupplier, at: 'input' | 'repartitioned'): Scenario {
  return {
    ...wordcount,
    engines: {
      kstreams: {
        build(builder) {
          const input = builder.stream(TOPICS.input);
          const grouped = at === 'input'
            ? input.process(probe).groupBy((_k, v) => wordOf(v))
            : input.selectKey((_k, v) => wordOf(v)).repartition().process(probe).groupByKey();
          const counts = grouped.windowedBy(TimeWindows.ofSizeAndGrace(1_000, 200)).count({ name: 'counts' });
          toWindowResults(counts, TOPICS.output);
        },
      },
    },
  };
}
