/**
 * The options of `fit`: declared once, filled with defaults and validated before any work.
 */
import type { Dataset } from './data.js';
import { splitDataset } from './dataset/split.js';
import {
  optionError,
  rejectUnknownKeys,
  requireFunction,
  requireInt,
  requireNumber,
  requireOneOf,
} from './errors.js';
import type { FitState } from './fit-state.js';
import { LR_SCHEDULES, type LrScheduleName } from './lr-schedule.js';
import { MONITORS, type Monitor } from './monitor.js';
import type { ProgressEvent } from './train.js';

export interface FitOptions {
  /** Passes over the training data (default 10). */
  epochs?: number;
  /** Sequences per optimizer step (default 32). */
  batchSize?: number;
  /** Adam learning rate (default 0.002); the schedule's peak rate. */
  lr?: number;
  /** Gradients with a larger global norm are rescaled to this norm; 0 turns clipping off (default 1). */
  clipNorm?: number;
  /** Evaluated after every epoch; selects epochs for earlyStop, keepBest and 'plateau'. */
  validation?: Dataset;
  /**
   * Without `validation`: hold out this fraction of the training data as the validation set
   * (stratified by label, seeded by the network's seed; the rest is trained on).
   */
  validationFraction?: number;
  /** Called after every batch and every epoch. */
  onProgress?: (event: ProgressEvent) => void;
  /** Stops training (with an E_ABORTED error) at the next batch. */
  signal?: AbortSignal;
  /** Rewire the learned synapses every this many optimizer steps (default 100). */
  rewireEvery?: number;
  /** Fraction of each neuron's learned synapses swapped at the first rewiring (default 0.3). */
  rewireFraction?: number;
  /** Rewiring stops at this fraction of training; the swapped fraction decays to 0 there (default 0.75). */
  rewireUntil?: number;
  /** Learning-rate schedule: 'constant' (default), 'step', 'cosine' or 'plateau' (lr-schedule.ts). */
  lrSchedule?: LrScheduleName;
  /** Optimizer steps of linear warm-up from lr / warmup to lr, for any schedule (default 0). */
  warmup?: number;
  /** 'step': multiply the rate by lrFactor every this many epochs (default ⌈epochs / 3⌉). */
  lrStepEvery?: number;
  /** 'step' and 'plateau': each reduction multiplies the rate by this (default 0.5). */
  lrFactor?: number;
  /** 'cosine': the rate training decays to; 'plateau': the lowest rate (default 0). */
  minLr?: number;
  /** 'plateau': epochs without improvement of the monitored metric before a reduction (default 3). */
  lrPatience?: number;
  /** Stop when the monitored metric has not improved for this many epochs (default: never). */
  earlyStop?: number;
  /** At the end, put back the network of the best validation epoch (default false). */
  keepBest?: boolean;
  /** Validation metric that selects epochs (default 'accuracy' for cross-entropy, 'loss' for mse). */
  monitor?: Monitor;
  /**
   * keepBest: receives the best epoch's network (`net.save()` bytes) whenever a new best arrives.
   * fit keeps those bytes in memory itself; keep the latest ones too if you checkpoint, and give
   * them back as `resumeBest`.
   */
  onBest?: (bytes: Uint8Array, epoch: number) => void | Promise<void>;
  /** keepBest with `resume`: the last bytes `onBest` received (see `fit`). */
  resumeBest?: Uint8Array;
  /** Epoch e (1-based) trains on `curriculum(e)` instead of the data (same number of sequences). */
  curriculum?: (epoch: number) => Dataset;
  /** Call `onCheckpoint` every this many optimizer steps (default: never). */
  checkpointEvery?: number;
  /** Receives the training position; save it with the network (`net.save(state)`) to resume later. */
  onCheckpoint?: (state: FitState) => void | Promise<void>;
  /** Continue an interrupted fit: the state saved with the network you loaded (same data and options). */
  resume?: FitState;
}

export type ResolvedFitOptions = Required<
  Pick<
    FitOptions,
    | 'epochs'
    | 'batchSize'
    | 'lr'
    | 'clipNorm'
    | 'rewireEvery'
    | 'rewireFraction'
    | 'rewireUntil'
    | 'lrSchedule'
    | 'warmup'
    | 'lrStepEvery'
    | 'lrFactor'
    | 'minLr'
    | 'lrPatience'
    | 'keepBest'
  >
