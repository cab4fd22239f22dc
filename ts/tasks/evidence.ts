/**
 * Evidence integration: perceptual decision making and context-dependent integration.
 *
 * **perceptualDecision** — random-dots motion discrimination (Britten, Shadlen, Newsome &
 * Movshon 1992, J. Neurosci.; the NeuroGym task "PerceptualDecisionMaking"). Each trial:
 *
 *   fixation   2 steps           fixation cue only
 *   stimulus   `stimulus` (10)   two evidence channels, one per direction
 *   delay      `delay` (0)       fixation cue only
 *   response   3 steps           fixation cue off: report the direction
 *
 * Inputs (3): fixation cue, evidence for choice 1, evidence for choice 2. During the stimulus,
 * channel 1 carries 0.5·(1 + s·c/100) and channel 2 carries 0.5·(1 − s·c/100), each plus
 * `noise`·n with n Gaussian-like (sd 1, a sum of uniforms), where s = ±1 is the direction and c
 * the coherence in percent. Outputs (3 classes, per-step labels): 0 fixate, 1 = s was +1, 2 = s
 * was −1 (see trial.ts for the convention and mask weights). Trial b has coherence
 * `coherences[b % coherences.length]`, so any set, the test set in particular, holds every
 * coherence equally often and the accuracy per coherence (a psychometric curve) is read off by
 * grouping the trials by b modulo the number of levels. At coherence 0 the label is a coin flip.
 *
 * **contextDependent** — context-dependent integration (Mante, Sussillo, Shenoy & Newsome 2013,
 * Nature): two noisy evidence streams, motion and colour, shown together; a context cue says
 * which one to report. Each trial:
 *
 *   fixation   2 steps           fixation cue and context cue
 *   stimulus   `stimulus` (10)   both streams, context cue still on
 *   delay      `delay` (0)       fixation and context cues
 *   response   3 steps           fixation and context cues off: report the sign of the cued stream
 *
 * Inputs (5): fixation cue, motion evidence, colour evidence (signed: stream k carries s_k·c_k
 * plus `noise`·n, s_k = ±1, c_k drawn from `coherences`, here fractions), motion-context cue,
 * colour-context cue. Outputs (3 classes): 0 fixate, 1 = the cued stream was positive, 2 =
 * negative. Motion, colour and context are drawn independently, so in half of the trials the
 * two streams disagree and only the context tells the answer.
 */
import type { Dataset } from '../data.js';
import { randomStream, requireSeed } from './random.js';
import { checkOptions, cycle, int, layout, num, numberList, trialsOf, TrialSet } from './trial.js';

/** Options of {@link perceptualDecision}. */
export interface PerceptualDecisionOptions {
  /** Trials to generate (default 1000). */
  trials?: number;
  /** Coherence levels in percent, 0..100 (default [0, 6.4, 12.8, 25.6, 51.2]). */
  coherences?: number[];
  /** Stimulus steps (default 10). */
  stimulus?: number;
  /** Delay steps between stimulus and response (default 0). */
  delay?: number;
  /** Standard deviation of the evidence noise per step (default 0.5). */
  noise?: number;
  /** Seed (default 0). */
  seed?: number;
}

const FIXATION = 2;
const RESPONSE = 3;
const KEYS = ['trials', 'coherences', 'stimulus', 'delay', 'noise', 'seed'] as const;

/**
 * What both evidence tasks share: their options (checked in this order, so errors and random
 * draws stay as they were), the fixation / stimulus / delay / response layout and the trial set.
 */
function evidenceTrials(
  name: string,
  options: PerceptualDecisionOptions | ContextDependentOptions | undefined,
  levels: { coherences: number[]; max: number },
  inputs: number,
) {
  const o = checkOptions(name, options, KEYS);
  const trials = trialsOf(o.trials, 1000);
  const coherences = numberList('coherences', o.coherences, levels.coherences, 0, levels.max);
  const stimulus = int('stimulus', o.stimulus, 10, 1);
  const delay = int('delay', o.delay, 0, 0);
  const noise = num('noise', o.noise, 0.5, 0);
  const random = randomStream(requireSeed(o.seed));
  const { at, steps } = layout([
    ['fixation', FIXATION],
    ['stimulus', stimulus],
    ['delay', delay],
    ['response', RESPONSE],
  ]);
  return {
    trials,
    coherences,
    noise,
    random,
    at,
    set: new TrialSet(trials, steps, inputs, { classes: 3 }),
  };
}

/** Random-dots perceptual decision with per-step labels (see the file header). */
export function perceptualDecision(options?: PerceptualDecisionOptions): Dataset {
  const { trials, coherences, noise, random, at, set } = evidenceTrials(
    'perceptualDecision',
    options,
    { coherences: [0, 6.4, 12.8, 25.6, 51.2], max: 100 },
    3,
  );
  const { start, steps: length } = at.stimulus;
  for (let b = 0; b < trials; b++) {
    const c = cycle(coherences, b) / 100;
    const s = random.sign();
    set.fixateThenRespond(b, at.response, s > 0 ? 1 : 2);
    set.condition(b, 'direction', s);
    set.condition(b, 'coherence', c * 100);
    set.condition(b, 'evidence', s * c * 100);
    set.input(b, 1, start, start + length, 0.5 * (1 + s * c));
    set.input(b, 2, start, start + length, 0.5 * (1 - s * c));
    set.noise(b, [1, 2], start, start + length, noise, random.gauss);
  }
  return set.dataset();
}

/** Options of {@link contextDependent}. */
export interface ContextDependentOptions {
  /** Trials to generate (default 1000). */
  trials?: number;
  /** Evidence strengths, fractions in 0..1 (default [0.1, 0.2, 0.4]). */
  coherences?: number[];
  /** Stimulus steps (default 10). */
  stimulus?: number;
  /** Delay steps between stimulus and response (default 0). */
  delay?: number;
  /** Standard deviation of the evidence noise per step (default 0.5). */
  noise?: number;
  /** Seed (default 0). */
  seed?: number;
}

/** Context-dependent integration (Mante et al. 2013) with per-step labels (see the file header). */
export function contextDependent(options?: ContextDependentOptions): Dataset {
  const { trials, coherences, noise, random, at, set } = evidenceTrials(
    'contextDependent',
    options,
    { coherences: [0.1, 0.2, 0.4], max: 1 },
    5,
  );
  const { start, steps: length } = at.stimulus;
  for (let b = 0; b < trials; b++) {
    const signs = [random.sign(), random.sign()]; // motion, colour
    const motion = signs[0] * random.pick(coherences);
    const colour = signs[1] * random.pick(coherences);
    const context = random.below(2); // 0: report motion, 1: report colour
    set.fixateThenRespond(b, at.response, signs[context] > 0 ? 1 : 2);
    set.condition(b, 'context', context);
    set.condition(b, 'motion', motion);
    set.condition(b, 'colour', colour);
    set.input(b, 3 + context, 0, at.response.start, 1);
    set.input(b, 1, start, start + length, motion);
    set.input(b, 2, start, start + length, colour);
    set.noise(b, [1, 2], start, start + length, noise, random.gauss);
  }
  return set.dataset();
}
