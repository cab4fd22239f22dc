/**
 * Delayed match-to-sample and delayed non-match-to-sample: working memory for an item.
 *
 * **delayedMatchToSample** (the classic monkey paradigm, e.g. Miller, Erickson & Desimone 1996,
 * J. Neurosci.), one label per trial. Each trial:
 *
 *   steps 0–1     a sample stimulus (one of `stimuli`, a one-hot input channel)
 *   next `delay`  nothing: the network must remember the sample
 *   next 2 steps  a test stimulus
 *   last step     a "respond" cue on the extra input channel
 *
 * Inputs: `stimuli` + 1 (default 9). Label 1 if the test matches the sample, else 0 (half the
 * trials match): 2 classes, one per sequence (read at the last step). Every input value carries
 * uniform noise in ±noise. Default length 2 + 8 + 2 + 1 = 13 steps. Nothing in the last step
 * tells the answer: it needs memory.
 *
 * **delayedNonMatchToSample** (Mishkin & Delacour 1975, J. Exp. Psychol. Anim. Behav. Process.;
 * the "DNMS" member of Yang, Joglekar, Song, Newsome & Wang 2019, Nat. Neurosci.), per-step
 * labels (see trial.ts for the convention). Each trial:
 *
 *   fixation   2 steps          fixation cue only
 *   sample     2 steps          one of `stimuli` (one-hot)
 *   delay      `delay` (8)      fixation cue only
 *   test       2 steps          a test stimulus (the sample in half of the trials)
 *   response   3 steps          fixation cue off: respond if the test differs, else withhold
 *
 * Inputs: fixation cue + `stimuli` channels (default 9). Outputs (2 classes): 0 fixate (also
 * the answer "withhold" on a match), 1 respond (a non-match). The stimulus channels carry
 * Gaussian-like noise (sd `noise`, default 0.1) at every step. Default length 17 steps.
 */
import type { Dataset } from '../data.js';
import { requireInt, requireNumber } from '../errors.js';
import { mulberry32, randomStream, requireSeed } from './random.js';
import { checkOptions, int, layout, num, trialsOf, TrialSet } from './trial.js';

export interface DmsOptions {
  /** Trials to generate. */
  trials: number;
  /** Distinct stimuli (default 8). */
  stimuli?: number;
  /** Silent steps between sample and test (default 8). */
  delay?: number;
  /** Uniform input noise amplitude (default 0.1). */
  noise?: number;
  /** Seed of this set of trials (default 0). */
  seed?: number;
}

const DMS_KEYS = ['trials', 'stimuli', 'delay', 'noise', 'seed'] as const;

/** Delayed match-to-sample, one label per trial (see the file header). */
export function delayedMatchToSample(options: DmsOptions): Dataset {
  const o = checkOptions('delayedMatchToSample', options, DMS_KEYS);
  const trials = requireInt('trials', o.trials, { min: 1, fix: 'use e.g. trials: 2000' });
  const stimuli = requireInt('stimuli', o.stimuli ?? 8, {
    min: 2,
    fix: 'use e.g. stimuli: 8',
  });
  const delay = requireInt('delay', o.delay ?? 8, { min: 0, fix: 'use e.g. delay: 8' });
  const noise = requireNumber('noise', o.noise ?? 0.1, {
    min: 0,
    fix: 'use e.g. noise: 0.1',
  });
  const seed = requireInt('seed', o.seed ?? 0, {
    min: 0,
    max: 2 ** 32 - 1,
    fix: 'use a 32-bit seed',
  });
  const random = mulberry32(seed);
  const below = (n: number) => Math.floor(random() * n);
  const inputs = stimuli + 1;
  const steps = 2 + delay + 2 + 1;
  const x = new Float32Array(trials * steps * inputs);
  const labels = new Int32Array(trials);
  const conditions = {
    sample: new Float64Array(trials),
    test: new Float64Array(trials),
    match: new Float64Array(trials),
  };
  for (let trial = 0; trial < trials; trial++) {
    const sample = below(stimuli);
    const match = below(2) === 1;
    const test = match ? sample : (sample + 1 + below(stimuli - 1)) % stimuli;
    labels[trial] = match ? 1 : 0;
    conditions.sample[trial] = sample;
    conditions.test[trial] = test;
    conditions.match[trial] = labels[trial];
    const at = (t: number, channel: number) => (trial * steps + t) * inputs + channel;
    for (let k = trial * steps * inputs; k < (trial + 1) * steps * inputs; k++)
      x[k] = (random() * 2 - 1) * noise;
    for (const t of [0, 1]) x[at(t, sample)] += 1;
    for (const t of [2 + delay, 3 + delay]) x[at(t, test)] += 1;
    x[at(steps - 1, stimuli)] += 1;
  }
  return { x, shape: [trials, steps, inputs], labels, conditions };
}

/** Options of {@link delayedNonMatchToSample}. */
export interface DnmsOptions {
  /** Trials to generate (default 1000). */
  trials?: number;
  /** Distinct stimuli (default 8). */
  stimuli?: number;
  /** Delay steps between sample and test (default 8). */
  delay?: number;
  /** Standard deviation of the input noise (default 0.1). */
  noise?: number;
  /** Seed (default 0). */
  seed?: number;
}

const DNMS_KEYS = ['trials', 'stimuli', 'delay', 'noise', 'seed'] as const;

/** Delayed non-match-to-sample with per-step labels (see the file header). */
export function delayedNonMatchToSample(options?: DnmsOptions): Dataset {
  const o = checkOptions('delayedNonMatchToSample', options, DNMS_KEYS);
  const trials = trialsOf(o.trials, 1000);
  const stimuli = int('stimuli', o.stimuli, 8, 2);
  const delay = int('delay', o.delay, 8, 0);
  const noise = num('noise', o.noise, 0.1, 0);
  const random = randomStream(requireSeed(o.seed));
  const { at, steps } = layout([
    ['fixation', 2],
    ['sample', 2],
    ['delay', delay],
    ['test', 2],
    ['response', 3],
  ]);
  const set = new TrialSet(trials, steps, stimuli + 1, { classes: 2 });
  const channels = Array.from({ length: stimuli }, (_, i) => i + 1);
  for (let b = 0; b < trials; b++) {
    const sample = random.below(stimuli);
    const match = random.below(2) === 1;
    const test = match ? sample : (sample + 1 + random.below(stimuli - 1)) % stimuli;
    set.fixateThenRespond(b, at.response, match ? 0 : 1);
    set.condition(b, 'sample', sample);
    set.condition(b, 'test', test);
    set.condition(b, 'match', match ? 1 : 0);
    set.input(b, 1 + sample, at.sample.start, at.sample.start + 2, 1);
    set.input(b, 1 + test, at.test.start, at.test.start + 2, 1);
    set.noise(b, channels, 0, steps, noise, random.gauss);
  }
  return set.dataset();
}
