/**
 * `sqrtk sweep plan MANIFEST --out DIR`: a manifest (JSON or YAML) becomes DIR/sweep.json, one
 * fully resolved trial per index. A manifest is
 *
 *   { "base": { "task": "dms", "neurons": 300, "k": 30, "epochs": 2, "trainBackbone": false },
 *     "grid": { "growth": ["random", "sampled"] },
 *     "seeds": [1, 2, 3] }
 *
 * with the option names of `sqrtk train`'s config.json (its "network" and "fit" entries, plus
 * `task`, `taskOptions`, `data`, `test`, `testFraction`, `standardize`, `loss`). The trials are
 * every point of `grid` (all combinations, in the order written; none: one point) × every entry
 * of `variations` (a list of option sets; none: one) × every seed: base, then the grid point,
 * then the variation, then the seed. `baseline` (optional, e.g. { "growth": "random" }) names
 * the configuration the report compares the others with.
 *
 * Each trial runs as `sqrtk train` with the flags its options map to (`args`), so a trial is
 * exactly the run `sqrtk train` makes with those flags. Its directory, trials/ID, is named by
 * a hash of what the run depends on: its resolved network and fit options, its task, the
 * SHA-256 of its data files. The same trial in another sweep gets the same ID.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { parse as parseYaml } from 'yaml';
import { SqrtkError } from '../../errors.js';
import { resolveNetworkOptions } from '../../options.js';
import { resolveFitOptions } from '../../train.js';
import { trainOptions } from '../flags.js';
import { FLAGS } from '../messages.js';
import { validate } from '../selection.js';
import { fitOptions, networkOptions, taskOf, type TrainCommandOptions } from '../train.js';
import type { DataFile } from '../data-task.js';

export type Options = Record<string, unknown>;

export interface Manifest {
  base?: Options;
  grid?: Record<string, unknown[]>;
  variations?: Options[];
  seeds?: number[];
  baseline?: Options;
  /** Each trial saves a checkpoint every this many optimizer steps (default 100). */
  checkpointEvery?: number;
}

export interface Trial {
  index: number;
  /** Hash of the resolved network and fit options, the task and the data (16 hex digits). */
  id: string;
  /** trials/ID, relative to the sweep directory. */
  dir: string;
  /** The options as the manifest gives them (base ⊕ grid point ⊕ variation), seed included. */
  options: Options;
  /** Hash of the options without the seed: the trials of one configuration share it. */
  config: string;
  /** The `sqrtk train` flags of the trial (the runner adds --out, --threads, --checkpoint-every). */
  args: string[];
  /** What the run resolves to, as its config.json will record it. */
  network: object;
  fit: object;
  /** --curriculum's values per epoch, or null. */
  curriculum: unknown;
  task: { name: string; options: object };
  data: DataFile[];
}

export interface Sweep {
  version: 1;
  /** The manifest's path, as given (for people; nothing reads it back). */
  manifest: string;
  baseline: Options | null;
  checkpointEvery: number;
  /** The options whose values differ between trials (seed last): what tells trials apart. */
  varying: string[];
  trials: Trial[];
}

const MANIFEST_KEYS = ['base', 'grid', 'variations', 'seeds', 'baseline', 'checkpointEvery'];
/** Options that name files: resolved against the manifest's directory. */
const FILE_OPTIONS = ['data', 'test'];
/** Options of the sweep's own: never given per trial. */
const RUNNER_OPTIONS = ['out', 'threads', 'resume', 'overwrite'];
/** Flags of other commands, not of `sqrtk train`. */
const NOT_TRAIN = ['format', 'seeds', 'strategies', 'backbones', 'checkpointEvery', 'init'];
/** What a manifest's options may be: the names of sqrtk train's flags. */
/**
 * The flags of `sqrtk train --data` (the API has no options of these names, so messages.ts's
 * FLAGS does not list them), by the manifest's names.
 */
const DATA_FLAGS: Record<string, string> = {
  data: '--data',
  test: '--test',
  testFraction: '--test-fraction',
  standardize: '--standardize',
  loss: '--loss',
};
/** Every trial option's flag, by the manifest's name. */
const TRIAL_FLAGS: Record<string, string> = {
  ...Object.fromEntries(
    Object.entries(FLAGS).filter(([k]) => !RUNNER_OPTIONS.includes(k) && !NOT_TRAIN.includes(k)),
  ),
  ...DATA_FLAGS,
  trainBackbone: '--frozen-backbone',
  taskOptions: '--task-option',
};
const KNOWN = Object.keys(TRIAL_FLAGS);

