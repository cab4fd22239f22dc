/**
 * The schedule and epoch-selection options of `fit` (lr-schedule.ts, monitor.ts): defaults,
 * checks, and the validation split. Selecting epochs needs validation data.
 */
import type { Dataset } from './data.js';
import { splitDataset } from './dataset/split.js';
import { optionError, requireInt, requireNumber, requireOneOf } from './errors.js';
import type { FitOptions, ResolvedFitOptions } from './fit-options.js';
import { LR_SCHEDULES, type LrScheduleName } from './lr-schedule.js';
import { MONITORS } from './monitor.js';

/** The learning-rate schedule; a knob given for a schedule that does not use it is refused. */
export function resolveSchedule(options: FitOptions, epochs: number, lr: number) {
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
export function resolveSelection(options: FitOptions) {
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
