/**
 * Delayed match-to-sample, a working-memory task generated on the fly (seeded, integer random
 * numbers only, so it is identical everywhere). Each trial:
 *
 *   steps 0–1     a sample stimulus (one of `stimuli`, a one-hot input channel)
 *   next `delay`  nothing: the network must remember the sample
 *   next 2 steps  a test stimulus
 *   last step     a "respond" cue on the extra input channel
 *
 * Label 1 if the test matches the sample, else 0 (half the trials match). Every input value
 * carries uniform noise in ±noise. Nothing in the last step tells the answer: it needs memory.
 */
import type { Dataset } from '../data.js';
import { requireInt, requireNumber } from '../errors.js';

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

/** A small, fast 32-bit generator (mulberry32): integer operations only. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function delayedMatchToSample(options: DmsOptions): Dataset {
  const trials = requireInt('trials', options.trials, { min: 1, fix: 'use e.g. trials: 2000' });
  const stimuli = requireInt('stimuli', options.stimuli ?? 8, {
    min: 2,
    fix: 'use e.g. stimuli: 8',
  });
  const delay = requireInt('delay', options.delay ?? 8, { min: 0, fix: 'use e.g. delay: 8' });
  const noise = requireNumber('noise', options.noise ?? 0.1, {
    min: 0,
    fix: 'use e.g. noise: 0.1',
  });
  const seed = requireInt('seed', options.seed ?? 0, {
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
  for (let trial = 0; trial < trials; trial++) {
    const sample = below(stimuli);
    const match = below(2) === 1;
    const test = match ? sample : (sample + 1 + below(stimuli - 1)) % stimuli;
    labels[trial] = match ? 1 : 0;
    const at = (t: number, channel: number) => (trial * steps + t) * inputs + channel;
    for (let k = trial * steps * inputs; k < (trial + 1) * steps * inputs; k++)
      x[k] = (random() * 2 - 1) * noise;
    for (const t of [0, 1]) x[at(t, sample)] += 1;
    for (const t of [2 + delay, 3 + delay]) x[at(t, test)] += 1;
    x[at(steps - 1, stimuli)] += 1;
  }
  return { x, shape: [trials, steps, inputs], labels };
}
