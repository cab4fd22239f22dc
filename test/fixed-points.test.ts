// Fixed and slow points (Sussillo & Barak 2013) against answers known without the search: the
// core's own trajectories, linear systems solved directly, dense eigendecompositions, and the
// eight memories of a trained 3-bit flip-flop.
import { EigenvalueDecomposition, Matrix, solve } from 'ml-matrix';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate, fit, init, SparseRNN, tasks } from '../ts/node/index.js';
import {
  dynamicsOf,
  findFixedPoints,
  DENSE_EIGENVALUES,
  jacobianEigenvalues,
  simulate,
  type Dynamics,
  type Eigenvalue,
} from '../ts/analysis/fixed-points.js';

beforeAll(() => init());

/** Uniform numbers in [−1, 1) from a fixed seed (a 32-bit LCG), so every run is the same. */
function uniform(count: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

/** J = (1 − α) I + α W diag φ'(x) as a dense matrix, written out from its definition. */
function denseJacobian(dyn: Dynamics, slope: (j: number) => number): Matrix {
  const n = dyn.neurons;
  const j = Matrix.eye(n, n).mul(1 - dyn.alpha);
  for (let i = 0; i < n; i++)
    for (let e = dyn.indptr[i]; e < dyn.indptr[i + 1]; e++) {
      const col = dyn.indices[e];
      j.set(i, col, j.get(i, col) + dyn.alpha * dyn.values[e] * slope(col));
    }
  return j;
}

/** All eigenvalues of a dense matrix, by decreasing |λ|. */
function eigenvalues(m: Matrix): Eigenvalue[] {
  const evd = new EigenvalueDecomposition(m);
  return evd.realEigenvalues
    .map((re, k) => ({ re, im: evd.imaginaryEigenvalues[k] }))
    .sort((a, b) => Math.hypot(b.re, b.im) - Math.hypot(a.re, a.im));
}

const size = (l: Eigenvalue) => Math.hypot(l.re, l.im);

describe('simulate', () => {
  it.each([
    ['discrete', 'tanh'],
    ['rate', 'relu'],
  ] as const)('%s %s: φ(x_t) equals the rates of net.activity', (dynamics, activation) => {
    const [b, t, d, n] = [3, 12, 2, 60];
    using net = new SparseRNN({
      inputs: d,
      outputs: 2,
      neurons: n,
      k: 8,
      dynamics,
      activation,
      tau: 4,
      seed: 5,
    });
    const x = Float32Array.from(uniform(b * t * d, 11));
    const neurons = Array.from({ length: n }, (_, i) => i);
    const rates = net.activity({ x, shape: [b, t, d] }, neurons);
    const dyn = dynamicsOf(net);
    expect(dyn.alpha).toBe(dynamics === 'rate' ? 0.25 : 1);
    let largest = 0;
    for (let s = 0; s < b; s++) {
      const states = simulate(dyn, x.subarray(s * t * d, (s + 1) * t * d));
      for (let step = 0; step < t; step++)
        for (let i = 0; i < n; i++) {
          const v = states[step * n + i];
          const phi = activation === 'relu' ? Math.max(v, 0) : Math.tanh(v);
          const core = rates[(i * t + step) * b + s];
          expect(Math.abs(phi - core)).toBeLessThan(1e-4);
          largest = Math.max(largest, Math.abs(core));
        }
    }
    expect(largest).toBeGreaterThan(0.1); // the rates are not all 0
  });
});

describe('findFixedPoints', () => {
  it('relu with all units active: x* solves (I − W) x* = d, with the eigenvalues of (1−α)I + αW', () => {
    const n = 80;
    const opts = {
      inputs: 2,
      outputs: 2,
      neurons: n,
      k: 10,
      gain: 0.2,
      activation: 'relu',
    } as const;
    using net = new SparseRNN({ ...opts, dynamics: 'rate', tau: 5, seed: 2 });
    // A positive drive keeps every unit above 0: φ(x) = x there and F is linear.
    const bias = Float64Array.from(uniform(n, 3), (v) => 2 + 0.5 * v);
    const dyn: Dynamics = { ...dynamicsOf(net), bias };
    const input = [0.1, -0.1];
    const seeds = [0, 1, 2].map((k) => uniform(n, 20 + k).map((v) => 2 * v));
    const points = findFixedPoints(dyn, { input, seeds });
    expect(points).toHaveLength(1);
    const [p] = points;
    expect(p).toMatchObject({ kind: 'fixed', stable: true, count: 3 });
    expect(p.q).toBeLessThan(1e-20);

    const w = Matrix.zeros(n, n);
    const d = Matrix.columnVector(
      Array.from(bias, (b, i) => b + 0.1 * (dyn.inputWeights[i * 2] - dyn.inputWeights[i * 2 + 1])),
    );
    for (let i = 0; i < n; i++)
      for (let e = dyn.indptr[i]; e < dyn.indptr[i + 1]; e++)
        w.set(i, dyn.indices[e], dyn.values[e]);
    const exact = solve(Matrix.eye(n, n).sub(w), d).getColumn(0);
    expect(Math.min(...exact)).toBeGreaterThan(0);
    for (let i = 0; i < n; i++) expect(p.x[i]).toBeCloseTo(exact[i], 10);

    const j = Matrix.eye(n, n)
      .mul(1 - dyn.alpha)
      .add(w.mul(dyn.alpha));
    const want = eigenvalues(j).slice(0, 10);
    expect(p.eigenvalues).toHaveLength(10);
    p.eigenvalues.forEach((l, k) => expect(size(l)).toBeCloseTo(size(want[k]), 10));
    expect(size(p.eigenvalues[0])).toBeLessThan(1);
  });

  it('tanh with weak recurrence and no drive: one stable fixed point, at 0, reached from every seed', () => {
    const n = 100;
    using net = new SparseRNN({ inputs: 1, outputs: 2, neurons: n, k: 10, gain: 0.5, seed: 4 });
    const dyn: Dynamics = { ...dynamicsOf(net), bias: new Float64Array(n) };
    const seeds = Array.from({ length: 25 }, (_, k) => uniform(n, 100 + k).map((v) => 3 * v));
    const points = findFixedPoints(dyn, { input: [0], seeds });
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({ kind: 'fixed', stable: true, count: 25 });
    expect(Math.max(...points[0].x.map(Math.abs))).toBeLessThan(1e-12);
    // At 0, φ' = 1: J = W, whose spectral radius is about the gain (the circular law).
    expect(size(points[0].eigenvalues[0])).toBeGreaterThan(0.4);
    expect(size(points[0].eigenvalues[0])).toBeLessThan(0.6);
    // Without merging, every seed is its own point, each converged to 0.
    const apart = findFixedPoints(dyn, { input: [0], seeds, dedupeDistance: 0 });
    expect(apart).toHaveLength(25);
    expect(apart.every((p) => p.count === 1 && p.kind === 'fixed')).toBe(true);
    expect(apart.map((p) => p.q)).toEqual(apart.map((p) => p.q).sort((a, b) => a - b));
  });

  it('has the leading eigenvalues of the dense J when N > 400 (Arnoldi)', () => {
    const n = 600;
    expect(n).toBeGreaterThan(DENSE_EIGENVALUES);
    const ei = { excitatory: 0.8, dale: true, scaling: 'balanced' } as const;
    using net = new SparseRNN({ inputs: 1, outputs: 2, neurons: n, k: 30, seed: 1, ...ei });
    const dyn = dynamicsOf(net);
    const x = uniform(n, 7);
    const got = jacobianEigenvalues(dyn, x, 4);
    const want = eigenvalues(denseJacobian(dyn, (j) => 1 - Math.tanh(x[j]) ** 2)).slice(0, 4);
    expect(got).toHaveLength(4);
    got.forEach((l, k) => {
      expect(Math.abs(size(l) - size(want[k]))).toBeLessThan(1e-6);
      expect(Math.abs(Math.abs(l.im) - Math.abs(want[k].im))).toBeLessThan(1e-6);
    });
  });

  it('names the option, its value, the rule and the fix for bad options', () => {
    using net = new SparseRNN({ inputs: 2, outputs: 2, neurons: 20, k: 4, seed: 1 });
    const dyn = dynamicsOf(net);
    const seeds = [new Float64Array(20)];
    const call = (o: object) => () => findFixedPoints(dyn, { input: [0, 0], seeds, ...o });
    expect(call({ input: [0] })).toThrow(/^input \(=\[0\]\) must hold inputs \(=2\) values/);
    expect(call({ input: [0, NaN] })).toThrow(/^input\[1\] \(=NaN\) must be a finite number/);
    expect(call({ seeds: [] })).toThrow(/^seeds \(=\[\]\) must be a non-empty array/);
    expect(call({ seeds: [new Float64Array(19)] })).toThrow(
      /^seeds\[0\] .* must hold neurons \(=20\) values/,
    );
    expect(call({ seeds: [new Float64Array(20).fill(Infinity)] })).toThrow(
      /^seeds\[0\]\[0\] \(=Infinity\)/,
    );
    expect(call({ maxIterations: 0 })).toThrow(/^maxIterations \(=0\) must be an integer >= 1/);
    expect(call({ tolerance: -1 })).toThrow(/^tolerance \(=-1\) must be a finite number > 0/);
    expect(call({ tolerance: 1, slowTolerance: 0.5 })).toThrow(
      /^slowTolerance \(=0.5\) must be a finite number >= 1/,
    );
    expect(call({ tolerans: 1 })).toThrow(/tolerans .* did you mean "tolerance"\?/);
    expect(() => simulate(dyn, [0, 0, 0])).toThrow(
      /^u .* must hold steps × inputs values \(inputs = 2\)/,
    );
    expect(() => simulate(dyn, [0, 0], [1])).toThrow(/^x0 .* must hold neurons \(=20\) values/);
  });
});

describe('the trained 3-bit flip-flop', () => {
  // Training: N = 64, K = 16, random (fixed) learned synapses, discrete tanh, 1,000 trials of 20
  // steps, 20 epochs at lr 0.01 (≈ 0.6 s; test MSE ≈ 0.005). Seeds 1–16 all passed; at 10
  // epochs seed 1 failed, at 6 epochs seeds 4 and 8 did. About 2 s in all.
  it('has 8 stable fixed points, one per sign pattern of the outputs', async () => {
    const n = 64;
    const train = tasks.flipFlop({ trials: 1000, seed: 1 });
    const test = tasks.flipFlop({ trials: 40, seed: 2 });
    const opts = {
      inputs: 3,
      outputs: 3,
      neurons: n,
      k: 16,
      loss: 'mse',
      growth: 'random',
    } as const;
    using net = new SparseRNN({ ...opts, seed: 1 });
    await fit(net, train, { epochs: 20, lr: 0.01 });
    expect(evaluate(net, test).loss).toBeLessThan(0.05);

    // Seeds: every fifth state of the test trials, which visit the memories and the paths between.
    const dyn = dynamicsOf(net);
    const [b, t, d] = test.shape;
    const seeds: Float64Array[] = [];
    for (let s = 0; s < b; s++) {
      const states = simulate(dyn, test.x.subarray(s * t * d, (s + 1) * t * d));
      for (let step = 4; step < t; step += 5) seeds.push(states.slice(step * n, (step + 1) * n));
    }
    const points = findFixedPoints(dyn, { input: [0, 0, 0], seeds });
    const [wOut, bOut] = [net.readoutWeights(), net.readoutBiases()];
    const readout = (x: Float64Array) =>
      [0, 1, 2].map((k) => x.reduce((sum, v, i) => sum + wOut[k * n + i] * Math.tanh(v), bOut[k]));

    const stable = points.filter((p) => p.kind === 'fixed' && p.stable);
    expect(stable).toHaveLength(8);
    const outputs = stable.map((p) => readout(p.x));
    expect(new Set(outputs.map((y) => y.map((v) => (v > 0 ? '+' : '-')).join(''))).size).toBe(8);
    expect(Math.min(...outputs.flat().map(Math.abs))).toBeGreaterThan(0.5); // near ±1, not 0
    // Besides the memories there are unstable fixed points: the saddles between them.
    expect(points.filter((p) => p.kind === 'fixed' && !p.stable).length).toBeGreaterThan(0);
  }, 30_000);
});
