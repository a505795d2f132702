/**
 * Stateless one-to-one and one-to-many operators. Timestamps pass through
 * unchanged, as in Flink: a map does not move a record in event time.
 */
import type { Output, OperatorContext, StreamOperator } from './operator.ts';

export class MapOperator implements StreamOperator {
  private out!: Output;
  constructor(private readonly fn: (v: any) => unknown) {}
  open(_ctx: OperatorContext, out: Output): void {
    this.out = out;
  }
  processElement(value: unknown, ts: number): void {
    this.out.collect(this.fn(value), ts);
  }
}

export class FilterOperator implements StreamOperator {
  private out!: Output;
  constructor(private readonly fn: (v: any) => boolean) {}
  open(_ctx: OperatorContext, out: Output): void {
    this.out = out;
  }
  processElement(value: unknown, ts: number): void {
    if (this.fn(value)) this.out.collect(value, ts);
  }
}

export class FlatMapOperator implements StreamOperator {
  private out!: Output;
  constructor(private readonly fn: (v: any) => readonly unknown[]) {}
  open(_ctx: OperatorContext, out: Output): void {
    this.out = out;
  }
  processElement(value: unknown, ts: number): void {
    for (const v of this.fn(value)) this.out.collect(v, ts);
  }
}
