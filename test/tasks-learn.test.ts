// Every built-in task is learnable: a small network trains a few epochs and is clearly above
// chance on held-out trials. Classification: accuracy on the response steps (the steps of mask
// weight RESPONSE_WEIGHT), against the chance level of guessing among the answers. MSE: the
// test error against predicting, at every step, the mean training target of that step.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  evaluate,
  fit,
  predict,
  init,
  RESPONSE_WEIGHT,
  SparseRNN,
  tasks,
  type Dataset,
} from '../ts/node/index.js';

beforeAll(() => init());

function network(data: Dataset, outputs: number, loss: 'cross_entropy' | 'mse') {
  const [, , inputs] = data.shape;
  return new SparseRNN({ inputs, outputs, loss, neurons: 150, k: 15, seed: 1 });
}

/** Fraction of response steps whose largest output is the label (trials b with keep(b)). */
function responseAccuracy(net: SparseRNN, test: Dataset, keep = (_b: number) => true): number {
  const [b, t] = test.shape;
  const o = net.config.outputs;
  const y = predict(net, test, { perStep: true });
  let [right, scored] = [0, 0];
  for (let at = 0; at < b * t; at++) {
    if (test.mask![at] !== RESPONSE_WEIGHT || !keep(Math.floor(at / t))) continue;
    let best = 0;
    for (let k = 1; k < o; k++) if (y[at * o + k] > y[at * o + best]) best = k;
    right += best === test.labels![at] ? 1 : 0;
    scored++;
  }
  return right / scored;
}

/** Per-step classification tasks: generator, outputs, options, epochs, chance, required accuracy. */
const CLASSIFICATION: [keyof typeof tasks, number, object, number, number, number][] = [
  ['contextDependent', 3, {}, 6, 0.5, 0.75],
  ['delayedNonMatchToSample', 2, {}, 6, 0.5, 0.75],
  ['parametricWorkingMemory', 3, {}, 6, 0.5, 0.75],
  ['goNoGo', 2, {}, 4, 0.5, 0.9],
  ['proAnti', 5, {}, 6, 0.25, 0.6],
];

describe('a small network learns every task (N = 150, K = 15)', () => {
  it.each(CLASSIFICATION)(
    '%s: response-step accuracy above chance',
    async (name, outputs, options, epochs, chance, bound) => {
      const make = tasks[name] as (o: object) => Dataset;
      const train = make({ ...options, trials: 800, seed: 1 });
      const test = make({ ...options, trials: 300, seed: 2 });
      using net = network(train, outputs, 'cross_entropy');
      await fit(net, train, { epochs, lr: 0.01 });
      const accuracy = responseAccuracy(net, test);
      console.log(`${name}: response accuracy ${accuracy.toFixed(3)} (chance ${chance})`);
      expect(bound).toBeGreaterThan(chance);
      expect(accuracy).toBeGreaterThan(bound);
    },
    60_000,
  );

  it('perceptualDecision: a psychometric curve, from chance at coherence 0 to near 1', async () => {
    const coherences = [0, 6.4, 12.8, 25.6, 51.2]; // the defaults; trial b has coherences[b % 5]
    const train = tasks.perceptualDecision({ trials: 1000, seed: 1 });
    const test = tasks.perceptualDecision({ trials: 1000, seed: 2 });
    using net = network(train, 3, 'cross_entropy');
    await fit(net, train, { epochs: 8, lr: 0.01 });
    const curve = coherences.map((_, level) =>
      responseAccuracy(net, test, (b) => b % coherences.length === level),
    );
    console.log(`perceptualDecision: accuracy per coherence ${curve.map((a) => a.toFixed(3))}`);
    // With noise 0.5 over 10 steps an ideal observer gets 0.5, 0.61, 0.72, 0.87, 0.99.
    expect(responseAccuracy(net, test)).toBeGreaterThan(0.65); // chance 0.5
    expect(curve[0]).toBeLessThan(0.62); // no evidence: no better than chance (± 3.5 sd)
    expect(curve[4]).toBeGreaterThan(0.85);
    expect(curve[4]).toBeGreaterThan(curve[2]);
    expect(curve[2]).toBeGreaterThan(curve[0]);
  }, 60_000);

  it('delayedMatchToSample (one label per trial): accuracy above chance 0.5', async () => {
    const options = { stimuli: 4, delay: 4, noise: 0.1 };
    const train = tasks.delayedMatchToSample({ ...options, trials: 1000, seed: 1 });
    const test = tasks.delayedMatchToSample({ ...options, trials: 300, seed: 2 });
    using net = network(train, 2, 'cross_entropy');
    await fit(net, train, { epochs: 6, lr: 0.01 });
    const { accuracy } = evaluate(net, test);
    console.log(`delayedMatchToSample: accuracy ${accuracy!.toFixed(3)} (chance 0.5)`);
    expect(accuracy).toBeGreaterThan(0.75);
  }, 60_000);

  /** Masked MSE of `y` against `d`'s targets; `y` null: the per-step mean of `mean`'s targets. */
  function mse(d: Dataset, o: number, y: Float32Array | null, mean: Dataset): number {
    const [b, t] = d.shape;
    const [bm] = mean.shape;
    const average = new Float64Array(t * o);
    for (let s = 0; s < bm; s++)
      for (let k = 0; k < t * o; k++) average[k] += mean.targets![s * t * o + k] / bm;
    let [sum, count] = [0, 0];
    for (let s = 0; s < b; s++)
      for (let step = 0; step < t; step++) {
        const w = d.mask?.[s * t + step] ?? 1;
        for (let k = 0; k < o; k++) {
          const at = (s * t + step) * o + k;
          const guess = y ? y[at] : average[step * o + k];
          sum += w * (guess - d.targets![at]) ** 2;
          count += w;
        }
      }
    return sum / count;
  }

  const REGRESSION: [keyof typeof tasks, number, object, number][] = [
    ['readySetGo', 1, {}, 8],
    ['flipFlop', 3, {}, 8],
  ];

  it.each(REGRESSION)(
    '%s: test MSE well below the predict-the-mean baseline',
    async (name, outputs, options, epochs) => {
      const make = tasks[name] as (o: object) => Dataset;
      const train = make({ ...options, trials: 800, seed: 1 });
      const test = make({ ...options, trials: 300, seed: 2 });
      using net = network(train, outputs, 'mse');
      await fit(net, train, { epochs, lr: 0.01 });
      const baseline = mse(test, outputs, null, train);
      const error = mse(test, outputs, predict(net, test), train);
      console.log(`${name}: test MSE ${error.toFixed(4)}, baseline ${baseline.toFixed(4)}`);
      expect(evaluate(net, test).loss).toBeCloseTo(error, 3); // the outputs the core scores
      expect(error).toBeLessThan(0.4 * baseline);
    },
    60_000,
  );
});
