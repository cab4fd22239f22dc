/**
 * Respond or withhold, toward or away: two members of the task family of Yang, Joglekar, Song,
 * Newsome & Wang 2019 (Nat. Neurosci., "Task representations in neural networks trained to
 * perform many cognitive tasks"). Per-step labels (see trial.ts for the convention).
 *
 * **goNoGo** — a go or a no-go cue; respond after a delay only to go:
 *
 *   fixation   2 steps        fixation cue only
 *   stimulus   2 steps        go cue or no-go cue
 *   delay      `delay` (2)    fixation cue only
 *   response   3 steps        fixation cue off: respond (go) or keep fixating (no-go)
 *
 * Inputs (3): fixation cue, go cue, no-go cue. Outputs (2 classes): 0 fixate (also the right
 * answer on no-go), 1 respond. Default length 9 steps.
 *
 * **proAnti** — pro- and anti-saccades (Hallett 1978, Vision Res.; Yang et al.'s "Go" and
 * "Anti"): a stimulus appears at one of `directions` locations; the rule cue says whether to
 * respond toward it (pro) or to the opposite location (anti):
 *
 *   fixation   2 steps        fixation cue, rule cue
 *   stimulus   2 steps        stimulus location (one-hot), rule cue
 *   delay      `delay` (2)    fixation cue, rule cue
 *   response   3 steps        fixation cue off, rule cue on: report the location
 *
 * Inputs: fixation cue, pro cue, anti cue, then `directions` location channels (default 4, so
 * 7 inputs). Outputs: 1 + directions classes: 0 fixate, 1 + d for location d; the answer is d
 * (pro) or (d + directions/2) mod directions (anti). Default length 9 steps.
 *
 * In both, the cue and stimulus channels carry Gaussian-like noise (sd `noise`, default 0.1) at
 * every step.
 */
import type { Dataset } from '../data.js';
import { optionError } from '../errors.js';
import { randomStream, requireSeed } from './random.js';
import { checkOptions, int, layout, num, trialsOf, TrialSet } from './trial.js';

/** Options of {@link goNoGo}. */
export interface GoNoGoOptions {
  /** Trials to generate (default 1000). */
  trials?: number;
  /** Delay steps between cue and response (default 2). */
  delay?: number;
  /** Standard deviation of the noise on the cue channels (default 0.1). */
  noise?: number;
  /** Seed (default 0). */
  seed?: number;
}

/** Options of {@link proAnti}. */
export interface ProAntiOptions extends GoNoGoOptions {
  /** Stimulus locations, an even number >= 2 (default 4). */
  directions?: number;
}

function periods(delay: number) {
  return layout([
    ['fixation', 2],
    ['stimulus', 2],
    ['delay', delay],
    ['response', 3],
  ]);
}

/** Go / no-go with per-step labels (see the file header). */
export function goNoGo(options?: GoNoGoOptions): Dataset {
  const o = checkOptions('goNoGo', options, ['trials', 'delay', 'noise', 'seed']);
  const trials = trialsOf(o.trials, 1000);
  const delay = int('delay', o.delay, 2, 0);
  const noise = num('noise', o.noise, 0.1, 0);
  const random = randomStream(requireSeed(o.seed));
  const { at, steps } = periods(delay);
  const set = new TrialSet(trials, steps, 3, { classes: 2 });
  for (let b = 0; b < trials; b++) {
    const go = random.below(2) === 1;
    set.fixateThenRespond(b, at.response, go ? 1 : 0);
    set.condition(b, 'go', go ? 1 : 0);
    set.input(b, go ? 1 : 2, at.stimulus.start, at.stimulus.start + 2, 1);
    set.noise(b, [1, 2], 0, steps, noise, random.gauss);
  }
  return set.dataset();
}

/** Pro / anti response with per-step labels (see the file header). */
export function proAnti(options?: ProAntiOptions): Dataset {
  const o = checkOptions('proAnti', options, ['trials', 'directions', 'delay', 'noise', 'seed']);
  const trials = trialsOf(o.trials, 1000);
  const directions = int('directions', o.directions, 4, 2);
  if (directions % 2 !== 0)
    throw optionError('directions', directions, 'must be even', 'use e.g. directions: 4');
  const delay = int('delay', o.delay, 2, 0);
  const noise = num('noise', o.noise, 0.1, 0);
  const random = randomStream(requireSeed(o.seed));
  const { at, steps } = periods(delay);
  const set = new TrialSet(trials, steps, 3 + directions, { classes: 1 + directions });
  const channels = Array.from({ length: 2 + directions }, (_, i) => i + 1);
  for (let b = 0; b < trials; b++) {
    const location = random.below(directions);
    const anti = random.below(2) === 1;
    const answer = anti ? (location + directions / 2) % directions : location;
    set.fixateThenRespond(b, at.response, 1 + answer);
    set.condition(b, 'location', location);
    set.condition(b, 'anti', anti ? 1 : 0);
    set.condition(b, 'answer', answer);
    set.input(b, anti ? 2 : 1, 0, steps, 1);
    set.input(b, 3 + location, at.stimulus.start, at.stimulus.start + 2, 1);
    set.noise(b, channels, 0, steps, noise, random.gauss);
  }
  return set.dataset();
}
