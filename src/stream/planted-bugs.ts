/**
 * Planted bugs, as every engine and the log keep them: a catalogue of named
 * switches (what each corrupts, which check catches it) and the switches of
 * one run, read at the one decision each corrupts.
 */

export type BugCatalogue = Readonly<Record<string, { readonly description: string; readonly caughtBy: string }>>;

/** Whether `name` is a bug of `catalogue`. */
export function inCatalogue<C extends BugCatalogue>(catalogue: C, name: string): name is keyof C & string {
  return Object.prototype.hasOwnProperty.call(catalogue, name);
}

/** The switches of one run: the bugs of a catalogue a run names are on; names of other catalogues are ignored. */
export class Switches<N extends string> {
  private readonly on: ReadonlySet<N>;

  constructor(catalogue: BugCatalogue, names: readonly string[] = []) {
    this.on = new Set(names.filter((n): n is N => inCatalogue(catalogue, n)));
  }

  has(name: N): boolean {
    return this.on.has(name);
  }

  names(): N[] {
    return [...this.on];
  }
}
