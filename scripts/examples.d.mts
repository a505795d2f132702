export interface ExampleBlock {
  /** The 1-based line of the `$ npx weir` command in its page. */
  line: number;
  argv: string[];
  /** The output the page shows. */
  expected: string[];
  /** The page's lines [from, to) that hold that output. */
  from: number;
  to: number;
}
export declare function exampleBlocks(page: string): ExampleBlock[];
export declare function untimed(line: string): string;
export declare function firstDifference(expected: readonly string[], printed: readonly string[]): string | undefined;
export declare function shownFor(expected: readonly string[], printed: readonly string[]): string[];
export declare function examplePages(root?: string): string[];
