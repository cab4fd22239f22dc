/**
 * What every built-in task is: the data behind `sqrtk tasks`, `--task-option`, the README's
 * table and curricula. The generators' files document each trial in full.
 */

/** A task option's value: a number, or a list of numbers (e.g. coherence levels). */
export type OptionValue = number | number[];

/** One built-in task, as `sqrtk tasks` lists it. */
export interface TaskInfo {
  /** The name for `--task` and `loadTask`. */
  name: string;
  /** The generator in the API's `tasks` object (`tasks[generator](options)`); '' for the digits tasks. */
  generator: string;
  /** One line: what the task is and what it tests. */
  description: string;
  /** The trial's periods with their default step counts. */
  periods: string;
  inputs: string;
  outputs: string;
  loss: 'cross_entropy' | 'mse';
  /** 'sequence': one label per trial; 'step': a label per step with a mask; 'targets': MSE. */
  labels: 'sequence' | 'step' | 'targets';
  /** Authors, year, journal. */
  reference: string;
  /**
   * The options `loadTask` and `--task-option key=value` accept, with their defaults:
   * `trials` and `testTrials` size the train and test sets; `seed` picks both sets' streams.
   */
  options: Record<string, OptionValue>;
  /** Number of outputs (classes, or output channels for MSE) for resolved options. */
  outputCount: (options: Record<string, OptionValue>) => number;
  /** The option a curriculum turns from easy to hard, or null. */
  difficulty: { option: string; easy: number; hard: number } | null;
}

const sets = { trials: 1000, testTrials: 500 };
const YANG = 'Yang, Joglekar, Song, Newsome & Wang 2019, Nat. Neurosci.';

