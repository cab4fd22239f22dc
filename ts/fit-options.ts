/**
 * The options of `fit`: declared once, filled with defaults and validated before any work.
 */
import type { Dataset } from './data.js';
import {
  optionError,
  rejectUnknownKeys,
  requireFunction,
  requireInt,
  requireNumber,
} from './errors.js';
import type { FitState } from './fit-state.js';
import type { LrScheduleName } from './lr-schedule.js';
import type { Monitor } from './monitor.js';
import type { NetworkOptions } from './options.js';
import { resolveSchedule, resolveSelection } from './schedule-options.js';

export { checkWarmup, splitValidation } from './schedule-options.js';
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
  /**
   * Rewire the learned synapses every this many optimizer steps (default 100; 'deep_r': 1, so
   * that a synapse that died is regrown at the next step, as DEEP R does).
   */
  rewireEvery?: number;
  /** Fraction of each neuron's learned synapses swapped at the first rewiring (default 0.3). */
  rewireFraction?: number;
  /**
   * Rewiring stops at this fraction of training; the swapped fraction decays to 0 there
   * (default 0.75; 'deep_r': 0.95).
   */
  rewireUntil?: number;
  /**
   * Sequences the gradient-scored strategies ('gradient', 'sampled') score candidates on at each
   * rewiring: one gradient pass (no weight change) over the current batch and the ones after it
   * in the epoch's order; 0 scores on the last training batch alone (the earlier behaviour). One
   * batch of 32 was noisy enough to cost 'gradient' 2.4 accuracy points on digits-pixels with a
   * trainable backbone; 256 removed that (README, "Does it beat random synapses?") for one extra
   * gradient pass of 256 sequences per rewiring (default 256, at most the training set).
   */
  rewireBatch?: number;
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
    | 'rewireBatch'
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
  'rewireBatch',
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

type Growth = NonNullable<NetworkOptions['growth']>;

/**
 * The rewiring schedule a strategy gets when `rewireEvery` / `rewireUntil` are not given.
 * 'deep_r' regrows the synapses that died (crossed zero) at each rewiring, and a dead synapse
 * contributes nothing until then: with flip-flop (scripts/deep-r-regrowth.mjs, README "Does it
 * beat random synapses?") its loss was 12.8 % above random's at rewireEvery 100, 4.2 % at 25 and
 * 0.0 % at 1 with rewireUntil 0.95. So it rewires after every step, as Bellec et al. (2018) do,
 * until 0.95 of training. The strategies that swap a fraction keep 100 and 0.75.
 */
export function scheduleDefaults(growth: Growth): { rewireEvery: number; rewireUntil: number } {
  return growth === 'deep_r'
    ? { rewireEvery: 1, rewireUntil: 0.95 }
    : { rewireEvery: 100, rewireUntil: 0.75 };
}

/** Fills `options` with defaults (the schedule's by `growth`, see scheduleDefaults) and checks them. */
export function resolveFitOptions(options: FitOptions, growth: Growth): ResolvedFitOptions {
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
  const schedule = scheduleDefaults(growth);
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
    rewireEvery: requireInt('rewireEvery', options.rewireEvery ?? schedule.rewireEvery, {
      min: 1,
      fix: 'use e.g. rewireEvery: 100',
    }),
    rewireFraction: requireNumber('rewireFraction', options.rewireFraction ?? 0.3, {
      min: 0,
      max: 1,
      fix: 'use e.g. rewireFraction: 0.3',
    }),
    rewireUntil: requireNumber('rewireUntil', options.rewireUntil ?? schedule.rewireUntil, {
      min: 0,
      max: 1,
      fix: 'use e.g. rewireUntil: 0.75',
    }),
    rewireBatch: requireInt('rewireBatch', options.rewireBatch ?? 256, {
      min: 0,
      fix: 'use e.g. rewireBatch: 256 (0 scores on the last training batch)',
    }),
    ...resolveSchedule(options, epochs, lr),
    ...resolveSelection(options),
  };
}
