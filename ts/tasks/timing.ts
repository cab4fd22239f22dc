/**
 * Ready-set-go interval reproduction (Jazayeri & Shadlen 2015, Curr. Biol., "A neural mechanism
 * for sensorimotor timing"): a "ready" and a "set" pulse are separated by the sample interval
 * ts; the subject responds ts after "set". An **MSE** task: the network produces a ramp that
 * starts at "set" and reaches 1 exactly at the response time, then holds it (crossing 1 is the
 * response), so its output over time shows the reproduced interval.
 *
 *   fixation   2 steps               nothing
 *   ready      1 step                ready pulse (input 0)
 *   measure    ts − 1 steps          nothing
 *   set        1 step (at 2 + ts)    set pulse (input 1)
 *   produce    ts steps              target ramps (t − t_set)/ts up to 1 at t_set + ts
 *   hold       to the end            target 1
 *
 * ts is drawn from `intervals` (steps, default [4, 5, 6, 7, 8]). Every trial has the same length
 * T = 2 + 2·max(intervals) + 3 (21 by default), so the hold period is at least 3 steps. Targets
 * are 0 up to and including the set step. Inputs (2): ready, set, each with Gaussian-like
 * noise of sd `noise` (default 0.05) at every step. Output (1): the ramp. The mask is 1 at every
 * step.
 */
import type { Dataset } from '../data.js';
import { randomStream, requireSeed } from './random.js';
import { checkOptions, num, numberList, trialsOf, TrialSet } from './trial.js';
import { optionError } from '../errors.js';

/** Options of {@link readySetGo}. */
export interface ReadySetGoOptions {
  /** Trials to generate (default 1000). */
  trials?: number;
  /** Sample intervals ts in steps, integers >= 1 (default [4, 5, 6, 7, 8]). */
  intervals?: number[];
  /** Standard deviation of the input noise (default 0.05). */
  noise?: number;
  /** Seed (default 0). */
  seed?: number;
}

const KEYS = ['trials', 'intervals', 'noise', 'seed'] as const;
const FIXATION = 2;
const HOLD = 3;

/** Ready-set-go with MSE targets (see the file header). */
export function readySetGo(options?: ReadySetGoOptions): Dataset {
  const o = checkOptions('readySetGo', options, KEYS);
  const trials = trialsOf(o.trials, 1000);
  const intervals = numberList('intervals', o.intervals, [4, 5, 6, 7, 8], 1, 1000);
  const bad = intervals.findIndex((v) => !Number.isInteger(v));
  if (bad >= 0)
    throw optionError(
      `intervals[${bad}]`,
      intervals[bad],
      'must be a whole number of steps',
      'use e.g. intervals: [4, 5, 6, 7, 8]',
    );
  const noise = num('noise', o.noise, 0.05, 0);
  const random = randomStream(requireSeed(o.seed));
  const steps = FIXATION + 2 * Math.max(...intervals) + HOLD;
  const set = new TrialSet(trials, steps, 2, { outputs: 1 });
  for (let b = 0; b < trials; b++) {
    const ts = random.pick(intervals);
    const ready = FIXATION;
    const setStep = ready + ts;
    set.condition(b, 'interval', ts);
    set.input(b, 0, ready, ready + 1, 1);
    set.input(b, 1, setStep, setStep + 1, 1);
    set.noise(b, [0, 1], 0, steps, noise, random.gauss);
    for (let t = 0; t < steps; t++) {
      const value = t <= setStep ? 0 : Math.min(1, (t - setStep) / ts);
      set.target(b, t, 0, value);
    }
  }
  return set.dataset();
}