> & {
  /** null: no early stopping. */
  earlyStop: number | null;
  /** null: by the loss ('accuracy' for cross-entropy, 'loss' for mse). */
  monitor: Monitor | null;
  /** null: no split (the validation set, if any, was given). */
  validationFraction: number | null;
};

const FIT_KEYS = [
  'epochs',
  'batchSize',
  'lr',
  'clipNorm',
  'validation',
  'validationFraction',
  'onProgress',
  'signal',
  'rewireEvery',
  'rewireFraction',
  'rewireUntil',
  'lrSchedule',
  'warmup',
  'lrStepEvery',
  'lrFactor',
  'minLr',
  'lrPatience',
  'earlyStop',
  'keepBest',
  'monitor',
  'onBest',
  'resumeBest',
  'curriculum',
  'checkpointEvery',
  'onCheckpoint',
  'resume',
] as const;

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function'
  );
}

export function resolveFitOptions(options: FitOptions): ResolvedFitOptions {
  rejectUnknownKeys('fit options', options, FIT_KEYS);
  requireFunction('onProgress', options.onProgress, '(event) => { ... }');
  requireFunction('onCheckpoint', options.onCheckpoint, '(state) => { ... }');
  requireFunction('onBest', options.onBest, '(bytes, epoch) => { ... }');
  requireFunction('curriculum', options.curriculum, '(epoch) => dataset');
  if (options.signal !== undefined && !isAbortSignal(options.signal)) {
    const fix = 'pass the signal of an AbortController (new AbortController().signal)';
    throw optionError('signal', options.signal, 'must be an AbortSignal', fix);
  }
  if (options.checkpointEvery !== undefined) {
    requireInt('checkpointEvery', options.checkpointEvery, {
      min: 1,
      fix: 'use e.g. checkpointEvery: 100',
    });
  }
  const epochs = requireInt('epochs', options.epochs ?? 10, { min: 1, fix: 'use e.g. epochs: 10' });
  const lr = requireNumber('lr', options.lr ?? 0.002, {
    exclusiveMin: 0,
    max: 1,
    fix: 'use e.g. lr: 0.002 (Adam steps larger than 1 only diverge)',
  });
  return {
    epochs,
    batchSize: requireInt('batchSize', options.batchSize ?? 32, {
      min: 1,
      fix: 'use e.g. batchSize: 32',
    }),
    lr,
    clipNorm: requireNumber('clipNorm', options.clipNorm ?? 1, {
      min: 0,
      fix: 'use e.g. clipNorm: 1 (0 turns clipping off)',
    }),
    rewireEvery: requireInt('rewireEvery', options.rewireEvery ?? 100, {
      min: 1,
      fix: 'use e.g. rewireEvery: 100',
    }),
    rewireFraction: requireNumber('rewireFraction', options.rewireFraction ?? 0.3, {
      min: 0,
      max: 1,
      fix: 'use e.g. rewireFraction: 0.3',
    }),
    rewireUntil: requireNumber('rewireUntil', options.rewireUntil ?? 0.75, {
      min: 0,
      max: 1,
      fix: 'use e.g. rewireUntil: 0.75',
    }),
    ...resolveSchedule(options, epochs, lr),
    ...resolveSelection(options),
  };
}

/** The learning-rate schedule; a knob given for a schedule that does not use it is refused. */
function resolveSchedule(options: FitOptions, epochs: number, lr: number) {
  const lrSchedule = requireOneOf('lrSchedule', options.lrSchedule ?? 'constant', LR_SCHEDULES);
  const uses: Record<string, LrScheduleName[]> = {
    lrStepEvery: ['step'],
    lrFactor: ['step', 'plateau'],
    minLr: ['cosine', 'plateau'],
    lrPatience: ['plateau'],
  };
  for (const [knob, schedules] of Object.entries(uses)) {
    const value = options[knob as keyof FitOptions];
    if (value !== undefined && !schedules.includes(lrSchedule)) {
      const which = schedules.map((s) => `lrSchedule: '${s}'`).join(' or ');
      throw optionError(
        knob,
        value,
        `only applies to ${which}`,
        `use ${which}, or leave ${knob} out`,
      );
    }
  }
  const minLr = requireNumber('minLr', options.minLr ?? 0, { min: 0, fix: 'use e.g. minLr: 0' });
  if (minLr >= lr)
    throw optionError('minLr', minLr, `must be less than lr (=${lr})`, 'lower minLr or raise lr');
  return {
    lrSchedule,
    warmup: requireInt('warmup', options.warmup ?? 0, { min: 0, fix: 'use e.g. warmup: 100' }),
    lrStepEvery: requireInt('lrStepEvery', options.lrStepEvery ?? Math.ceil(epochs / 3), {
      min: 1,
      fix: 'use e.g. lrStepEvery: 5',
    }),
    lrFactor: requireNumber('lrFactor', options.lrFactor ?? 0.5, {
      exclusiveMin: 0,
      max: 1,
      fix: 'use e.g. lrFactor: 0.5',
    }),
    minLr,
    lrPatience: requireInt('lrPatience', options.lrPatience ?? 3, {
      min: 1,
      fix: 'use e.g. lrPatience: 3',
    }),
  };
}

