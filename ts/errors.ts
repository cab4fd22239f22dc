/**
 * Errors thrown by sqrtk, and small validators that produce them.
 *
 * Every error is a {@link SqrtkError} with a stable `code` that programs can test, and a message
 * that names the option, its value, the rule and the fix:
 *
 *     k (=1200) must be < neurons (=1000); lower k or raise neurons
 */

/** Stable error codes. Other strings may appear (for example, codes coming from the Rust core). */
export type ErrorCode =
  | 'E_OPTION' // an option has a bad value or an unknown name
  | 'E_DATA' // a dataset has a bad shape, length or value
  | 'E_STATE' // an object is used in the wrong state (freed, not initialised, ...)
  | 'E_INIT' // the WebAssembly module could not be loaded
  | 'E_IO' // reading or writing a file or saved state failed
  | 'E_ABORTED' // training was stopped through an AbortSignal
  | 'E_DIVERGED' // the loss became NaN, infinite, or exploded
  | 'E_MEMORY' // the WebAssembly memory ran out (the sizes were checked first; this is rare)
  | 'E_BUSY' // a run directory is being written by another process
  | 'E_RUN' // runs of a sweep (or compare) failed; each one's error is recorded
  | 'E_INTERNAL' // a bug in sqrtk: the instance is unusable, recreate it
  | (string & {});

/** The one error class of sqrtk. Test `err.code`, not the message, in programs. */
export class SqrtkError extends Error {
  override readonly name = 'SqrtkError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

const MAX_SHOWN_ITEMS = 4;
const MAX_SHOWN_CHARS = 60;

/** Formats a value for an error message: strings quoted, NaN/Infinity as such, arrays short. */
export function fmt(value: unknown): string {
  if (typeof value === 'string') {
    // Cut first: a huge string (a binary file read as text) must not be escaped whole.
    const s = JSON.stringify(value.slice(0, MAX_SHOWN_CHARS));
    return value.length > MAX_SHOWN_CHARS || s.length > MAX_SHOWN_CHARS
      ? s.slice(0, MAX_SHOWN_CHARS) + '…"'
      : s;
  }
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined || value === null || typeof value !== 'object') {
    return typeof value === 'function' ? 'a function' : String(value);
  }
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const items = Array.from(value as ArrayLike<unknown>);
    const kind = Array.isArray(value) ? '' : value.constructor.name;
    const shown = items.slice(0, MAX_SHOWN_ITEMS).map(fmt);
    if (items.length > MAX_SHOWN_ITEMS) shown.push(`… ${items.length} items`);
    return `${kind}[${shown.join(', ')}]`;
  }
  try {
    const s = JSON.stringify(value);
    return s.length > MAX_SHOWN_CHARS ? s.slice(0, MAX_SHOWN_CHARS) + '…}' : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** An E_OPTION error: `${option} (=${value}) ${rule}; ${fix}`. */
export function optionError(option: string, value: unknown, rule: string, fix: string): SqrtkError {
  return new SqrtkError('E_OPTION', `${option} (=${fmt(value)}) ${rule}; ${fix}`);
}

/** An E_DATA error: `${field} (=${value}) ${rule}; ${fix}`. Name the dataset in `field`. */
export function dataError(field: string, value: unknown, rule: string, fix: string): SqrtkError {
  return new SqrtkError('E_DATA', `${field} (=${fmt(value)}) ${rule}; ${fix}`);
}

/** Checks that `value` is an integer in [min, max] and returns it. */
export function requireInt(
  option: string,
  value: unknown,
  { min, max, fix }: { min: number; max?: number; fix: string },
): number {
  const ok =
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= min &&
    (max === undefined || value <= max);
  if (!ok) {
    const rule = max === undefined ? `>= ${min}` : `from ${min} to ${max}`;
    throw optionError(option, value, `must be an integer ${rule}`, fix);
  }
  return value;
}

/**
 * Checks that `value` is a finite number within the bounds and returns it.
 * `exclusiveMin` is either the exclusive lower bound itself (`{ exclusiveMin: 0 }` means > 0)
 * or `true` to make `min` exclusive (`{ min: 0, exclusiveMin: true }` also means > 0).
 */
export function requireNumber(
  option: string,
  value: unknown,
  opts: { min?: number; max?: number; exclusiveMin?: number | boolean; fix: string },
): number {
  const { max, fix } = opts;
  const lower = typeof opts.exclusiveMin === 'number' ? opts.exclusiveMin : opts.min;
  const strict = typeof opts.exclusiveMin === 'number' || opts.exclusiveMin === true;
  const bounds: string[] = [];
  if (lower !== undefined) bounds.push(`${strict ? '>' : '>='} ${lower}`);
  if (max !== undefined) bounds.push(`<= ${max}`);
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (lower === undefined || (strict ? value > lower : value >= lower)) &&
    (max === undefined || value <= max);
  if (!ok) {
    const rule = ['must be a finite number', bounds.join(' and ')].filter(Boolean).join(' ');
    throw optionError(option, value, rule, fix);
  }
  return value;
}

/** Checks that `value`, when given, is a function. */
export function requireFunction(option: string, value: unknown, example: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw optionError(option, value, 'must be a function', `pass ${example}`);
  }
}

/** Checks that `value` is one of `choices` and returns it; the error lists the choices. */
export function requireOneOf<T extends string>(
  option: string,
  value: unknown,
  choices: readonly T[],
): T {
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) {
    return value as T;
  }
  const list = choices.map((c) => JSON.stringify(c)).join(', ');
  throw optionError(option, value, `must be one of ${list}`, `use one of those`);
}

/**
 * Throws if `obj` has a key not in `allowed` (usually a typo). The message names the unknown key,
 * suggests the closest allowed key and lists all allowed keys. `what` names the object, e.g.
 * `'fit options'`; its keys are reported as `${what}.${key}`.
 */
export function rejectUnknownKeys(
  what: string,
  obj: object,
  allowed: readonly string[],
  code: ErrorCode = 'E_OPTION',
): void {
  if (obj === null || typeof obj !== 'object') {
    throw new SqrtkError(code, `${what} (=${fmt(obj)}) must be an object; pass { ... }`);
  }
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    const value = (obj as Record<string, unknown>)[key];
    const guess = closest(key, allowed);
    const hint = guess === undefined ? '' : `did you mean ${JSON.stringify(guess)}? `;
    throw new SqrtkError(
      code,
      `${what}.${key} (=${fmt(value)}) is not a known key; ${hint}allowed keys: ${allowed.join(', ')}`,
    );
  }
}

/** The allowed key closest to `key` (at most 2 edits away), if any. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Levenshtein distance: the number of single-character edits turning `a` into `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
