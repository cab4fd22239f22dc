/**
 * The 3-bit flip-flop (Sussillo & Barak 2013, Neural Comput., "Opening the black box:
 * low-dimensional dynamics in high-dimensional recurrent neural networks"): `bits` input
 * channels receive sparse pulses of +1 or −1; output k must hold the sign of the last pulse on
 * channel k until the next one. An **MSE** task whose solution is 2^bits fixed points.
 *
 * There are no periods: at every step of `steps` (default 20), each channel independently
 * gets a pulse with probability `probability` (default 0.15), of random sign. Inputs (`bits`,
 * default 3): the pulses, plus Gaussian-like noise of sd `noise` (default 0) at every step.
 * Outputs (`bits`): the sign of the latest pulse on that channel, from the pulse's own step on;
 * 0 before a channel's first pulse. The mask is 1 at every step.
 */
import type { Dataset } from '../data.js';
import { randomStream, requireSeed } from './random.js';
import { checkOptions, int, num, trialsOf, TrialSet } from './trial.js';

/** Options of {@link flipFlop}. */
export interface FlipFlopOptions {
  /** Trials to generate (default 1000). */
  trials?: number;
  /** Steps per trial (default 20). */
  steps?: number;
  /** Channels (bits) (default 3). */
  bits?: number;
  /** Probability of a pulse per channel per step (default 0.15). */
  probability?: number;
  /** Standard deviation of the input noise (default 0). */
  noise?: number;
  /** Seed (default 0). */
  seed?: number;
}

const KEYS = ['trials', 'steps', 'bits', 'probability', 'noise', 'seed'] as const;

/** The n-bit flip-flop with MSE targets (see the file header). */
export function flipFlop(options?: FlipFlopOptions): Dataset {
  const o = checkOptions('flipFlop', options, KEYS);
  const trials = trialsOf(o.trials, 1000);
  const steps = int('steps', o.steps, 20, 1);
  const bits = int('bits', o.bits, 3, 1, 32);
  const probability = num('probability', o.probability, 0.15, 0, 1);
  const noise = num('noise', o.noise, 0, 0);
  const random = randomStream(requireSeed(o.seed));
  const set = new TrialSet(trials, steps, bits, { outputs: bits });
  const channels = Array.from({ length: bits }, (_, i) => i);
  const state = new Float64Array(bits);
  for (let b = 0; b < trials; b++) {
    state.fill(0);
    for (let t = 0; t < steps; t++) {
      for (let k = 0; k < bits; k++) {
        if (random.uniform() < probability) {
          state[k] = random.sign();
          set.input(b, k, t, t + 1, state[k]);
        }
        set.target(b, t, k, state[k]);
      }
    }
    set.noise(b, channels, 0, steps, noise, random.gauss);
    for (let k = 0; k < bits; k++) set.condition(b, `bit${k}`, state[k]);
  }
  return set.dataset();
}
