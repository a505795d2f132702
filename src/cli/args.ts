/**
 * A small, strict argument parser for the `weir` commands.
 *
 * Each command declares its flags; anything else is a UsageError naming the
 * flag and pointing at the command's help. Values are given as `--flag value`
 * or `--flag=value` (only the second takes a value that starts with `--`,
 * so a forgotten value is not filled by the next flag); a flag declared `repeat` collects every occurrence, any
 * other flag given twice is an error (the second would silently win
 * otherwise). `--` ends the flags. Hand-written rather than a library so
 * that every error is exactly one line in weir's own words and start-up
 * stays cheap.
 */
import { quote, UsageError } from './usage-error.ts';
import { LIMITS, limitProblem, type LimitName } from '../explore/limits.ts';

export interface FlagSpec {
  /** The flag takes a value (`--seed 7`); otherwise it is a switch (`--json`). */
  value?: boolean;
  /** The flag may be given several times (`--bug a --bug b`). */
  repeat?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  /** Values by flag name (without the dashes), in the order given. */
  values: Map<string, string[]>;
  /** Switches that were given. */
  switches: Set<string>;
}

/** Parses `argv` for `command` against `flags`; `-h`/`--help` are always accepted as the `help` switch. */
export function parseArgs(command: string, argv: readonly string[], flags: Readonly<Record<string, FlagSpec>>): ParsedArgs {
  const out: ParsedArgs = { positionals: [], values: new Map(), switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      out.switches.add('help');
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq > 0 ? eq : undefined) : '';
    const spec = Object.prototype.hasOwnProperty.call(flags, name) ? flags[name] : undefined;
    if (spec === undefined) {
      const shown = eq > 0 ? arg.slice(0, eq) : arg;
      throw new UsageError(`unknown flag ${quote(shown)} for "weir ${command}" (try: weir ${command} --help)`);
    }
    if (!spec.value) {
      if (eq > 0) throw new UsageError(`--${name} takes no value (try: weir ${command} --help)`);
      out.switches.add(name);
      continue;
    }
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value (try: weir ${command} --help)`);
      value = argv[++i]!;
      // `--trace --json` is a forgotten value, not a file named "--json": a value that looks like a flag must be given as --flag=value.
      if (value.startsWith('--')) {
        throw new UsageError(`--${name} needs a value, and ${quote(value)} is a flag (a value that starts with "--" goes as --${name}=${value})`);
      }
    }
    const seen = out.values.get(name);
    if (seen && !spec.repeat) throw new UsageError(`--${name} was given twice; give it once`);
    out.values.set(name, [...(seen ?? []), value]);
  }
  return out;
}

/** The one value of a non-repeatable flag, or undefined when it was not given. */
export function valueOf(args: ParsedArgs, name: string): string | undefined {
  return args.values.get(name)?.[0];
}

/** Parses a whole non-negative decimal integer (no sign, no exponent, no fraction), at least `min`. */
export function parseIntFlag(name: string, raw: string, min = 0): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    const want = min === 0 ? 'a non-negative integer' : `an integer ≥ ${min}`;
    throw new UsageError(`--${name} must be ${want}, got ${quote(raw)}`);
  }
  return n;
}

/** Parses a whole decimal integer within the documented bound `limit` (explore/limits.ts). */
export function parseLimitedFlag(limit: LimitName, raw: string): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  const problem = limitProblem(limit, n, 'flag', quote(raw));
  if (problem !== undefined) throw new UsageError(problem);
  return n;
}

/** Each of `limits` whose flag (`LIMITS[name].flag`) was given, checked against its limit; the others are left out. */
export function parseLimitedFlags<L extends LimitName>(args: ParsedArgs, limits: readonly L[]): Partial<Record<L, number>> {
  const out: Partial<Record<L, number>> = {};
  for (const name of limits) {
    const raw = valueOf(args, LIMITS[name].flag);
    if (raw !== undefined) out[name] = parseLimitedFlag(name, raw);
  }
  return out;
}

/** Checks `raw` is one of `choices`. */
export function parseChoice<T extends string>(name: string, raw: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got ${quote(raw)}`);
  }
  return raw as T;
}

/** Rejects positional arguments for a command that takes none. */
export function noPositionals(command: string, args: ParsedArgs): void {
  const [first] = args.positionals;
  if (first !== undefined) throw new UsageError(`unexpected argument ${quote(first)}: weir ${command} takes none (try: weir ${command} --help)`);
}
