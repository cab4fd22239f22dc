// A class per time step (labels [B, T] with a mask), as cognitive tasks need: training,
// evaluate's step and trial accuracy (checked against classify), batching, and validation.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  classify,
  evaluate,
  fit,
  init,
  predict,
  SparseRNN,
  validateDataset,
  type Dataset,
} from '../ts/node/index.js';
import { takeBatch } from '../ts/data.js';
import { thrown } from './helpers.js';

const [B, T] = [200, 6];

/**
 * The class of step t is 1 when input 0 at step t is positive, else 0; step 0 is not scored
 * (mask 0, label -1), and later steps weigh 1 or 2 so the mask's weights matter.
 */
function signTask(seed: number): Dataset {
  let state = seed;
  const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const x = Float32Array.from({ length: B * T * 2 }, random);
  const labels = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  for (let k = 0; k < B * T; k++) {
    const scored = k % T !== 0;
    labels[k] = scored ? Number(x[k * 2] > 0) : -1;
    mask[k] = scored ? 1 + (k % 2) : 0;
  }
  return { x, shape: [B, T, 2], labels, mask };
}

beforeAll(() => init());

describe('per-step labels', () => {
  it('train; accuracy counts scored steps and trialAccuracy whole trials, as classify sees them', async () => {
    const train = signTask(1);
    const test = signTask(2);
    using net = new SparseRNN({ inputs: 2, outputs: 2, neurons: 100, k: 10, seed: 3 });
    const before = evaluate(net, test);
    const history = await fit(net, train, { epochs: 8, lr: 0.01, validation: test });
    const after = evaluate(net, test);
    expect(after.loss).toBeLessThan(before.loss * 0.6);
    expect(after.accuracy).toBeGreaterThan(0.9); // chance 0.5
    expect(history.epochs.at(-1)!.accuracy).toBeGreaterThan(0.85);
    expect(history.epochs.at(-1)!.valAccuracy).toBe(after.accuracy);

    const classes = classify(net, test, { perStep: true });
    expect(classes.length).toBe(B * T);
    let [right, scored, trials] = [0, 0, 0];
    for (let b = 0; b < B; b++) {
      let allRight = true;
      for (let t = 1; t < T; t++) {
        const ok = classes[b * T + t] === test.labels![b * T + t];
        [right, scored, allRight] = [right + Number(ok), scored + 1, allRight && ok];
      }
      trials += Number(allRight);
    }
    expect(after.accuracy).toBe(right / scored);
    expect(after.trialAccuracy).toBe(trials / B);
    expect(after.trialAccuracy!).toBeLessThan(after.accuracy!);
    expect(predict(net, test, { perStep: true }).length).toBe(B * T * 2);
    expect(predict(net, test).length).toBe(B * 2); // class scores of the readout window
  });

  it('the loss is the mask-weighted mean over all steps, whatever the batch size', () => {
    const data = signTask(4);
    using net = new SparseRNN({ inputs: 2, outputs: 2, neurons: 60, k: 6, seed: 2 });
    const whole = evaluate(net, data, { batchSize: B });
    const batched = evaluate(net, data, { batchSize: 7 });
    expect(batched.loss).toBeCloseTo(whole.loss, 5);
    expect(batched.accuracy).toBe(whole.accuracy);
    // Doubling every weight leaves a weighted mean unchanged; zeroing step 1 changes it.
    const doubled = { ...data, mask: data.mask!.map((w) => 2 * w) };
    expect(evaluate(net, doubled).loss).toBeCloseTo(whole.loss, 5);
    const fewer = { ...data, mask: data.mask!.map((w, k) => (k % T === 1 ? 0 : w)) };
    expect(evaluate(net, fewer).loss).not.toBeCloseTo(whole.loss, 5);
  });

  it('takeBatch copies each sequence’s row of labels', () => {
    const data = signTask(5);
    const b = takeBatch(data, [3, 0]);
    expect(Array.from(b.labels!)).toEqual([
      ...data.labels!.subarray(3 * T, 4 * T),
      ...data.labels!.subarray(0, T),
    ]);
    expect(Array.from(b.mask!)).toEqual([
      ...data.mask!.subarray(3 * T, 4 * T),
      ...data.mask!.subarray(0, T),
    ]);
  });

  it('refuses labels of the wrong length, or out of range at a scored step', () => {
    const data = signTask(6);
    const expect2 = { inputs: 2, outputs: 2, loss: 'cross_entropy' } as const;
    validateDataset('train', data, expect2);
    const short = { ...data, labels: data.labels!.subarray(1) };
    expect(thrown(() => validateDataset('train', short, expect2)).message).toBe(
      'train.labels.length (=1199) must equal B (=200, a class per sequence) or B·T (=1200, a class per step); give one label per sequence, or one per time step',
    );
    const unmasked = { ...data, mask: undefined };
    expect(thrown(() => validateDataset('train', unmasked, expect2)).message).toBe(
      'train.labels[0] (=-1) must be a class in 0..1 at a step of nonzero mask; number classes from 0, or build the model with more outputs, or give that step mask 0',
    );
    const three = { ...data, labels: data.labels!.map((c, k) => (k === 7 ? 2 : c)) };
    expect(thrown(() => validateDataset('train', three, expect2)).code).toBe('E_DATA');
  });
});
