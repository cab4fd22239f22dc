// Structure learning through the TypeScript API: schedule, modes, statistics, errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { datasets, delayedMatchToSample, fit, init, SparseRNN } from '../ts/node/index.js';

const small = { inputs: 8, outputs: 10, neurons: 200, k: 20, seed: 5 };

describe('structure learning', () => {
  beforeAll(() => init());

  it('rewires on the cosine schedule and stops at rewireUntil', async () => {
    const { train } = datasets.digits();
    using net = new SparseRNN({ ...small, growth: 'gradient' });
    const history = await fit(net, train, {
      epochs: 4,
      rewireEvery: 10,
      rewireFraction: 0.5,
      rewireUntil: 0.5,
    });
    const total = 4 * Math.ceil(1437 / 32);
    expect(history.rewires.map((r) => r.step)).toEqual(
      Array.from({ length: Math.ceil(total / 2 / 10) - 1 }, (_, i) => 10 * (i + 1)),
    );
    const fractions = history.rewires.map((r) => r.fraction);
    expect(fractions[0]).toBeCloseTo(
      0.5 * 0.5 * (1 + Math.cos((Math.PI * 10) / Math.floor(total / 2))),
      6,
    );
    expect(fractions.every((f, i) => i === 0 || f < fractions[i - 1])).toBe(true);
    const swapped = history.rewires.map((r) => r.swapped);
    expect(swapped[0]).toBe(Math.round(fractions[0] * 200 * 4));
    expect(net.rewireCounts()).toEqual({
      rewires: history.rewires.length,
      turnover: swapped.reduce((a, b) => a + b, 0),
    });
    expect(history.rewireSeconds).toBeGreaterThan(0);
    const m = net.recurrentMatrix();
    for (let i = 0; i < 200; i++) {
      expect(m.learned.subarray(m.indptr[i], m.indptr[i + 1]).reduce((a, b) => a + b, 0)).toBe(4);
    }
  });

  it('deep_r regrows after every step until 0.95 of training unless told otherwise', async () => {
    const { train } = datasets.digits();
    const total = Math.ceil(1437 / 32); // one epoch
    using net = new SparseRNN({ ...small, growth: 'deep_r' });
    const history = await fit(net, train, { epochs: 1 });
    expect(history.options.rewireEvery).toBe(1);
    expect(history.options.rewireUntil).toBe(0.95);
    const until = Math.floor(0.95 * total);
    expect(history.rewires.map((r) => r.step)).toEqual(
      Array.from({ length: until - 1 }, (_, i) => i + 1),
    );
    // Given values win; the strategies that swap a fraction keep 100 and 0.75.
    using told = new SparseRNN({ ...small, growth: 'deep_r' });
    const given = await fit(told, train, { epochs: 1, rewireEvery: 10, rewireUntil: 0.5 });
    expect(given.rewires.map((r) => r.step)).toEqual([10, 20]);
    using sampled = new SparseRNN({ ...small, growth: 'sampled' });
    const other = await fit(sampled, train, { epochs: 1 });
    expect([other.options.rewireEvery, other.options.rewireUntil]).toEqual([100, 0.75]);
  });

  it('runs the schedule again in a second fit of the same network', async () => {
    const { train } = datasets.digits();
    using net = new SparseRNN({ ...small, growth: 'sampled' });
    const first = await fit(net, train, { epochs: 1, rewireEvery: 10 });
    const second = await fit(net, train, { epochs: 1, rewireEvery: 10 });
    expect(second.rewires.length).toBe(first.rewires.length);
    expect(second.rewires[0].step).toBe(net.steps - 45 + 10);
  });

  it('rewireBatch scores on more sequences without changing a weight, reproducibly', async () => {
    const { train } = datasets.digits();
    const take = (from: number, count: number) => ({
      x: train.x.slice(from * 64, (from + count) * 64),
      shape: [count, 8, 8] as [number, number, number],
      labels: train.labels!.slice(from, from + count),
    });
    const partners = (net: SparseRNN) => Array.from(net.recurrentMatrix().indices);
    using a = new SparseRNN({ ...small, growth: 'gradient' });
    using b = new SparseRNN({ ...small, growth: 'gradient' });
    for (const net of [a, b])
      for (let i = 0; i < 5; i++) net.trainBatch(take(32 * i, 32), 0.002, 1);
    const hash = b.stateHash();
    expect(b.scoreBatch(take(200, 512))).toBeGreaterThan(0);
    expect(b.stateHash()).toBe(hash); // no weight, moment or counter moved
    a.rewire(0.5);
    b.rewire(0.5);
    expect(partners(b)).not.toEqual(partners(a)); // scored on other sequences
    const run = async (rewireBatch: number) => {
      using net = new SparseRNN({ ...small, growth: 'sampled' });
      await fit(net, train, { epochs: 1, rewireEvery: 10, rewireBatch });
      return net.stateHash();
    };
    const wide = await run(256);
    expect(await run(256)).toBe(wide);
    expect(await run(0)).not.toBe(wide);
    await expect(fit(a, train, { rewireBatch: -1 })).rejects.toThrow(/^rewireBatch \(=-1\)/);
  });

  it('is reproducible for every strategy and never rewires `random`', async () => {
    const { train } = datasets.digits();
    for (const growth of ['random', 'gradient', 'sampled', 'deep_r'] as const) {
      const run = async () => {
        using net = new SparseRNN({ ...small, growth, mode: 'hidden' });
        const h = await fit(net, train, { epochs: 1, rewireEvery: 5 });
        return { hash: net.stateHash(), rewires: h.rewires.length };
      };
      const [a, b] = [await run(), await run()];
      expect(b.hash, growth).toBe(a.hash);
      expect(a.rewires === 0, growth).toBe(growth === 'random');
    }
  });

  it('hidden mode keeps every in-degree of the random graph; add mode shows in the degree test', async () => {
    const base = {
      inputs: 8,
      outputs: 10,
      neurons: 1000,
      k: 100,
      seed: 2,
      growth: 'gradient',
    } as const;
    using added = new SparseRNN({ ...base, mode: 'add' });
    using hidden = new SparseRNN({ ...base, mode: 'hidden' });
    const { train } = datasets.digits();
    await fit(hidden, train, { epochs: 1, batchSize: 64, rewireEvery: 4 });
    expect(hidden.rewireCounts().turnover).toBeGreaterThan(0);
    expect(Array.from(hidden.inDegree())).toEqual(Array.from(added.backboneDegree()));
    expect(Array.from(hidden.backboneDegree())).toEqual(
      Array.from(added.backboneDegree(), (d) => d - 10),
    );
    expect(hidden.inDegreeTest().pValue).toBeGreaterThan(0.01);
    expect(added.inDegreeTest().pValue).toBeLessThan(1e-6);
  });

  it('rejects bad structure-learning options clearly', async () => {
    expect(() => new SparseRNN({ ...small, growth: 'rigl' as never })).toThrow(
      'growth (="rigl") must be one of "random", "gradient", "sampled", "deep_r"; use one of those',
    );
    expect(() => new SparseRNN({ ...small, mode: 'secret' as never })).toThrow(
      /mode \(="secret"\) must be one of "add", "hidden"/,
    );
    expect(() => new SparseRNN({ ...small, mode: 'hidden', learned: 30 })).toThrow(
      /learned \(=30\) must be at most k \(=20\) in hidden mode/,
    );
    expect(() => new SparseRNN({ ...small, candidates: 0 })).toThrow(/^candidates \(=0\)/);
    expect(() => new SparseRNN({ ...small, deepRL1: -1 })).toThrow(/^deepRL1 \(=-1\)/);
    using net = new SparseRNN({ ...small, growth: 'gradient' });
    const { train } = datasets.digits();
    await expect(fit(net, train, { rewireFraction: -0.1 })).rejects.toThrow(
      /^rewireFraction \(=-0.1\)/,
    );
    await expect(fit(net, train, { rewireUntil: 2 })).rejects.toThrow(/^rewireUntil \(=2\)/);
    await expect(fit(net, train, { rewireEvery: 0 })).rejects.toThrow(/^rewireEvery \(=0\)/);
    expect(() => net.rewire(0.3)).toThrow(/rewire needs the gradients of a training batch/);
  });

  it('generates delayed match-to-sample trials that need memory', () => {
    const a = delayedMatchToSample({ trials: 400, seed: 3 });
    const b = delayedMatchToSample({ trials: 400, seed: 3 });
    expect(a.shape).toEqual([400, 13, 9]);
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    const matches = a.labels!.reduce((s, l) => s + l, 0);
    expect(matches).toBeGreaterThan(160);
    expect(matches).toBeLessThan(240);
    // The last step carries only the respond cue (plus noise): the same for match and non-match.
    for (let trial = 0; trial < 400; trial++) {
      const last = a.x.subarray((trial * 13 + 12) * 9, (trial * 13 + 13) * 9);
      expect(last[8]).toBeGreaterThan(0.85);
      expect(Math.max(...Array.from(last.subarray(0, 8), Math.abs))).toBeLessThanOrEqual(
        0.1 + 1e-6,
      );
    }
    expect(() => delayedMatchToSample({ trials: 0 })).toThrow(/^trials \(=0\)/);
  });
});
