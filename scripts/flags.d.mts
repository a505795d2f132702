export type FlagRule =
  | { kind: 'switch'; hidden?: boolean }
  | { kind: 'text'; hidden?: boolean }
  | { kind: 'count'; min?: number; max?: number; hidden?: boolean }
  | { kind: 'choice'; of: readonly string[]; hidden?: boolean };
export type FlagSpec = Readonly<Record<string, FlagRule>>;
type Name<F> = F extends `--${infer N}` ? N : never;
type ValueOf<R> = R extends { kind: 'switch' } ? true : R extends { kind: 'count' } ? number : string;
export type Flags<S extends FlagSpec> = { [F in keyof S as Name<F & string>]?: ValueOf<S[F]> };
export declare class FlagError extends Error {}
export declare function parseFlags<S extends FlagSpec>(argv: readonly string[], spec: S): Flags<S>;
export declare function scriptFlags<S extends FlagSpec>(prog: string, argv: readonly string[], spec: S): Flags<S>;
export declare function refuse(prog: string, message: string): never;