function manifestError(file: string, message: string): SqrtkError {
  const error = new SqrtkError('E_OPTION', `${file}: ${message}`);
  return Object.assign(error, { asWritten: true });
}

/** The manifest in `file` (.json, .yaml or .yml), checked for its shape. */
export function readManifest(file: string): Manifest {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new SqrtkError(
      'E_IO',
      `manifest ${JSON.stringify(file)} cannot be read (${(cause as Error).message}); check the path`,
      { cause },
    );
  }
  const yaml = ['.yaml', '.yml'].includes(extname(file).toLowerCase());
  let value: unknown;
  try {
    const body = text.replace(/^\uFEFF/, ''); // a byte-order mark some editors write
    value = yaml ? parseYaml(body, { merge: true }) : JSON.parse(body);
  } catch (cause) {
    const kind = yaml ? 'YAML' : 'JSON';
    throw manifestError(
      file,
      `is not valid ${kind} (${(cause as Error).message.split('\n')[0]}); fix the file (a .yaml or .yml name reads YAML, any other JSON)`,
    );
  }
  return checkManifest(file, value);
}

/** `value` as a manifest, checked for its shape; errors start with `file`. */
export function checkManifest(file: string, value: unknown): Manifest {
  const isObject = (v: unknown): v is Options =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(value))
    throw manifestError(
      file,
      'must hold an object like { "base": {...}, "grid": {...}, "seeds": [1, 2, 3] }',
    );
  for (const key of Object.keys(value))
    if (!MANIFEST_KEYS.includes(key))
      throw manifestError(
        file,
        `"${key}" is not a manifest entry; use ${MANIFEST_KEYS.join(', ')}`,
      );
  const m = value as Manifest;
  for (const key of ['base', 'baseline'] as const)
    if (m[key] !== undefined && !isObject(m[key]))
      throw manifestError(file, `"${key}" must be an object of options, e.g. { "neurons": 300 }`);
  if (m.grid !== undefined) {
    if (!isObject(m.grid))
      throw manifestError(
        file,
        '"grid" must be an object of lists, e.g. { "growth": ["random", "sampled"] }',
      );
    for (const [key, values] of Object.entries(m.grid))
      if (!Array.isArray(values) || values.length === 0)
        throw manifestError(file, `grid "${key}" must be a non-empty list of values, e.g. [1, 2]`);
  }
  if (
    m.variations !== undefined &&
    (!Array.isArray(m.variations) || m.variations.length === 0 || !m.variations.every(isObject))
  )
    throw manifestError(
      file,
      '"variations" must be a non-empty list of option objects, e.g. [{ "k": 20 }, { "k": 40 }]',
    );
  if (m.seeds !== undefined) {
    const seeds = m.seeds as unknown;
    if (
      !Array.isArray(seeds) ||
      seeds.length === 0 ||
      !seeds.every((s) => Number.isSafeInteger(s) && s >= 0)
    )
      throw manifestError(
        file,
        `"seeds" (=${JSON.stringify(seeds)}) must be a non-empty list of whole numbers ≥ 0, e.g. [1, 2, 3]`,
      );
    if (new Set(seeds).size !== seeds.length)
      throw manifestError(
        file,
        `"seeds" (=${JSON.stringify(seeds)}) lists a seed twice; list each once`,
      );
  }
  const every = m.checkpointEvery as unknown;
  if (every !== undefined && !(Number.isSafeInteger(every) && (every as number) >= 1))
    throw manifestError(
      file,
      `"checkpointEvery" (=${JSON.stringify(every)}) must be a whole number ≥ 1, e.g. 100`,
    );
  return m;
}

/** Every combination of the grid's values, in the order written (the last key fastest). */
function gridPoints(grid: Record<string, unknown[]> = {}): Options[] {
  let points: Options[] = [{}];
  for (const [key, values] of Object.entries(grid))
    points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  return points;
}

