/**
 * Network options: declared once here, filled with defaults and validated at the boundary.
 * The resolved object is exactly what the Rust core receives (as JSON) and what config.json holds.
 */
import {
  optionError,
  rejectUnknownKeys,
  requireInt,
  requireNumber,
  requireOneOf,
} from './errors.js';

export const CONNECTIVITIES = ['erdos_renyi', 'fixed_indegree'] as const;
export const DYNAMICS = ['discrete', 'rate'] as const;
export const ACTIVATIONS = ['tanh', 'relu'] as const;
export const GROWTH_STRATEGIES = ['random', 'gradient', 'sampled', 'deep_r'] as const;
export const MODES = ['add', 'hidden'] as const;
export const LOSSES = ['cross_entropy', 'mse'] as const;
export const SCALINGS = ['standard', 'balanced'] as const;

/**
 * Mean in-degrees per block: `kAB` inputs that a neuron of population A receives from population
 * B on average (E = excitatory, I = inhibitory). Give all four, or `kE` and `kI` for both targets.
 * Each population's blocks must add up to k.
 */
export interface BlockOptions {
  kEE?: number;
  kEI?: number;
  kIE?: number;
  kII?: number;
  kE?: number;
  kI?: number;
}

/** Resolved block in-degrees. */
export interface Blocks {
  kEE: number;
  kEI: number;
  kIE: number;
  kII: number;
}

/**
 * Balanced-network couplings: a synapse B → A weighs J_AB / √k_AB and population A gets an
 * external drive √k_AE · J_A0. Defaults: van Vreeswijk & Sompolinsky 1998 (J_EE = J_IE = 1,
 * J_EI = −2, J_II = −1.8, J_E0 = 1 · m0 and J_I0 = 0.8 · m0 with m0 = 0.1).
 */
export interface Couplings {
  EE: number;
  EI: number;
  IE: number;
  II: number;
  E0: number;
  I0: number;
}

export const DEFAULT_COUPLINGS: Couplings = { EE: 1, EI: -2, IE: 1, II: -1.8, E0: 0.1, I0: 0.08 };
export const INITIAL_STATES = ['zero', 'random', 'learned'] as const;

