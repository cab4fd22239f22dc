// The TypeScript API end to end, through the WebAssembly core.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  classify,
  datasets,
  evaluate,
  fit,
  init,
  liveNetworks,
  predict,
  SparseRNN,
  SqrtkError,
  type Dataset,
} from '../ts/node/index.js';

const digits = () => datasets.digits();
const small = { inputs: 8, outputs: 10, neurons: 200, k: 20, seed: 5 };

function expectError(f: () => unknown, code: string, message: string | RegExp) {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SqrtkError);
  expect((error as SqrtkError).code).toBe(code);
  expect((error as SqrtkError).message).toMatch(message);
}

describe('sqrtk API', () => {
  beforeAll(async () => {
    await init();
    await init(); // idempotent
  });

  it('keeps the thread count of the first init call', async () => {
    const { availableParallelism } = await import('node:os');
    await init({ threads: availableParallelism() });
    expect(() => init({ threads: 7 })).toThrow(
      /^threads \(=7\) differs from the first init call \(threads = \d+\); the thread count is fixed/,
    );
  });

  it('builds a network whose every neuron gets exactly `learned` extra synapses', () => {
    using net = new SparseRNN({ ...small, learned: 6 });
    const inDegree = net.inDegree();
    const backbone = net.backboneDegree();
    expect(inDegree.every((d, i) => d === backbone[i] + 6)).toBe(true);
    const m = net.recurrentMatrix();
    expect(m.indptr.length).toBe(201);
    expect(m.indices.length).toBe(m.indptr[200]);
    expect(m.learned.reduce((a, b) => a + b, 0)).toBe(200 * 6);
    for (let i = 0; i < 200; i++) {
      const row = Array.from(m.indices.subarray(m.indptr[i], m.indptr[i + 1]));
      expect(new Set(row).size).toBe(row.length);
      expect(row).not.toContain(i);
      // learned synapses start at weight 0
      for (let e = m.indptr[i]; e < m.indptr[i + 1]; e++)
        if (m.learned[e]) expect(m.values[e]).toBe(0);
    }
    expect(net.config.learned).toBe(6);
    expect(new SparseRNN({ ...small, k: 100 }).config.learned).toBe(10); // default round(√k)
  });

  it('learns the digits task and is reproducible bit for bit', async () => {
    const { train, test } = digits();
    const run = async (seed: number) => {
      using net = new SparseRNN({ ...small, seed });
      const events: string[] = [];
      const history = await fit(net, train, {
        epochs: 3,
        lr: 0.01,
        validation: test,
        onProgress: (e) => events.push(e.type),
      });
      return { history, hash: net.stateHash(), acc: evaluate(net, test).accuracy!, events };
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(a.acc).toBeGreaterThan(0.8);
    expect(a.history.epochs).toHaveLength(3);
    expect(a.history.epochs[2].valAccuracy).toBe(a.acc);
    expect(a.history.epochs[2].loss).toBeLessThan(a.history.epochs[0].loss);
    expect(a.events.filter((t) => t === 'epoch')).toHaveLength(3);
    expect(a.events.filter((t) => t === 'batch')).toHaveLength(3 * Math.ceil(1437 / 32));
    expect(b.hash).toBe(a.hash);
    expect(b.history.epochs.map((e) => e.loss)).toEqual(a.history.epochs.map((e) => e.loss));
    expect(c.hash).not.toBe(a.hash);
  });

  it('predicts class scores and classes', async () => {
    const { train, test } = digits();
    using net = new SparseRNN(small);
    await fit(net, train, { epochs: 1 });
    const scores = predict(net, test);
    expect(scores.length).toBe(360 * 10);
    const classes = classify(net, test);
    const correct = classes.filter((c, i) => c === test.labels![i]).length;
    expect(correct / 360).toBeCloseTo(evaluate(net, test).accuracy!, 10);
  });

  it('trains on per-step targets with a mask (MSE)', async () => {
    // Output 1 step later equals the input: needs memory of one step.
    const [B, T] = [64, 10];
    const x = Float32Array.from({ length: B * T }, (_, i) => Math.sin(i * 12.9898) * 0.5);
    const targets = new Float32Array(B * T);
    const mask = new Float32Array(B * T);
    for (let b = 0; b < B; b++) {
      for (let t = 1; t < T; t++) {
        targets[b * T + t] = x[b * T + t - 1];
        mask[b * T + t] = 1;
      }
    }
    // Labels are allowed on an MSE dataset; an MSE network ignores them.
    const data: Dataset = { x, shape: [B, T, 1], targets, mask, labels: new Int32Array(B) };
    using net = new SparseRNN({ inputs: 1, outputs: 1, neurons: 100, k: 10, loss: 'mse', seed: 1 });
    const before = evaluate(net, data).loss;
    await fit(net, data, { epochs: 30, batchSize: 16, lr: 0.01 });
    expect(evaluate(net, data).loss).toBeLessThan(before * 0.5);
    expect(evaluate(net, data).accuracy).toBeNull();
    expect(predict(net, data).length).toBe(B * T);
  });

  it('rejects bad options with the option, its value, the rule and the fix', () => {
    expectError(
      () => new SparseRNN({ ...small, neurons: 1000, k: 1200 }),
      'E_OPTION',
      'k (=1200) must be less than neurons (=1000); lower k or raise neurons',
    );
    expectError(
      () => new SparseRNN({ ...small, k: 0 }),
      'E_OPTION',
      /^k \(=0\) must be an integer >= 1/,
    );
    expectError(
      () => new SparseRNN({ ...small, neurons: 10.5 }),
      'E_OPTION',
      /^neurons \(=10\.5\) must be an integer/,
    );
    expectError(
      () => new SparseRNN({ ...small, learned: 190 }),
      'E_OPTION',
      /^learned \(=190\) must be at most neurons − 1 − k \(=179\)/,
    );
    expectError(
      () => new SparseRNN({ ...small, dynamics: 'spiking' as never }),
      'E_OPTION',
      /dynamics \(="spiking"\) must be one of "discrete", "rate"/,
    );
    expectError(
      () => new SparseRNN({ ...small, growth: 'rigl' as never }),
      'E_OPTION',
      /growth \(="rigl"\) must be one of "random"/,
    );
    expectError(
      () => new SparseRNN({ ...small, nuerons: 5 } as never),
      'E_OPTION',
      /nuerons.*did you mean "neurons"/,
    );
    expectError(
      () => new SparseRNN({ ...small, dynamics: 'rate', dt: 20, tau: 10 }),
      'E_OPTION',
      /^dt \(=20\)/,
    );
    expectError(() => new SparseRNN({ ...small, gain: NaN }), 'E_OPTION', /^gain \(=NaN\)/);
    expectError(() => new SparseRNN({ ...small, seed: -1 }), 'E_OPTION', /^seed \(=-1\)/);
  });

  it('checks learned against each neuron’s free partners in the core', () => {
    // fits the mean-degree rule but not the busiest neuron of this random graph
    expectError(
      () => new SparseRNN({ inputs: 1, outputs: 2, neurons: 30, k: 20, learned: 9, seed: 2 }),
      'E_OPTION',
      /^learned \(=9\) exceeds the free partners of neuron \d+/,
    );
  });

  it('rejects bad data and bad fit options before training', async () => {
    const { train } = digits();
    using net = new SparseRNN(small);
    await expect(fit(net, train, { batchSize: 5000 })).rejects.toThrow(
      /batchSize \(=5000\) must be at most the number of training sequences \(=1437\)/,
    );
    await expect(fit(net, train, { lr: -1 })).rejects.toThrow(/^lr \(=-1\)/);
    await expect(fit(net, train, { epoch: 3 } as never)).rejects.toThrow(/did you mean "epochs"/);
    const bad = { ...train, labels: train.labels!.slice() };
    bad.labels[7] = 10;
    await expect(fit(net, bad)).rejects.toThrow(/labels/);
    const nan = { ...train, x: train.x.slice() };
    nan.x[3] = NaN;
    await expect(fit(net, nan)).rejects.toThrow(/NaN/);
    await expect(
      fit(net, { ...train, x: new Float32Array(1437 * 8 * 7), shape: [1437, 8, 7] }),
    ).rejects.toThrow(/inputs/);
    expect(net.steps).toBe(0);
  });

  it('stops on an AbortSignal and on divergence, keeping the last good weights', async () => {
    const { train } = digits();
    using net = new SparseRNN(small);
    const controller = new AbortController();
    const run = fit(net, train, {
      epochs: 5,
      signal: controller.signal,
      onProgress: (e) => e.type === 'batch' && e.batch === 3 && controller.abort(),
    });
    await expect(run).rejects.toMatchObject({ code: 'E_ABORTED' });
    expect(net.steps).toBe(3);

    using wild = new SparseRNN({ ...small, activation: 'relu', gain: 1e7 });
    const hash = wild.stateHash();
    await expect(fit(wild, train, { epochs: 1 })).rejects.toMatchObject({ code: 'E_DIVERGED' });
    expect(wild.stateHash()).toBe(hash);
  });

  it('frees handles and refuses to use a freed network', () => {
    const before = liveNetworks();
    const nets = Array.from({ length: 5 }, (_, s) => new SparseRNN({ ...small, seed: s }));
    expect(liveNetworks()).toBe(before + 5);
    nets.forEach((n) => n.free());
    nets[0].free();
    expect(liveNetworks()).toBe(before);
    expectError(() => nets[0].stateHash(), 'E_STATE', /freed/);
  });
});
