/**
 * The built-in tasks: the generators (`tasks.NAME(options)` in the API), and a registry that
 * says, for each task, what it is, its periods, inputs, outputs, loss, reference, options with
 * their defaults, and its difficulty knob for curricula. `loadTask(name, options)` builds a
 * task's train and test sets (different seeds) for the CLI.
 */
import { datasets, type Dataset } from '../data.js';
import { optionError, rejectUnknownKeys, requireInt } from '../errors.js';
import { delayedMatchToSample, delayedNonMatchToSample } from './dms.js';
import { contextDependent, perceptualDecision } from './evidence.js';
import { flipFlop } from './flipflop.js';
import { goNoGo, proAnti } from './go.js';
import { parametricWorkingMemory } from './romo.js';
import { readySetGo } from './timing.js';
import { REGISTRY, type OptionValue, type TaskInfo } from './registry.js';

export { FIXATE_WEIGHT, RESPONSE_WEIGHT } from './trial.js';
export type { OptionValue, TaskInfo } from './registry.js';

/** A task ready to train on: train and test sets, sizes and loss. */
export interface Task {
  name: string;
  description: string;
  train: Dataset;
  test: Dataset;
  inputs: number;
  outputs: number;
  loss: 'cross_entropy' | 'mse';
  /** The options the sets were built with (defaults filled in), as config.json records them. */
  options?: Record<string, OptionValue>;
}

/** The task generators, by their API names. Each returns a {@link Dataset}. */
export const tasks = {
  perceptualDecision,
  contextDependent,
  delayedMatchToSample,
  delayedNonMatchToSample,
  parametricWorkingMemory,
  goNoGo,
  proAnti,
  readySetGo,
  flipFlop,
};

/** Every built-in task's description (name, periods, options, ...), in listing order. */
export const TASK_INFO: readonly TaskInfo[] = REGISTRY;

/** The names of the built-in tasks (for `--task`). */
export const TASKS: readonly string[] = REGISTRY.map((t) => t.name);

/** The registry entry of task `name`; E_OPTION naming `task` (with the valid names) if none. */
export function taskInfo(name: string): TaskInfo {
  const info = REGISTRY.find((t) => t.name === name);
  if (info === undefined)
    throw optionError(
      'task',
      name,
      `is not a built-in task; valid tasks: ${TASKS.join(', ')}`,
      'pick one of those',
    );
  return info;
}

/**
 * The train and test sets of a built-in task. `options` are the task's registry options (see
 * {@link TASK_INFO}; defaults fill the rest): `trials` and `testTrials` size the two sets, and
 * the sets use the seeds 2·seed + 1 and 2·seed + 2, so they never share a trial stream.
 */
export function loadTask(name: string, options: Record<string, unknown> = {}): Task {
  const info = taskInfo(name);
  rejectUnknownKeys(`${name} task options`, options, Object.keys(info.options));
  const resolved = { ...info.options, ...options } as Record<string, OptionValue>;
  if (name === 'digits') {
    const d = datasets.digits();
    const base = { name, description: d.description, train: d.train, test: d.test };
    return { ...base, inputs: 8, outputs: d.classes, loss: 'cross_entropy', options: {} };
  }
  if (name === 'digits-pixels') return digitsPixels();
  const seed = requireInt('seed', resolved.seed, {
    min: 0,
    max: 2 ** 31 - 2,
    fix: 'use a smaller seed, e.g. seed: 0',
  });
  const count = (key: 'trials' | 'testTrials') =>
    requireInt(key, resolved[key], { min: 1, fix: `use e.g. ${key}: ${info.options[key]}` });
  const [trials, testTrials] = [count('trials'), count('testTrials')];
  const { trials: _t, testTrials: _s, ...rest } = resolved;
  const make = GENERATORS[info.generator];
  const train = make({ ...rest, trials, seed: 2 * seed + 1 });
  const test = make({ ...rest, trials: testTrials, seed: 2 * seed + 2 });
  const [, steps, inputs] = train.shape;
  const outputs = info.outputCount(resolved);
  const shown = Object.entries(resolved)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v}`)
    .join(' ');
  const description = `${info.description} (T = ${steps}, ${inputs} inputs, ${outputs} outputs; ${shown})`;
  return { name, description, train, test, inputs, outputs, loss: info.loss, options: resolved };
}

/**
 * The digits read one pixel per step (T = 64, 1 input), row by row: the same images, labels
 * and split as `digits`, only the sequence is 8× longer, so the network must carry what it saw
 * across 64 steps (the small-scale analogue of pixel-by-pixel MNIST).
 */
function digitsPixels(): Task {
  const d = datasets.digits();
  const pixels = (s: Dataset): Dataset => ({ ...s, shape: [s.shape[0], 64, 1] });
  return {
    name: 'digits-pixels',
    description:
      'UCI handwritten digits (Alpaydin & Kaynak 1998, CC BY 4.0) read pixel by pixel ' +
      '(T = 64 steps of 1 pixel in [0, 1], row-major), 10 classes, 1437 train / 360 test',
    train: pixels(d.train),
    test: pixels(d.test),
    inputs: 1,
    outputs: d.classes,
    loss: 'cross_entropy',
    options: {},
  };
}

type Generator = (o: Record<string, unknown>) => Dataset;

const GENERATORS = tasks as unknown as Record<string, Generator>;
