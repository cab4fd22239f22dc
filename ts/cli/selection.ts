/**
 * `sqrtk train`'s schedules and epoch selection: the flags as fit options, the validation split
 * a run selects epochs on (never the test set), and the per-epoch line of metrics.jsonl.
 */
import type { Dataset } from '../data.js';
import { checkWarmup, splitValidation } from '../fit-options.js';
import { optionError } from '../errors.js';
import type { Task } from '../tasks/index.js';
import { taskCurriculum, type TaskCurriculum } from '../tasks/curriculum.js';
import { resolveFitOptions, type FitOptions } from '../train.js';
import type { TrainCommandOptions } from './train.js';

export { metricsLine } from '../output/summary.js';

/**
 * The schedule and epoch-selection flags of `train`: fit's options of the same names (undefined
 * when not given), and `--curriculum E` (ramp the task's difficulty over the first E epochs).
 */
export type ScheduleCommandOptions = Pick<
  FitOptions,
  | 'lrSchedule'
  | 'warmup'
  | 'lrStepEvery'
  | 'lrFactor'
  | 'minLr'
  | 'lrPatience'
  | 'earlyStop'
  | 'keepBest'
  | 'monitor'
  | 'validationFraction'
> & { curriculum?: number };

/** The schedule and selection flags that were given, as fit options (others stay unset). */
function scheduleOptions(o: ScheduleCommandOptions): FitOptions {
  const { lrSchedule, warmup, lrStepEvery, lrFactor, minLr, lrPatience, earlyStop, keepBest } = o;
  const all = { lrSchedule, warmup, lrStepEvery, lrFactor, minLr, lrPatience, earlyStop, keepBest };
  const given = { ...all, monitor: o.monitor };
  return Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
}

/** The validation fraction when epochs are selected (--early-stop, --keep-best, plateau) without one. */
export const DEFAULT_VALIDATION_FRACTION = 0.1;

/**
 * What a run trains and selects on. Selecting epochs on the test set would be dishonest, so when
 * epochs are selected (or --validation-fraction is given) a seeded, stratified split of the
 * training data is the validation set and the test set is only reported.
 */
export interface Plan {
  fit: FitOptions;
  train: Dataset;
  /** The validation split, or undefined: then fit's validation is the test set (reported only). */
  validation?: Dataset;
  fraction: number | null;
  /** `--curriculum`: the knob's value per epoch and each epoch's training set. */
  curriculum?: TaskCurriculum;
}

function plan(o: TrainCommandOptions, task: Task, base: FitOptions): Plan {
  const fitOpts = { ...base, ...scheduleOptions(o) };
  const selects = o.earlyStop !== undefined || o.keepBest === true || o.lrSchedule === 'plateau';
  const fraction = o.validationFraction ?? (selects ? DEFAULT_VALIDATION_FRACTION : null);
  if (o.curriculum !== undefined) {
    const curriculum = curriculumOf(o, task, fraction);
    const fit = { ...fitOpts, curriculum: curriculum.curriculum };
    return { fit, train: task.train, fraction, curriculum };
  }
  if (fraction === null) return { fit: fitOpts, train: task.train, fraction };
  resolveFitOptions({ ...fitOpts, validationFraction: fraction }, o.growth ?? 'random'); // the fraction, by its flag
  const split = splitValidation(task.train, fraction, o.seed);
  return { fit: fitOpts, train: split.train, validation: split.validation, fraction };
}

/** `--curriculum E` on a built-in task, when nothing selects epochs on a validation split. */
function curriculumOf(o: TrainCommandOptions, task: Task, fraction: number | null) {
  const flag = '--curriculum';
  if (o.data !== undefined)
    throw optionError(
      flag,
      o.curriculum,
      'applies to a built-in --task, not to --data',
      'leave it out',
    );
  if (fraction !== null)
    throw optionError(
      flag,
      o.curriculum,
      'cannot be combined with a validation split (--validation-fraction, --early-stop, --keep-best or --lr-schedule plateau): the training data changes every epoch',
      'drop one of them',
    );
  if (o.curriculum! > o.epochs)
    throw optionError(flag, o.curriculum, `must be at most --epochs (=${o.epochs})`, 'lower it');
  return taskCurriculum(task, o.curriculum!, flag);
}

/** The validation split in words (for the log and summary.json), or undefined without one. */
export function describeValidation(p: Plan): string | undefined {
  if (p.fraction === null || !p.validation) return undefined;
  return `${+(p.fraction * 100).toFixed(2)}% of the training data (${p.validation.shape[0]} sequences)`;
}

/**
 * Checks every option against the task, so that nothing is written for a run that cannot start,
 * and returns the plan: the training part, the validation split and the fit options (`base`
 * plus the schedule flags).
 */
export function validate(o: TrainCommandOptions, task: Task, base: FitOptions): Plan {
  const p = plan(o, task, base);
  const validation = p.validation ?? task.test;
  const resolved = resolveFitOptions(
    { ...p.fit, validation, checkpointEvery: o.checkpointEvery },
    o.growth ?? 'random',
  );
  const size = p.train.shape[0];
  const split = p.validation ? ', after the validation split' : '';
  if (o.batchSize > size)
    throw optionError(
      '--batch-size',
      o.batchSize,
      `must be at most the number of training sequences of ${task.name} (=${size}${split})`,
      'lower --batch-size',
    );
  checkWarmup(resolved, o.epochs * Math.ceil(size / o.batchSize));
  return p;
}
