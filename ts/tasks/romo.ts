/**
 * Parametric working memory (Romo, Brody, Hernández & Lemus 1999, Nature): two vibrotactile
 * frequencies f1 and f2 are presented, separated by a delay; the subject reports whether f1 was
 * higher than f2. The first frequency must be held as an analog value through the delay.
 *
 *   fixation   2 steps        fixation cue only
 *   f1         2 steps        frequency channel = code(f1)
 *   delay      `delay` (6)    fixation cue only
 *   f2         2 steps        frequency channel = code(f2)
 *   response   3 steps        fixation cue off: report f1 > f2 or f1 < f2
 *
 * f1 is drawn from `frequencies` (Hz, default Romo's 10, 14, …, 34), f2 = f1 ± `difference`
 * (default 8 Hz, as in most of Romo's pairs; a sign that would leave [min, max] of
 * `frequencies` is flipped). code(f) = (f − min)/(max − min), in [0, 1].
 * Inputs (2): fixation cue, frequency channel (Gaussian-like noise of sd `noise`, default 0.05,
 * at every step). Outputs (3 classes, per-step labels, see trial.ts): 0 fixate, 1 = f1 > f2,
 * 2 = f1 < f2. Default length 15 steps.
 */
import type { Dataset } from '../data.js';
import { optionError } from '../errors.js';
import { randomStream, requireSeed } from './random.js';
import { checkOptions, int, layout, num, numberList, trialsOf, TrialSet } from './trial.js';

/** Options of {@link parametricWorkingMemory}. */
export interface ParametricWorkingMemoryOptions {
  /** Trials to generate (default 1000). */
  trials?: number;
  /** Candidate f1 values in Hz (default [10, 14, 18, 22, 26, 30, 34]). */
  frequencies?: number[];
  /** |f1 − f2| in Hz (default 8). */
  difference?: number;
  /** Delay steps between f1 and f2 (default 6). */
  delay?: number;
  /** Standard deviation of the noise on the frequency channel (default 0.05). */
  noise?: number;
  /** Seed (default 0). */
  seed?: number;
}

const KEYS = ['trials', 'frequencies', 'difference', 'delay', 'noise', 'seed'] as const;

/** Romo's two-frequency comparison with per-step labels (see the file header). */
export function parametricWorkingMemory(options?: ParametricWorkingMemoryOptions): Dataset {
  const o = checkOptions('parametricWorkingMemory', options, KEYS);
  const trials = trialsOf(o.trials, 1000);
  const frequencies = numberList(
    'frequencies',
    o.frequencies,
    [10, 14, 18, 22, 26, 30, 34],
    0,
    1000,
  );
  const difference = num('difference', o.difference, 8, 0);
  const delay = int('delay', o.delay, 6, 0);
  const noise = num('noise', o.noise, 0.05, 0);
  const random = randomStream(requireSeed(o.seed));
  const lo = Math.min(...frequencies);
  const hi = Math.max(...frequencies);
  if (!(difference > 0 && difference <= (hi - lo) / 2))
    throw optionError(
      'difference',
      difference,
      `must be > 0 and at most half the range of frequencies (=${(hi - lo) / 2} Hz), so that f2 = f1 ± difference stays in range`,
      'use e.g. difference: 8 with frequencies from 10 to 34',
    );
  const { at, steps } = layout([
    ['fixation', 2],
    ['f1', 2],
    ['delay', delay],
    ['f2', 2],
    ['response', 3],
  ]);
  const code = (f: number) => (f - lo) / (hi - lo);
  const set = new TrialSet(trials, steps, 2, { classes: 3 });
  for (let b = 0; b < trials; b++) {
    const f1 = random.pick(frequencies);
    let sign = random.sign();
    const f2candidate = f1 + sign * difference;
    if (f2candidate < lo || f2candidate > hi) sign = -sign;
    const f2 = f1 + sign * difference;
    set.fixateThenRespond(b, at.response, f1 > f2 ? 1 : 2);
    set.condition(b, 'f1', f1);
    set.condition(b, 'f2', f2);
    set.input(b, 1, at.f1.start, at.f1.start + 2, code(f1));
    set.input(b, 1, at.f2.start, at.f2.start + 2, code(f2));
    set.noise(b, [1], 0, steps, noise, random.gauss);
  }
  return set.dataset();
}