export interface NetworkOptions {
  /** Input features per time step (D). */
  inputs: number;
  /** Recurrent units (N). */
  neurons: number;
  /** Outputs: classes for cross-entropy, target dimensions for MSE. */
  outputs: number;
  /** Mean backbone in-degree (K); each synapse exists with probability k / neurons. */
  k: number;
  /** Learned synapses per neuron (M). Default round(√k). */
  learned?: number;
  /** Backbone graph: 'erdos_renyi' (default) or 'fixed_indegree' (exactly k inputs each). */
  connectivity?: (typeof CONNECTIVITIES)[number];
  /** 'discrete' (default): h_t = φ(W h_{t−1} + W_in x_t + b). 'rate': Euler step with dt / tau. */
  dynamics?: (typeof DYNAMICS)[number];
  /** Time constant for 'rate' dynamics (default 10). */
  tau?: number;
  /** Euler step for 'rate' dynamics (default 1, at most tau). */
  dt?: number;
  /** Nonlinearity φ: 'tanh' (default) or 'relu'. */
  activation?: (typeof ACTIVATIONS)[number];
  /** Initial backbone weights are gain · N(0, 1) / √k (default 1, the edge of chaos). */
  gain?: number;
  /** Whether backbone weights learn too (default true); learned synapses always learn. */
  trainBackbone?: boolean;
  /**
   * How learned partners are chosen: 'random' (drawn once, never changed: the baseline),
   * 'gradient' (RigL-style: drop the weakest, grow the absent synapses with the largest gradient),
   * 'sampled' (the gradient score on `candidates` random absent partners per slot), or
   * 'deep_r' (DEEP R: fixed signs, a synapse dies at zero and regrows at random).
   */
  growth?: (typeof GROWTH_STRATEGIES)[number];
  /**
   * 'add' (default): in-degree = backbone + learned. 'hidden': each learned synapse replaces a
   * pruned backbone synapse, so every in-degree keeps its Binomial(neurons − 1, k/neurons) value.
   */
  mode?: (typeof MODES)[number];
  /** 'sampled' growth: random candidates scored per slot to fill (default 10). */
  candidates?: number;
  /** 'deep_r' growth: L1 shrinkage of learned weights per step, in units of lr (default 0). */
  deepRL1?: number;
  /** 'deep_r' growth: temperature of the exploration noise (default 0 = none). */
  deepRTemperature?: number;
  /** 'cross_entropy' (a label per sequence, default) or 'mse' (targets per step). */
  loss?: (typeof LOSSES)[number];
  /** Cross-entropy reads the class from the mean output of the last readoutSteps steps (default 1). */
  readoutSteps?: number;
  /** Seeds every random stream: connectivity, initial weights, data order, growth (default 0). */
  seed?: number;
  /**
   * Fraction of excitatory neurons, e.g. 0.8: neurons 0 … round(f·N) − 1 are excitatory, the
   * rest inhibitory. Default: no populations.
   */
  excitatory?: number | null;
  /**
   * Dale's law (needs `excitatory`): every synapse of an excitatory neuron stays ≥ 0 and of an
   * inhibitory one ≤ 0, backbone and learned, at all times (default false).
   */
  dale?: boolean;
  /** Per-block mean in-degrees (needs `excitatory`; default: k split by population size). */
  blocks?: BlockOptions | null;
  /**
   * 'standard' (default) or 'balanced' (needs `excitatory`): weights J_AB/√k_AB and a drive
   * √k_AE·J_A0 per population (van Vreeswijk & Sompolinsky 1998). Without `blocks`, balanced
   * scaling gives each neuron k/2 inputs from each population, as in that paper.
   */
  scaling?: (typeof SCALINGS)[number];
  /** Balanced couplings, any of them (defaults: `DEFAULT_COUPLINGS`). */
  couplings?: Partial<Couplings>;
  /** `add` mode: at most this many learned synapses leave any one neuron (default 0: no cap). */
  maxLearnedOut?: number;
  /**
   * 'rate' dynamics: σ of the private Gaussian noise σ·√(2·dt/tau)·ξ added to every neuron's
   * state at every step of training (default 0 = none). Evaluation is noiseless unless asked.
   */
  noise?: number;
  /**
   * x_0: 'zero' (default); 'random': N(0, 1) per neuron and sequence in training (0 in
   * evaluation unless noise is asked); 'learned': a trained vector, starting at 0.
   */
  initialState?: (typeof INITIAL_STATES)[number];
}

export type ResolvedNetworkOptions = Required<
  Omit<NetworkOptions, 'excitatory' | 'blocks' | 'couplings'>
> & {
  excitatory: number | null;
  blocks: Blocks | null;
  couplings: Couplings;
};

const NETWORK_KEYS = [
  'inputs',
  'neurons',
  'outputs',
  'k',
  'learned',
  'connectivity',
  'dynamics',
  'tau',
  'dt',
  'activation',
  'gain',
  'trainBackbone',
  'growth',
  'mode',
  'candidates',
  'deepRL1',
  'deepRTemperature',
  'loss',
  'readoutSteps',
  'seed',
  'excitatory',
  'dale',
  'blocks',
  'scaling',
  'couplings',
  'maxLearnedOut',
  'noise',
  'initialState',
] as const;

