/**
 * `--task-option key=value` for the command line: the strings become typed task options (a
 * number, or a comma-separated list of numbers where the default is a list), and every error
 * names `--task-option` with the pair as written, the rule and the valid keys.
 */
import { fmt, SqrtkError } from '../errors.js';
import { loadTask, taskInfo, type OptionValue, type Task } from './index.js';

const FLAG = '--task-option';

function fail(pair: string, rule: string, fix: string): SqrtkError {
  return new SqrtkError('E_OPTION', `${FLAG} (=${fmt(pair)}) ${rule}; ${fix}`);
}

function validKeys(name: string, keys: string[]): string {
  return keys.length === 0
    ? `task ${name} has no options`
    : `valid keys for ${name}: ${keys.join(', ')}`;
}

/** The options `pairs` ("key=value" strings) give for task `name`, typed by their defaults. */
export function parseTaskOptions(
  name: string,
  pairs: readonly string[] = [],
): Record<string, OptionValue> {
  const defaults = taskInfo(name).options;
  const keys = Object.keys(defaults);
  const valid = validKeys(name, keys);
  const options: Record<string, OptionValue> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 0) throw fail(pair, 'must be key=value', valid);
    const key = pair.slice(0, eq).trim();
    const text = pair.slice(eq + 1).trim();
    if (!keys.includes(key)) throw fail(pair, `names no option of task ${name}`, valid);
    const list = Array.isArray(defaults[key]);
    const values = (list ? text.split(',') : [text]).map((v) => v.trim());
    if (values.some((v) => v === '' || !Number.isFinite(Number(v))))
      throw fail(
        pair,
        list ? `${key} must be a comma-separated list of numbers` : `${key} must be a number`,
        `e.g. ${FLAG} ${key}=${show(defaults[key])} (${valid})`,
      );
    options[key] = list ? values.map(Number) : Number(values[0]);
  }
  return options;
}

/**
 * `loadTask(name, parseTaskOptions(name, pairs))`, with the generator's errors about a value
 * the user gave restated in the command line's words (naming `--task-option`).
 */
export function loadTaskFromFlags(name: string, pairs: readonly string[] = []): Task {
  const options = parseTaskOptions(name, pairs);
  try {
    return loadTask(name, options);
  } catch (e) {
    if (!(e instanceof SqrtkError) || e.code !== 'E_OPTION') throw e;
    const m = /^(\w+)(\[\d+\])? \(=.*?\) (.*)$/s.exec(e.message);
    const pair = m && [...pairs].reverse().find((p) => p.split('=')[0].trim() === m[1]);
    if (!m || !pair) throw e;
    const [rule, ...fix] = m[3].split('; ');
    const cliFix = fix
      .join('; ')
      .replace(
        new RegExp(`\\b${m[1]}: \\[?([^\\];]*)\\]?`),
        (_, v: string) => `${FLAG} ${m[1]}=${v.replace(/, /g, ',')}`,
      );
    const valid = validKeys(name, Object.keys(taskInfo(name).options));
    throw new SqrtkError(
      'E_OPTION',
      `${FLAG} (=${fmt(pair)}): ${m[1]}${m[2] ?? ''} ${rule}; ${cliFix} (${valid})`,
      { cause: e },
    );
  }
}

function show(value: OptionValue): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** The `key=value` pairs that give back `options` (numbers print and parse back exactly). */
export function taskOptionPairs(options: Record<string, OptionValue>): string[] {
  return Object.entries(options).map(([key, value]) => `${key}=${show(value)}`);
}