/** JSON with sorted keys, so that equal options hash equally whatever order they were written in. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null)
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Options)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Options)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

export const hashOf = (value: unknown) =>
  createHash('sha256').update(canonical(value)).digest('hex').slice(0, 16);

/** `{ kE: 80, kI: 20 }` → `kE=80,kI=20` (--blocks, --couplings). */
function pairs(key: string, value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(
      `"${key}" (=${JSON.stringify(value)}) must be an object of numbers, e.g. { "kE": 80, "kI": 20 }`,
    );
  return Object.entries(value)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
}

function yesNo(key: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw new Error(`"${key}" (=${JSON.stringify(value)}) must be true or false`);
  return value;
}

/** The `sqrtk train` flags of one trial's options. */
export function trainArgs(options: Options, base: string): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (value === null)
      throw new Error(`"${key}" has no value (null); give it one, or leave the key out`);
    if (RUNNER_OPTIONS.includes(key))
      throw new Error(`"${key}" is set by the sweep itself (sqrtk sweep run); leave it out`);
    if (key === 'checkpointEvery')
      throw new Error('"checkpointEvery" belongs at the top level of the manifest, beside "seeds"');
    if (key === 'init')
      throw new Error(
        '"init" (start from a saved network) is not supported in sweeps; train with sqrtk train --init',
      );
    if (Array.isArray(value) && key !== 'taskOptions')
      throw new Error(
        `"${key}" (=${JSON.stringify(value)}) is a list: the values to try belong in "grid", e.g. "grid": { "${key}": ${JSON.stringify(value)} }`,
      );
    if (key === 'trainBackbone') {
      if (!yesNo(key, value)) args.push('--frozen-backbone');
    } else if (key === 'taskOptions') {
      if (typeof value !== 'object' || Array.isArray(value))
        throw new Error(
          `"taskOptions" (=${JSON.stringify(value)}) must be an object, e.g. { "delay": 12 }`,
        );
      for (const [k, v] of Object.entries(value as Options)) {
        if (typeof v === 'object' && !Array.isArray(v))
          throw new Error(
            `"taskOptions.${k}" (=${JSON.stringify(v)}) must be a number, a word or a list, e.g. { "delay": 12 }`,
          );
        args.push('--task-option', `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
      }
    } else if (key === 'blocks' || key === 'couplings') {
      args.push(`--${key}`, pairs(key, value));
    } else if (key === 'dale' || key === 'keepBest' || key === 'standardize') {
      if (yesNo(key, value)) args.push(TRIAL_FLAGS[key]);
    } else if (FILE_OPTIONS.includes(key)) {
      args.push(TRIAL_FLAGS[key], resolve(base, String(value)));
    } else if (KNOWN.includes(key) && typeof value !== 'object') {
      args.push(TRIAL_FLAGS[key], String(value));
    } else if (KNOWN.includes(key)) {
      throw new Error(
        `"${key}" (=${JSON.stringify(value)}) must be a number, a word or true/false`,
      );
    } else {
      throw new Error(
        `"${key}" is not an option a sweep can set (it has no sqrtk train flag); use one of ${KNOWN.filter((k) => k !== 'seed').join(', ')}`,
      );
    }
  }
  return args;
}

/** `sqrtk train`'s options for `args`, parsed by the very definitions of its flags. */
function parseTrainArgs(args: string[]): TrainCommandOptions {
  let parsed: TrainCommandOptions | undefined;
  const command = trainOptions(new Command('train'))
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} })
    .action((o: TrainCommandOptions) => {
      parsed = o;
    });
  command.parse(args, { from: 'user' });
  return parsed!;
}

/** Writes flags back as the manifest's names in a message (`--batch-size` → `batchSize`). */
function inManifestNames(message: string): string {
  const byFlag = new Map(Object.entries(TRIAL_FLAGS).map(([name, flag]) => [flag, name]));
  // `--task-option (="delay=3,4")` → `taskOptions.delay (=3,4)`
  const options = message.replace(/--task-option \(="([^=]+)=([^"]*)"\)/g, 'taskOptions.$1 (=$2)');
  return options.replace(/--[a-z-]+(?![\w-])/g, (flag) => byFlag.get(flag) ?? flag);
}

/** Every trial of the manifest in `file`, resolved as `sqrtk train` would resolve it. */
export async function planSweep(file: string): Promise<Sweep> {
  return planManifest(readManifest(file), file, dirname(resolve(file)));
}

/**
 * Every trial of manifest `m`, resolved as `sqrtk train` would resolve it; `file` names the
 * manifest in errors and sweep.json, and files it names are found from `base`.
 */
export async function planManifest(m: Manifest, file: string, base: string): Promise<Sweep> {
  const seeds = m.seeds ?? [0];
  const combos = gridPoints(m.grid).flatMap((point) =>
    (m.variations ?? [{}]).map((variation) => ({ ...m.base, ...point, ...variation })),
  );
  const trials: Trial[] = [];
  for (const combo of combos) {
    if ('seed' in combo)
      throw manifestError(
        file,
        '"seed" belongs in "seeds", not among the options; list the seeds there',
      );
    for (const seed of seeds) {
      const options = { ...combo, seed };
      const index = trials.length;
      const where = `trial ${index} (${describe(options)})`;
      let args: string[];
      let o: TrainCommandOptions;
      try {
        args = trainArgs(options, base);
        o = parseTrainArgs(args);
      } catch (e) {
        const message =
          e instanceof CommanderError ? e.message.replace(/^error: /, '') : (e as Error).message;
        throw manifestError(file, `${where}: ${inManifestNames(message)}`);
      }
      try {
        const { task, files } = await taskOf(o);
        const p = validate(o, task, fitOptions(o));
        const network = resolveNetworkOptions(networkOptions(task, o, o.seed));
        const fit = resolveFitOptions(
          { ...p.fit, validationFraction: p.fraction ?? undefined },
          network.growth,
        );
        const taskRecord = { name: task.name, options: task.options ?? {} };
        const data = files.map((f) => ({ ...f }));
        const curriculum = p.curriculum?.values ?? null;
        const inputs = data.map((f) => [f.role, f.sha256]);
        // With --data, how the files are split and scaled is part of the run too.
        const prepared =
          data.length === 0
            ? null
            : {
                testFraction: o.testFraction ?? null,
                standardize: o.standardize === true,
                loss: o.loss ?? null,
              };
        const id = hashOf({ network, fit, curriculum, task: taskRecord, data: inputs, prepared });
        const { seed: _, ...withoutSeed } = options;
        const config = hashOf(withoutSeed);
        const dir = `trials/${id}`;
        trials.push({
          index,
          id,
          dir,
          options,
          config,
          args,
          network,
          fit,
          curriculum,
          task: taskRecord,
          data,
        });
      } catch (e) {
        if (!(e instanceof SqrtkError)) throw e;
        throw Object.assign(
          new SqrtkError(e.code, `${file}: ${where}: ${inManifestNames(e.message)}`),
          { asWritten: true },
        );
      }
    }
  }
  const ids = new Map<string, number>();
  for (const t of trials) {
    const twin = ids.get(t.id);
    if (twin !== undefined)
      throw manifestError(
        file,
        `trials ${twin} and ${t.index} are the same run (${describe(t.options)}); remove the repeated setting`,
      );
    ids.set(t.id, t.index);
  }
  if (m.baseline !== undefined && !trials.some((t) => matches(t.options, m.baseline!)))
    throw manifestError(
      file,
      `"baseline" (=${JSON.stringify(m.baseline)}) matches no trial; name values the grid or variations give, e.g. { "growth": "random" }`,
    );
  const keys = [...new Set(trials.flatMap((t) => Object.keys(t.options)))];
  const varying = keys.filter(
    (k) => k !== 'seed' && new Set(trials.map((t) => canonical(t.options[k]))).size > 1,
  );
  if (seeds.length > 1) varying.push('seed');
  return {
    version: 1,
    manifest: resolve(file),
    baseline: m.baseline ?? null,
    checkpointEvery: m.checkpointEvery ?? 100,
    varying,
    trials,
  };
}

/** Whether `options` have every value `subset` names. */
export function matches(options: Options, subset: Options): boolean {
  return Object.entries(subset).every(([k, v]) => canonical(options[k]) === canonical(v));
}

/** `growth=sampled seed=2`: the options that tell trials apart, for progress lines and errors. */
export function describe(options: Options, keys?: string[]): string {
  return Object.entries(options)
    .filter(([k, v]) => v !== undefined && (keys === undefined || keys.includes(k)))
    .map(([k, v]) => `${k}=${typeof v === 'object' ? canonical(v) : String(v)}`)
    .join(' ');
}

/** Whether DIR holds a sweep plan. */
export const hasPlan = (dir: string) => existsSync(resolve(dir, 'sweep.json'));