/** Fills in defaults and checks every rule; throws a SqrtkError naming the option otherwise. */
export function resolveNetworkOptions(options: NetworkOptions): ResolvedNetworkOptions {
  rejectUnknownKeys('network options', options, NETWORK_KEYS);
  const o = options;
  const inputs = requireInt('inputs', o.inputs, {
    min: 1,
    fix: 'set inputs to the features per step',
  });
  const neurons = requireInt('neurons', o.neurons, {
    min: 2,
    max: 2 ** 31 - 1,
    fix: 'use e.g. neurons: 1000',
  });
  const loss = requireOneOf('loss', o.loss ?? 'cross_entropy', LOSSES);
  const minOutputs = loss === 'cross_entropy' ? 2 : 1;
  const outputs = requireInt('outputs', o.outputs, {
    min: minOutputs,
    fix: 'set outputs to the number of classes (or target dimensions)',
  });
  const k = requireInt('k', o.k, { min: 1, fix: 'use e.g. k: 100' });
  if (k >= neurons)
    throw optionError(
      'k',
      k,
      `must be less than neurons (=${neurons})`,
      'lower k or raise neurons',
    );
  const learned = requireInt('learned', o.learned ?? Math.round(Math.sqrt(k)), {
    min: 0,
    fix: 'use e.g. learned: round(√k)',
  });
  const free = neurons - 1 - k;
  if (learned > free) {
    throw optionError(
      'learned',
      learned,
      `must be at most neurons − 1 − k (=${free}) so every neuron has free partners`,
      'lower learned or k',
    );
  }
  const mode = requireOneOf('mode', o.mode ?? 'add', MODES);
  if (mode === 'hidden' && learned > k) {
    throw optionError(
      'learned',
      learned,
      `must be at most k (=${k}) in hidden mode, where learned synapses replace backbone ones`,
      "lower learned or use mode: 'add'",
    );
  }
  const dynamics = requireOneOf('dynamics', o.dynamics ?? 'discrete', DYNAMICS);
  const tau = requireNumber('tau', o.tau ?? 10, { exclusiveMin: 0, fix: 'use e.g. tau: 10' });
  const dt = requireNumber('dt', o.dt ?? 1, {
    exclusiveMin: 0,
    max: tau,
    fix: 'use a dt no larger than tau, e.g. dt: 1',
  });
  const noise = requireNumber('noise', o.noise ?? 0, { min: 0, fix: 'use e.g. noise: 0.05' });
  if (noise > 0 && dynamics !== 'rate') {
    throw optionError(
      'noise',
      noise,
      "needs dynamics 'rate' (private noise is a rate-model term)",
      "set dynamics: 'rate' or noise: 0",
    );
  }
  const trainBackbone = o.trainBackbone ?? true;
  if (typeof trainBackbone !== 'boolean')
    throw optionError('trainBackbone', trainBackbone, 'must be true or false', 'pass a boolean');
  return {
    inputs,
    neurons,
    outputs,
    k,
    learned,
    connectivity: requireOneOf('connectivity', o.connectivity ?? 'erdos_renyi', CONNECTIVITIES),
    dynamics,
    tau,
    dt,
    activation: requireOneOf('activation', o.activation ?? 'tanh', ACTIVATIONS),
    gain: requireNumber('gain', o.gain ?? 1, { min: 0, fix: 'use e.g. gain: 1' }),
    trainBackbone,
    growth: requireOneOf('growth', o.growth ?? 'random', GROWTH_STRATEGIES),
    mode,
    candidates: requireInt('candidates', o.candidates ?? 10, {
      min: 1,
      fix: 'use e.g. candidates: 10',
    }),
    deepRL1: requireNumber('deepRL1', o.deepRL1 ?? 0, { min: 0, fix: 'use e.g. deepRL1: 0' }),
    deepRTemperature: requireNumber('deepRTemperature', o.deepRTemperature ?? 0, {
      min: 0,
      fix: 'use e.g. deepRTemperature: 0',
    }),
    loss,
    readoutSteps: requireInt('readoutSteps', o.readoutSteps ?? 1, {
      min: 1,
      fix: 'use e.g. readoutSteps: 1',
    }),
    seed: requireInt('seed', o.seed ?? 0, {
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      fix: 'use a non-negative integer seed',
    }),
    ...resolvePopulations(o, { neurons, k, learned, mode }),
    noise,
    initialState: requireOneOf('initialState', o.initialState ?? 'zero', INITIAL_STATES),
  };
}

/** The number of excitatory neurons, round(f · N) (0 without populations), as the core counts. */
export function excitatoryCount(config: { excitatory?: number | null; neurons: number }): number {
  return config.excitatory === undefined || config.excitatory === null
    ? 0
    : Math.round(config.excitatory * config.neurons);
}

const NO_POPULATIONS = 'set excitatory to the fraction of excitatory neurons, e.g. excitatory: 0.8';