/** Early stopping, keepBest and the validation split; selecting epochs needs validation data. */
function resolveSelection(options: FitOptions) {
  const earlyStop =
    options.earlyStop === undefined
      ? null
      : requireInt('earlyStop', options.earlyStop, { min: 1, fix: 'use e.g. earlyStop: 5' });
  const keepBest = options.keepBest ?? false;
  if (typeof keepBest !== 'boolean')
    throw optionError('keepBest', keepBest, 'must be true or false', 'use keepBest: true');
  const monitor =
    options.monitor === undefined ? null : requireOneOf('monitor', options.monitor, MONITORS);
  const fraction = options.validationFraction;
  if (fraction !== undefined && !(typeof fraction === 'number' && fraction > 0 && fraction < 1))
    throw optionError(
      'validationFraction',
      fraction,
      'must be a fraction between 0 and 1 (exclusive)',
      'use e.g. validationFraction: 0.1',
    );
  const validationFraction = fraction ?? null;
  if (validationFraction !== null && options.validation !== undefined)
    throw optionError(
      'validationFraction',
      validationFraction,
      'cannot be combined with validation',
      'pass one of them',
    );
  if (validationFraction !== null && options.curriculum !== undefined)
    throw optionError(
      'validationFraction',
      validationFraction,
      'cannot split a curriculum (its data changes every epoch)',
      'pass a fixed validation set as validation',
    );
  const selecting: [string, unknown][] = [
    ['earlyStop', options.earlyStop],
    ['keepBest', options.keepBest || undefined],
    ['lrSchedule', options.lrSchedule === 'plateau' ? 'plateau' : undefined],
  ];
  const hasValidation = options.validation !== undefined || validationFraction !== null;
  for (const [name, value] of selecting)
    if (value !== undefined && !hasValidation)
      throw optionError(
        name,
        value,
        'selects epochs on validation data, and there is none',
        'pass validation, or validationFraction: 0.1 to hold out part of the training data',
      );
  if (options.resumeBest !== undefined && !(options.resumeBest instanceof Uint8Array))
    throw optionError(
      'resumeBest',
      options.resumeBest,
      'must be the Uint8Array that onBest received',
      'pass those bytes',
    );
  return { earlyStop, keepBest, monitor, validationFraction };
}

/** Refuses a warm-up that would not end within the fit's `totalSteps` optimizer steps. */
export function checkWarmup(opts: ResolvedFitOptions, totalSteps: number): void {
  if (opts.warmup > 0 && opts.warmup >= totalSteps)
    throw optionError(
      'warmup',
      opts.warmup,
      `must be less than the fit's optimizer steps (=${totalSteps}: epochs × batches per epoch)`,
      'lower warmup or raise epochs',
    );
}

/**
 * The validation split of `validationFraction`: `splitDataset` (stratified by label) seeded with
 * the network's seed (modulo 2^32), so a resumed fit and the CLI hold out the same sequences.
 */
export function splitValidation(
  data: Dataset,
  fraction: number,
  seed: number,
): { train: Dataset; validation: Dataset } {
  const B = data.shape[0];
  const held = Math.round(fraction * B);
  if (held === 0 || held === B)
    throw optionError(
      'validationFraction',
      fraction,
      `leaves the ${held === 0 ? 'validation' : 'training'} part empty for ${B} training sequences`,
      `use a fraction between ${(0.5 / B).toFixed(3)} and ${(1 - 0.5 / B).toFixed(3)}, or more data`,
    );
  const { train, test } = splitDataset(data, { test: fraction, seed: seed % 2 ** 32 });
  return { train, validation: test };
}
