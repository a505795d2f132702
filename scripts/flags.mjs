/**
 * The flags of weir's own scripts (the benchmarks, the soak, the instruction
 * count, the mutants): one parser, so each refuses bad input the same way — one line on
 * stderr naming the script and what is wrong, exit 2 — and none quietly
 * ignores a flag it does not know.
 *
 * A spec names each flag and what it takes:
 * - `{ kind: 'switch' }`: no value; true when given;
 * - `{ kind: 'text' }`: any value;
 * - `{ kind: 'count', min, max }`: a whole number in [min, max] (min 1 and
 *   no upper bound by default);
 * - `{ kind: 'choice', of }`: one of the listed words.
 * `hidden: true` leaves a flag out of the list an unknown flag is told (a
 * script's internal flag). A value is the next argument, never one that
 * starts with `--`. Flags not given are absent from the result.
 */

export class FlagError extends Error {}

const either = (words) => (words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`);

/** The flags of `argv` by `spec`, keyed by name without the dashes; throws a FlagError on bad input. */
export function parseFlags(argv, spec) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const rule = Object.hasOwn(spec, flag) ? spec[flag] : undefined;
    if (rule === undefined) {
      const known = Object.keys(spec).filter((f) => !spec[f].hidden);
      throw new FlagError(`unknown flag '${flag}' (flags: ${known.join(', ')})`);
    }
    const name = flag.replace(/^--/, '');
    if (rule.kind === 'switch') {
      out[name] = true;
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new FlagError(`${flag} needs a value`);
    i++;
    if (rule.kind === 'count') {
      const min = rule.min ?? 1;
      const max = rule.max ?? Number.MAX_SAFE_INTEGER;
      const n = Number(value);
      if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
        const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
        throw new FlagError(`${flag} takes a whole number ${range}, got '${value}'`);
      }
      out[name] = n;
    } else if (rule.kind === 'choice') {
      if (!rule.of.includes(value)) throw new FlagError(`${flag} takes ${either(rule.of)}, got '${value}'`);
      out[name] = value;
    } else out[name] = value;
  }
  return out;
}

/** `parseFlags` for a script: bad input is one line on stderr, `${prog}: …`, and exit 2. */
export function scriptFlags(prog, argv, spec) {
  try {
    return parseFlags(argv, spec);
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    refuse(prog, e.message);
  }
}

/** One line on stderr, `${prog}: ${message}`, and exit 2: bad input to a script. */
export function refuse(prog, message) {
  process.stderr.write(`${prog}: ${message}\n`);
  process.exit(2);
}