/** The registry, in listing order. */
export const REGISTRY: readonly TaskInfo[] = [
  {
    name: 'digits',
    generator: '',
    description: 'UCI handwritten digits read row by row: sequence classification, 10 classes',
    periods: '8 steps, one image row each',
    inputs: '8 pixels in [0, 1]',
    outputs: '10 classes (one label per sequence)',
    loss: 'cross_entropy',
    labels: 'sequence',
    reference: 'Alpaydin & Kaynak 1998, UCI Machine Learning Repository (CC BY 4.0)',
    options: {},
    outputCount: () => 10,
    difficulty: null,
  },
  {
    name: 'digits-pixels',
    generator: '',
    description:
      'UCI handwritten digits read pixel by pixel: long-sequence classification, 10 classes',
    periods: '64 steps, one pixel each (row-major)',
    inputs: '1 pixel in [0, 1]',
    outputs: '10 classes (one label per sequence)',
    loss: 'cross_entropy',
    labels: 'sequence',
    reference:
      'Alpaydin & Kaynak 1998, UCI (CC BY 4.0); pixel order as in Le, Jaitly & Hinton 2015',
    options: {},
    outputCount: () => 10,
    difficulty: null,
  },
  {
    name: 'dms',
    generator: 'delayedMatchToSample',
    description: 'delayed match-to-sample: remember a sample across a delay, say match / non-match',
    periods: 'sample 2, delay 20, test 2, respond cue 1',
    inputs: 'stimuli (8) one-hot + respond cue',
    outputs: '2 classes: non-match, match (one label per trial)',
    loss: 'cross_entropy',
    labels: 'sequence',
    reference: 'Miller, Erickson & Desimone 1996, J. Neurosci.',
    options: { trials: 2000, testTrials: 2000, stimuli: 8, delay: 20, noise: 0.3, seed: 0 },
    outputCount: () => 2,
    difficulty: { option: 'delay', easy: 2, hard: 20 },
  },
  {
    name: 'dnms',
    generator: 'delayedNonMatchToSample',
    description: 'delayed non-match-to-sample: respond only if the test differs from the sample',
    periods: 'fixation 2, sample 2, delay 8, test 2, response 3',
    inputs: 'fixation + stimuli (8) one-hot',
    outputs: '2 classes: fixate / withhold, respond',
    loss: 'cross_entropy',
    labels: 'step',
    reference: `Mishkin & Delacour 1975, J. Exp. Psychol. Anim. Behav. Process.; ${YANG}`,
    options: { ...sets, stimuli: 8, delay: 8, noise: 0.1, seed: 0 },
    outputCount: () => 2,
    difficulty: { option: 'delay', easy: 2, hard: 20 },
  },
  {
    name: 'perceptual-decision',
    generator: 'perceptualDecision',
    description: 'random-dots decision: integrate noisy evidence, pick one of two directions',
    periods: 'fixation 2, stimulus 10, delay 0, response 3',
    inputs: 'fixation + 2 evidence channels',
    outputs: '3 classes: fixate, choice 1, choice 2',
    loss: 'cross_entropy',
    labels: 'step',
    reference: 'Britten, Shadlen, Newsome & Movshon 1992, J. Neurosci.',
    options: {
      ...sets,
      coherences: [0, 6.4, 12.8, 25.6, 51.2],
      stimulus: 10,
      delay: 0,
      noise: 0.5,
      seed: 0,
    },
    outputCount: () => 3,
    difficulty: { option: 'noise', easy: 0.2, hard: 1 },
  },
  {
    name: 'context-dependent',
    generator: 'contextDependent',
    description: 'context-dependent integration: report the motion or the colour evidence, as cued',
    periods: 'fixation 2, stimulus 10, delay 0, response 3 (context cue until response)',
    inputs: 'fixation, motion, colour, 2 context cues',
    outputs: '3 classes: fixate, positive, negative',
    loss: 'cross_entropy',
    labels: 'step',
    reference: 'Mante, Sussillo, Shenoy & Newsome 2013, Nature',
    options: { ...sets, coherences: [0.1, 0.2, 0.4], stimulus: 10, delay: 0, noise: 0.5, seed: 0 },
    outputCount: () => 3,
    difficulty: { option: 'noise', easy: 0.2, hard: 1 },
  },
  {
    name: 'parametric-wm',
    generator: 'parametricWorkingMemory',
    description: 'parametric working memory: hold frequency f1 across a delay, compare it with f2',
    periods: 'fixation 2, f1 2, delay 6, f2 2, response 3',
    inputs: 'fixation + frequency channel',
    outputs: '3 classes: fixate, f1 > f2, f1 < f2',
    loss: 'cross_entropy',
    labels: 'step',
    reference: 'Romo, Brody, Hernández & Lemus 1999, Nature',
    options: {
      ...sets,
      frequencies: [10, 14, 18, 22, 26, 30, 34],
      difference: 8,
      delay: 6,
      noise: 0.05,
      seed: 0,
    },
    outputCount: () => 3,
    difficulty: { option: 'delay', easy: 2, hard: 20 },
  },
  {
    name: 'go-no-go',
    generator: 'goNoGo',
    description: 'go / no-go: after a delay, respond to the go cue and withhold on the no-go cue',
    periods: 'fixation 2, stimulus 2, delay 2, response 3',
    inputs: 'fixation, go cue, no-go cue',
    outputs: '2 classes: fixate / withhold, respond',
    loss: 'cross_entropy',
    labels: 'step',
    reference: YANG,
    options: { ...sets, delay: 2, noise: 0.1, seed: 0 },
    outputCount: () => 2,
    difficulty: { option: 'delay', easy: 0, hard: 10 },
  },
  {
    name: 'pro-anti',
    generator: 'proAnti',
    description: 'pro / anti response: respond toward the stimulus (pro) or away from it (anti)',
    periods: 'fixation 2, stimulus 2, delay 2, response 3 (rule cue throughout)',
    inputs: 'fixation, pro cue, anti cue, 4 locations',
    outputs: '5 classes: fixate, 4 locations',
    loss: 'cross_entropy',
    labels: 'step',
    reference: `Hallett 1978, Vision Res.; ${YANG}`,
    options: { ...sets, directions: 4, delay: 2, noise: 0.1, seed: 0 },
    outputCount: (o) => 1 + (o.directions as number),
    difficulty: { option: 'delay', easy: 0, hard: 10 },
  },
  {
    name: 'ready-set-go',
    generator: 'readySetGo',
    description: 'ready-set-go interval timing: reproduce the ready-set interval after set (MSE)',
    periods: 'fixation 2, ready 1, interval ts (4–8), set 1, produce ts, hold (T = 21)',
    inputs: 'ready pulse, set pulse',
    outputs: '1 value: a ramp from set to 1 at set + ts',
    loss: 'mse',
    labels: 'targets',
    reference: 'Jazayeri & Shadlen 2015, Curr. Biol.',
    options: { ...sets, intervals: [4, 5, 6, 7, 8], noise: 0.05, seed: 0 },
    outputCount: () => 1,
    difficulty: null,
  },
  {
    name: 'flip-flop',
    generator: 'flipFlop',
    description: '3-bit flip-flop: each output holds the sign of the last pulse on its input (MSE)',
    periods: 'no periods: 20 steps of sparse ±1 pulses',
    inputs: '3 pulse channels',
    outputs: '3 values: the held signs',
    loss: 'mse',
    labels: 'targets',
    reference: 'Sussillo & Barak 2013, Neural Comput.',
    options: { ...sets, steps: 20, bits: 3, probability: 0.15, noise: 0, seed: 0 },
    outputCount: (o) => o.bits as number,
    difficulty: { option: 'steps', easy: 10, hard: 40 },
  },
];