/** The population options; the core checks them again (block sizes, couplings' signs). */
function resolvePopulations(
  o: NetworkOptions,
  n: { neurons: number; k: number; learned: number; mode: string },
) {
  const excitatory =
    o.excitatory === undefined || o.excitatory === null
      ? null
      : requireNumber('excitatory', o.excitatory, {
          exclusiveMin: 0,
          max: 1,
          fix: 'use e.g. excitatory: 0.8',
        });
  if (excitatory !== null) {
    const e = excitatoryCount({ excitatory, neurons: n.neurons });
    if (e < 1 || e > n.neurons - 1)
      throw optionError(
        'excitatory',
        excitatory,
        `must leave at least one neuron in each population (of ${n.neurons})`,
        'use e.g. excitatory: 0.8',
      );
  }
  const dale = o.dale ?? false;
  if (typeof dale !== 'boolean')
    throw optionError('dale', dale, 'must be true or false', 'pass a boolean');
  const scaling = requireOneOf('scaling', o.scaling ?? 'standard', SCALINGS);
  const needPopulations = (name: string, value: unknown) => {
    if (excitatory === null) throw optionError(name, value, 'needs populations', NO_POPULATIONS);
  };
  if (dale) needPopulations('dale', dale);
  if (scaling === 'balanced') needPopulations('scaling', scaling);
  let blocks: Blocks | null = null;
  if (o.blocks !== undefined && o.blocks !== null) {
    needPopulations('blocks', o.blocks);
    blocks = resolveBlocks(o.blocks, n.k);
  } else if (scaling === 'balanced') {
    blocks = { kEE: n.k / 2, kEI: n.k / 2, kIE: n.k / 2, kII: n.k / 2 };
  }
  if (o.couplings !== undefined) rejectUnknownKeys('couplings', o.couplings, COUPLING_KEYS);
  const couplings = { ...DEFAULT_COUPLINGS };
  for (const key of COUPLING_KEYS) {
    if (o.couplings?.[key] !== undefined)
      couplings[key] = requireNumber(`couplings.${key}`, o.couplings[key], {
        fix: `use e.g. couplings.${key}: ${DEFAULT_COUPLINGS[key]}`,
      });
  }
  const maxLearnedOut = requireInt('maxLearnedOut', o.maxLearnedOut ?? 0, {
    min: 0,
    fix: 'use e.g. maxLearnedOut: 3 * learned (0 = no cap)',
  });
  if (maxLearnedOut > 0 && n.mode === 'hidden')
    throw optionError(
      'maxLearnedOut',
      maxLearnedOut,
      "applies to mode 'add' only (hidden mode keeps every out-degree anyway)",
      'remove maxLearnedOut',
    );
  if (maxLearnedOut > 0 && maxLearnedOut < n.learned)
    throw optionError(
      'maxLearnedOut',
      maxLearnedOut,
      `must be at least learned (=${n.learned}), the mean learned out-degree`,
      'raise maxLearnedOut or use 0 (no cap)',
    );
  return { excitatory, dale, blocks, scaling, couplings, maxLearnedOut };
}

const COUPLING_KEYS = ['EE', 'EI', 'IE', 'II', 'E0', 'I0'] as const;
const BLOCK_KEYS = ['kEE', 'kEI', 'kIE', 'kII', 'kE', 'kI'] as const;

/** `{ kE, kI }` (the same for both targets) or all four `kAB`; each population's sum is k. */
function resolveBlocks(b: BlockOptions, k: number): Blocks {
  rejectUnknownKeys('blocks', b, BLOCK_KEYS);
  const value = (name: (typeof BLOCK_KEYS)[number]) =>
    requireNumber(`blocks.${name}`, b[name], { min: 0, fix: `give blocks.${name} ≥ 0` });
  const short = b.kE !== undefined || b.kI !== undefined;
  const long = (['kEE', 'kEI', 'kIE', 'kII'] as const).some((key) => b[key] !== undefined);
  if (short === long)
    throw optionError(
      'blocks',
      b,
      'needs either kE and kI, or all of kEE, kEI, kIE and kII',
      `use e.g. blocks: { kE: ${0.8 * k}, kI: ${0.2 * k} }`,
    );
  const blocks = short
    ? { kEE: value('kE'), kEI: value('kI'), kIE: value('kE'), kII: value('kI') }
    : { kEE: value('kEE'), kEI: value('kEI'), kIE: value('kIE'), kII: value('kII') };
  for (const [sum, a, c] of [
    ['kEE + kEI', blocks.kEE, blocks.kEI],
    ['kIE + kII', blocks.kIE, blocks.kII],
  ] as const) {
    if (Math.abs(a + c - k) > 1e-9 * k)
      throw optionError(
        `blocks ${short ? 'kE + kI' : sum}`,
        a + c,
        `must equal k (=${k}), the mean in-degree`,
        'make the blocks of each population add up to k',
      );
  }
  return blocks;
}
