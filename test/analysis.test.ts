// The analyses of a trained network, against answers known without them.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Matrix, solve } from 'ml-matrix';
import { analyze, fit, init, loadTask, SparseRNN } from '../ts/node/index.js';
import { denseRecurrent, spectrum } from '../ts/analysis/spectrum.js';
import { BINS, groupTrials } from '../ts/analysis/population.js';
import { fitLogistic, psychometric } from '../ts/analysis/psychometric.js';
import { selectivity } from '../ts/analysis/selectivity.js';
import { randomPlacer, ranks, structureTests } from '../ts/analysis/structure.js';
import { trajectories } from '../ts/analysis/trajectories.js';
import { defaultFixedPointSeeds } from '../ts/analysis/index.js';
import type { RecurrentMatrix } from '../ts/model.js';
import { randomStream } from '../ts/tasks/random.js';
import { available as chromiumAvailable, CHROMIUM } from './chromium.js';

describe('spectrum', () => {
  beforeAll(() => init());

  it('fills the circular law disc of the random graph, radius gain', () => {
    for (const gain of [0.5, 1.5]) {
      using net = new SparseRNN({ inputs: 1, outputs: 2, neurons: 400, k: 40, gain, seed: 3 });
      const s = spectrum(net);
      expect(s.circularLaw).toBe(gain);
      expect(s.radius / gain).toBeGreaterThan(0.9);
      expect(s.radius / gain).toBeLessThan(1.12); // the disc's edge spreads at finite N
      expect(s.insideCircularLaw).toBeGreaterThan(0.97);
    }
  });

  it('has the traces of W and W² (the sums of λ and of λ²)', () => {
    using net = new SparseRNN({ inputs: 1, outputs: 2, neurons: 300, k: 30, seed: 1 });
    const w = denseRecurrent(net);
    const s = spectrum(net);
    const sum = s.re.reduce((a, b) => a + b, 0);
    const imSum = s.im.reduce((a, b) => a + b, 0);
    // No self-loops: trace(W) = 0; eigenvalues come in conjugate pairs.
    expect(Math.abs(sum)).toBeLessThan(1e-9);
    expect(Math.abs(imSum)).toBeLessThan(1e-9);
    const squares = s.re.reduce((a, re, k) => a + re * re - s.im[k] * s.im[k], 0);
    expect(squares).toBeCloseTo(w.mmul(w).trace(), 8);
    expect(s.re.length).toBe(300);
    // Sorted by |λ|, largest first.
    const size = s.re.map((re, k) => Math.hypot(re, s.im[k]));
    expect(size.every((v, k) => k === 0 || v <= size[k - 1])).toBe(true);
  });

  it('gives no circular law for balanced scaling', () => {
    const ei = { excitatory: 0.8, dale: true, scaling: 'balanced' } as const;
    using balanced = new SparseRNN({ inputs: 1, outputs: 2, neurons: 200, k: 20, seed: 1, ...ei });
    expect(spectrum(balanced)).toMatchObject({
      method: 'exact',
      circularLaw: null,
      insideCircularLaw: null,
    });
  });

  it('finds the leading eigenvalues by Arnoldi above 1,000 neurons', () => {
    // W of 2 × 2 blocks [[0, s], [s, 0]] on neurons (2p, 2p + 1): eigenvalues ±s_p, known.
    const n = 1200;
    const s = (p: number) => 0.2 + (0.6 * p) / (n / 2); // 0.2 … < 0.8, one block per pair
    const indptr = Array.from({ length: n + 1 }, (_, i) => i);
    const indices = Array.from({ length: n }, (_, i) => i ^ 1);
    const values = Array.from({ length: n }, (_, i) => s(i >> 1));
    using net = SparseRNN.fromArrays({
      config: { inputs: 1, outputs: 2 },
      indptr,
      indices,
      values,
    });
    const found = spectrum(net);
    expect(found.method).toBe('arnoldi');
    expect(found.re).toHaveLength(20);
    expect(found.radius).toBeCloseTo(Math.fround(s(n / 2 - 1)), 10); // weights are float32
    // The two leading ones are ±s_max, real.
    expect(found.re.slice(0, 2).map(Math.abs)).toEqual(
      [found.radius, found.radius].map((r) => expect.closeTo(r, 8)),
    );
    expect(Math.max(...found.im.slice(0, 2).map(Math.abs))).toBeLessThan(1e-8);
    // A random graph: the radius within the disc's edge (Ritz values approach it from inside).
    using random = new SparseRNN({ inputs: 1, outputs: 2, neurons: 2000, k: 50, seed: 3 });
    const r = spectrum(random);
    expect(r.radius).toBeGreaterThan(0.85);
    expect(r.radius).toBeLessThan(1.12);
    expect(r.insideCircularLaw).toBeNull();
  });
});

describe('sqrtk analyze', () => {
  const cli = (args: string[], env: Record<string, string> = {}) =>
    spawnSync('node', ['dist/cli.js', ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });

  it('writes the spectrum before and after training into DIR/analysis.json', () => {
    const out = mkdtempSync(join(tmpdir(), 'sqrtk-analyze-'));
    const flags = ['--neurons', '200', '--k', '20', '--epochs', '2', '--growth', 'sampled'];
    expect(cli(['train', ...flags, '--rewire-every', '10', '--out', out]).status).toBe(0);
    const r = cli(['analyze', out, '--fixed-point-seeds', '0']);
    expect(r.status, r.stderr).toBe(0);
    const a = JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8'));
    const s = a.spectrum;
    expect(s.before.re).toHaveLength(200);
    expect(s.after.re).toHaveLength(200);
    expect(s.before.circularLaw).toBe(1);
    expect(s.before.radius).toBeGreaterThan(0.8);
    expect(s.before.radius).toBeLessThan(1.25);
    expect(s.after.re).not.toEqual(s.before.re); // training moved the weights
    // The digits: trajectories by digit, selectivity for it, no psychometric curve.
    expect(a.task).toBe('digits');
    expect(a.trajectories.condition).toBe('digit');
    expect(a.trajectories.groups).toHaveLength(10);
    expect(a.selectivity.map((v: { variable: string }) => v.variable)).toEqual(['digit']);
    expect(a.psychometric).toBeNull();
    expect(a.fixedPoints).toEqual([]);
    expect(cli(['analyze', join(out, 'missing')]).stderr).toMatch(
      /^error: .*missing\/config\.json: does not exist; is this the --out directory of a finished `sqrtk train`\?$/m,
    );
    expect(cli(['analyze', out, '--trials', '1']).stderr).toMatch(
      /option '--trials <n>' argument '1' is invalid\. must be at least 2/,
    );
    expect(cli(['analyze', out, '--condition', 'colour']).stderr).toMatch(
      /^error: --condition \(="colour"\) is not a task variable of the digits trials \(digit\); pick one of those, or leave out --condition$/m,
    );
  });

  it('analyzes a decision task, adds the section to the report and writes its figures', () => {
    const out = mkdtempSync(join(tmpdir(), 'sqrtk-analyze-pd-'));
    const flags = ['--task', 'perceptual-decision', '--neurons', '100', '--k', '10'];
    const task = ['--task-option', 'trials=300', '--task-option', 'testTrials=100'];
    expect(cli(['train', ...flags, ...task, '--epochs', '3', '--out', out]).status).toBe(0);
    const r = cli(['analyze', out, '--trials', '100', '--permutations', '99']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^analyze: analyzing the trained network on perceptual-decision/m);
    const a = JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8'));
    expect(a.trials).toBe(100);
    expect(a.trajectories.condition).toBe('evidence');
    expect(a.psychometric[0].levels).toHaveLength(9);
    expect(a.structure[0].pValue).toBeGreaterThanOrEqual(0.01); // 1 / (99 + 1) at least
    // Under no input and under the fixation cue, each with at least one point.
    expect(a.fixedPoints.map((f: { input: string }) => f.input)).toEqual([
      'no input',
      'fixation cue',
    ]);
    for (const f of a.fixedPoints) {
      expect(f.points.length).toBeGreaterThan(0);
      for (const p of f.points) {
        expect(p.pcs).toHaveLength(3);
        expect(p.output).toHaveLength(3);
      }
    }
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h2>What did it learn?</h2>');
    expect(html).toContain('Population trajectories');
    expect(html).toContain('Psychometric fits');

    const figures = cli(['report', out, '--figures']);
    expect(figures.status, figures.stderr).toBe(0);
    const files = readdirSync(join(out, 'figures'));
    expect(files).toContain('01-loss.svg');
    expect(files.some((f) => /^\d\d-population-trajectories\.svg$/.test(f))).toBe(true);
    const svg = readFileSync(join(out, 'figures', '01-loss.svg'), 'utf8');
    expect(svg).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg class="chart" xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
    );
    expect(cli(['report', out, '--png']).stderr).toMatch(
      /^error: --png \(=true\) needs --figures/m,
    );
    expect(
      cli(['report', out, '--figures', '--png'], { SQRTK_CHROMIUM: '/nowhere/chromium' }).stderr,
    ).toMatch(
      /^error: --png \(=true\) needs Chromium, and SQRTK_CHROMIUM \(=\/nowhere\/chromium\) does not exist; install Chromium/m,
    );
  }, 60_000);

  it('keeps analysis and figures with the network they are of', () => {
    const out = mkdtempSync(join(tmpdir(), 'sqrtk-analyze-files-'));
    const train = ['train', '--neurons', '60', '--k', '6', '--epochs', '1', '--out', out];
    expect(cli(train).status).toBe(0);
    expect(cli(['analyze', out, '--fixed-point-seeds', '0', '--permutations', '9']).status).toBe(0);
    mkdirSync(join(out, 'figures'));
    writeFileSync(join(out, 'figures', '99-old-chart.svg'), '<svg/>');
    writeFileSync(join(out, 'figures', 'my-notes.txt'), 'mine');
    expect(cli(['report', out, '--figures']).status).toBe(0);
    const figures = readdirSync(join(out, 'figures'));
    expect(figures).not.toContain('99-old-chart.svg'); // an earlier report's figure
    expect(figures).toContain('my-notes.txt'); // not ours: kept
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('What did it learn?');

    // An analysis of another network is left out of the report, with a warning.
    const path = join(out, 'analysis.json');
    const analysis = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...analysis, state_hash: '0000000000000000' }));
    let r = cli(['report', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(
      /^warning: .*analysis\.json: is of another network \(state 0000000000000000, the run's is [0-9a-f]{16}\); the report leaves it out \(run sqrtk analyze .* again\)$/m,
    );
    expect(readFileSync(join(out, 'report.html'), 'utf8')).not.toContain('What did it learn?');
    writeFileSync(path, '{}');
    r = cli(['report', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(
      /analysis\.json: is not an analysis of sqrtk analyze; the report leaves it out/,
    );

    // --png without Chromium fails before the report is written again.
    const before = statSync(join(out, 'report.html')).mtimeMs;
    r = cli(['report', out, '--figures', '--png'], { SQRTK_CHROMIUM: '/nowhere/chromium' });
    expect(r.status).toBe(2);
    expect(statSync(join(out, 'report.html')).mtimeMs).toBe(before);

    // Training again over the run removes its analysis and figures.
    expect(cli([...train, '--overwrite', '--seed', '2']).status).toBe(0);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(join(out, 'figures'))).toEqual(['my-notes.txt']);

    // An imported network has no "before training" to rebuild.
    expect(cli(['export', out, '--format', 'npz']).status).toBe(0);
    const imported = join(out, 'imported');
    expect(cli(['import', join(out, 'export', 'network.npz'), '--out', imported]).status).toBe(0);
    r = cli(['analyze', imported]);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(join(imported, 'analysis.json'), 'utf8')).spectrum;
    expect(s.before).toBeNull();
    expect(s.after.re).toHaveLength(60);
  }, 60_000);

  it('finds the 8 memories of a trained 3-bit flip-flop as stable fixed points', () => {
    const out = mkdtempSync(join(tmpdir(), 'sqrtk-analyze-ff-'));
    const flags = ['--task', 'flip-flop', '--neurons', '64', '--k', '16', '--lr', '0.01'];
    expect(
      cli(['train', ...flags, '--epochs', '20', '--growth', 'gradient', '--out', out]).status,
    ).toBe(0);
    const r = cli(['analyze', out, '--permutations', '99']);
    expect(r.status, r.stderr).toBe(0);
    const a = JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8'));
    expect(a.fixedPoints.map((f: { input: string }) => f.input)).toEqual(['no input']);
    const points = a.fixedPoints[0].points as { kind: string; stable: boolean; output: number[] }[];
    const stable = points.filter((p) => p.kind === 'fixed' && p.stable);
    const signs = stable.map((p) => p.output.map((y) => (y > 0 ? '+' : '-')).join(''));
    expect(new Set(signs).size).toBe(8);
    expect(stable).toHaveLength(8);
    expect(Math.min(...stable.flatMap((p) => p.output.map(Math.abs)))).toBeGreaterThan(0.5);
  }, 60_000);

  it.skipIf(!chromiumAvailable)(
    'renders each figure as a PNG twice its size with Chromium',
    () => {
      const out = mkdtempSync(join(tmpdir(), 'sqrtk-figures-'));
      const flags = ['--neurons', '60', '--k', '6', '--epochs', '1'];
      expect(cli(['train', ...flags, '--out', out]).status).toBe(0);
      const r = cli(['report', out, '--figures', '--png'], { SQRTK_CHROMIUM: CHROMIUM });
      expect(r.status, r.stderr).toBe(0);
      const png = readFileSync(join(out, 'figures', '01-loss.png'));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      const svg = readFileSync(join(out, 'figures', '01-loss.svg'), 'utf8');
      const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
      // The PNG header: width and height, big-endian, at bytes 16 and 20.
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([2 * w, 2 * h]);
    },
    60_000,
  );
});

describe('trajectories', () => {
  it('gives the PCA NumPy gives (test/fixtures/pca.json, scripts/gen-analysis-fixtures.py)', () => {
    const f = JSON.parse(readFileSync('test/fixtures/pca.json', 'utf8'));
    const { trials, steps, neurons } = f;
    const rates = new Float64Array(trials * steps * neurons);
    for (let s = 0; s < trials * steps; s++)
      for (let i = 0; i < neurons; i++)
        rates[s * neurons + i] =
          (1 + i / 2) * Math.sin(0.37 * (s + 1) * (i + 1)) + 0.1 * i * Math.cos(0.11 * s);
    const values = Float64Array.from({ length: trials }, (_, b) => b % 2);
    const { trajectories: t } = trajectories(
      { trials, steps, neurons, rates },
      { name: 'parity', values },
    );
    expect(t.method).toBe('covariance');
    t.explained.forEach((e, k) => expect(e).toBeCloseTo(f.explained[k], 10));
    // Mean trajectory of the odd trials, against NumPy's projections (each component's sign is
    // arbitrary, so it is matched first).
    // NIPALS (used above 1,000 neurons) finds the same leading components.
    const nipals = trajectories({ trials, steps, neurons, rates }, null, [], 'NIPALS');
    expect(nipals.trajectories.method).toBe('NIPALS');
    for (let k = 0; k < 3; k++)
      expect(nipals.trajectories.explained[k]).toBeCloseTo(f.explained[k], 6);
    const odd = t.groups.find((g) => g.value === 1)!;
    expect(odd.trials).toBe(trials / 2);
    for (let c = 0; c < 3; c++) {
      const numpy = Array.from({ length: steps }, (_, step) => {
        let sum = 0;
        for (let b = 1; b < trials; b += 2) sum += f.projected[b * steps + step][c];
        return sum / (trials / 2);
      });
      const sign = Math.sign(numpy[0]) * Math.sign(odd.mean[0][c]);
      numpy.forEach((v, step) => expect(sign * odd.mean[step][c]).toBeCloseTo(v, 9));
    }
  });

  it('searches fixed points from fewer seeds on larger networks', () => {
    expect([100, 300, 1000, 4000, 5000, 5001].map(defaultFixedPointSeeds)).toEqual([
      64, 64, 19, 8, 8, 0,
    ]);
  });

  it('gives no share of variance to rates that do not vary', () => {
    const rates = new Float64Array(4 * 3 * 5).fill(0.3);
    const { trajectories: t } = trajectories({ trials: 4, steps: 3, neurons: 5, rates }, null);
    expect(t.explained.every((e) => e === 0)).toBe(true);
    const nipals = trajectories({ trials: 4, steps: 3, neurons: 5, rates }, null, [], 'NIPALS');
    expect(nipals.trajectories.explained.every((e) => e === 0)).toBe(true);
  });

  it('groups a variable by its values, or in quantile bins when it has many', () => {
    const three = [2, 1, 2, 1, 3, 3, 1, 2, 3];
    expect(groupTrials(three, 9).map((g) => [g.value, g.trials])).toEqual([
      [1, [1, 3, 6]],
      [2, [0, 2, 7]],
      [3, [4, 5, 8]],
    ]);
    // Fewer than 3 trials per value: pooled into bins of at least 3 (here one bin).
    expect(groupTrials([2, 1, 2, 1, 3], 5)).toHaveLength(1);
    const many = Array.from({ length: 100 }, (_, b) => (b * 37) % 100);
    const bins = groupTrials(many, 100);
    expect(bins).toHaveLength(BINS);
    expect(bins.map((g) => g.trials.length)).toEqual([20, 20, 20, 20, 20]);
    expect(bins.map((g) => g.range)).toEqual([
      [0, 19],
      [20, 39],
      [40, 59],
      [60, 79],
      [80, 99],
    ]);
    expect(groupTrials([5, 4, 5, 4, 4, 5, 3], 6).map((g) => g.value)).toEqual([4, 5]); // the first 6 only
  });
});

describe('selectivity', () => {
  it('is 1 for a neuron the variable sets, 0 for a constant one, and the ANOVA η² otherwise', () => {
    const trials = 60;
    const steps = 2;
    const neurons = 3;
    const values = Float64Array.from({ length: trials }, (_, b) => b % 3);
    const noise = Float64Array.from({ length: trials }, (_, b) => Math.sin(12.9898 * b) * 0.7);
    const rates = new Float64Array(trials * steps * neurons);
    for (let b = 0; b < trials; b++)
      for (let t = 0; t < steps; t++) {
        const at = (b * steps + t) * neurons;
        rates[at] = values[b] * 0.5; // set by the variable
        rates[at + 1] = 0.25; // constant
        rates[at + 2] = values[b] + noise[b]; // both
      }
    const [s] = selectivity({ trials, steps, neurons, rates }, { v: values }, null);
    expect(s.perNeuron[0]).toBeCloseTo(1, 12);
    expect(s.perNeuron[1]).toBe(0);
    // Independently: the R² of the least-squares fit on one indicator per value.
    const y = Array.from({ length: trials }, (_, b) => values[b] + noise[b]);
    const design = new Matrix(trials, 3);
    for (let b = 0; b < trials; b++) design.set(b, values[b], 1);
    const fit = design.mmul(solve(design, Matrix.columnVector(y)));
    const mean = y.reduce((a, v) => a + v, 0) / trials;
    const residual = y.reduce((a, v, b) => a + (v - fit.get(b, 0)) ** 2, 0);
    const total = y.reduce((a, v) => a + (v - mean) ** 2, 0);
    expect(s.perNeuron[2]).toBeCloseTo(1 - residual / total, 12);
    expect(s.populations).toHaveLength(1);
    expect(s.populations[0].histogram.reduce((a, v) => a + v, 0)).toBe(neurons);
    // With populations: E is neurons 0 … 1, I neuron 2.
    const [ei] = selectivity({ trials, steps, neurons, rates }, { v: values }, 2);
    expect(ei.populations.map((p) => [p.population, p.neurons])).toEqual([
      ['E', 2],
      ['I', 1],
    ]);
    expect(ei.populations[0].mean).toBeCloseTo(0.5, 12);
  });
});

describe('psychometric curves', () => {
  beforeAll(() => init());

  it('fits the logistic a set of choices came from', () => {
    const [mu, s] = [3, 7];
    const levels = [-40, -20, -10, -5, 0, 5, 10, 20, 40].map((x) => ({
      x,
      trials: 50,
      choice1: 1 / (1 + Math.exp(-(x - mu) / s)),
    }));
    const fit = fitLogistic(levels)!;
    expect(fit.bias).toBeCloseTo(mu, 4);
    expect(fit.scale).toBeCloseTo(s, 4);
    expect(fit.threshold).toBeCloseTo(s * Math.log(3), 4);
    expect(fit.slope).toBeCloseTo(1 / (4 * s), 6);
    expect(fit.undetermined).toBe(false);
    expect(fitLogistic(levels.map((l) => ({ ...l, choice1: 1 })))).toBeNull();
    // A falling curve: negative slope, the same threshold.
    const falling = fitLogistic(levels.map((l) => ({ ...l, choice1: 1 - l.choice1 })))!;
    expect(falling.bias).toBeCloseTo(mu, 4);
    expect(falling.slope).toBeCloseTo(-1 / (4 * s), 6);
    expect(falling.threshold).toBeCloseTo(s * Math.log(3), 4);
    // Levels at the same x are pooled; a step sharper than the levels can tell is flagged, and
    // so is a curve that barely moves.
    const twice = [...levels, ...levels.map((l) => ({ ...l, trials: 10 }))];
    expect(fitLogistic(twice)!.bias).toBeCloseTo(mu, 4);
    const step = [0, 0, 0, 1].map((choice1, k) => ({ x: k, trials: 20, choice1 }));
    expect(fitLogistic(step)!.undetermined).toBe(true);
    const flat = [0.5, 0.5, 0.51, 0.5].map((choice1, k) => ({ x: k, trials: 20, choice1 }));
    expect(fitLogistic(flat)!.undetermined).toBe(true);
  });

  it('of a network trained on perceptual decisions rise with the evidence', async () => {
    const task = loadTask('perceptual-decision', { trials: 400, testTrials: 300 });
    using net = new SparseRNN({ inputs: 3, outputs: 3, neurons: 100, k: 10, seed: 2 });
    await fit(net, task.train, { epochs: 10, batchSize: 16, lr: 0.01 });
    const [curve] = psychometric(net, 'perceptual-decision', task.test, 300)!;
    expect(curve.levels.map((l) => l.x)).toEqual([
      -51.2, -25.6, -12.8, -6.4, 0, 6.4, 12.8, 25.6, 51.2,
    ]);
    expect(curve.levels.reduce((n, l) => n + l.trials, 0)).toBe(300);
    expect(curve.levels[0].choice1).toBeLessThan(0.15);
    expect(curve.levels[8].choice1).toBeGreaterThan(0.85);
    expect(Math.abs(curve.fit!.bias)).toBeLessThan(10);
    expect(curve.fit!.slope).toBeGreaterThan(0);
    expect(psychometric(net, 'digits', task.test, 10)).toBeNull();
    // Another task's name for these trials: its variables are not there.
    expect(() => psychometric(net, 'context-dependent', task.test, 10)).toThrow(
      /^task \(="context-dependent"\) needs the task variables context, motion, colour and the mask of its trials; the data has direction, coherence, evidence; pass that task's test set/,
    );
    expect(psychometric(net, 'parametric-wm', task.test, 10)).toBeNull(); // f1 − f2: two values
    // analyze checks the data (one finite value per trial) and falls back to a variable there is.
    const short = { ...task.test, conditions: { c: new Float64Array(3) } };
    expect(() => analyze(net, short, { fixedPointSeeds: 0 })).toThrow(
      /^analysis data\.conditions\.c\.length \(=3\) must equal B \(=300\)/,
    );
    const other = { ...task.test, conditions: { side: task.test.conditions!.direction } };
    const a = analyze(net, other, { fixedPointSeeds: 0, permutations: 9, trials: 40 });
    expect(a.trajectories.condition).toBe('side');
  });
});

describe('learned structure against random placement', () => {
  const n = 60;
  /** A backbone of 6 random inputs per neuron and `learned(i)` learned ones, as a RecurrentMatrix. */
  function matrix(learned: (i: number, backbone: Set<number>) => number[]): RecurrentMatrix {
    const random = randomStream(7);
    const indptr = [0];
    const indices: number[] = [];
    const flags: number[] = [];
    for (let i = 0; i < n; i++) {
      const backbone = new Set<number>();
      while (backbone.size < 6) {
        const j = random.below(n);
        if (j !== i) backbone.add(j);
      }
      const extra = learned(i, backbone);
      for (const [list, flag] of [
        [[...backbone], 0],
        [extra, 1],
      ] as const)
        for (const j of list) {
          indices.push(j);
          flags.push(flag);
        }
      indptr.push(indices.length);
    }
    return {
      shape: [n, n],
      indptr: Uint32Array.from(indptr),
      indices: Uint32Array.from(indices),
      values: new Float32Array(indices.length),
      learned: Uint8Array.from(flags),
    };
  }
  const tuning = Array.from({ length: n }, (_, i) => [Math.cos(i), Math.sin(i), Math.cos(2 * i)]);
  const rate = Array.from({ length: n }, (_, i) => (i * 7) % 11);
  const inputs = (m: RecurrentMatrix) => ({
    matrix: m,
    tuning,
    rate,
    selectivity: null,
    excitatory: 48,
  });

  it('gives uniform p-values when the learned synapses are placed at random', () => {
    const pValues: number[] = [];
    for (let rep = 0; rep < 200; rep++) {
      // 3 learned inputs per neuron, drawn as the random placements are, with another seed.
      const base = matrix(() => []);
      const post = Uint32Array.from({ length: 3 * n }, (_, k) => Math.floor(k / 3));
      const placed = randomPlacer(base, { pre: new Uint32Array(3 * n), post }, 1000 + rep)();
      const m = matrix((i) => Array.from(placed.pre.subarray(3 * i, 3 * i + 3)));
      const test = structureTests(inputs(m), 99, rep);
      pValues.push(test.find((t) => t.statistic === 'tuningSimilarity')!.pValue);
    }
    // p takes the values k/100; under the null P(p ≤ 0.05) = 0.05 and P(p ≤ 0.5) = 0.5.
    const below = (q: number) => pValues.filter((p) => p <= q).length / pValues.length;
    expect(below(0.05)).toBeLessThan(0.05 + 3 * Math.sqrt((0.05 * 0.95) / 200));
    expect(below(0.5)).toBeGreaterThan(0.5 - 3 * Math.sqrt(0.25 / 200));
    expect(below(0.5)).toBeLessThan(0.5 + 3 * Math.sqrt(0.25 / 200));
    // Kolmogorov–Smirnov distance to the uniform law, below its 1 % critical value (1.63/√n).
    const sorted = [...pValues].sort((a, b) => a - b);
    const ks = Math.max(
      ...sorted.map((p, k) => Math.max(Math.abs((k + 1) / 200 - p), Math.abs(k / 200 - p))),
    );
    expect(ks).toBeLessThan(1.63 / Math.sqrt(200) + 0.01); // + 0.01: p is discrete in steps of 0.01
  });

  it('finds like-to-like wiring and a block preference', () => {
    // Each neuron learns the 3 inputs whose tuning is most like its own.
    const similar = matrix((i, backbone) =>
      Array.from({ length: n }, (_, j) => j)
        .filter((j) => j !== i && !backbone.has(j))
        .sort((a, b) => dotOf(tuning[b], tuning[i]) - dotOf(tuning[a], tuning[i]))
        .slice(0, 3),
    );
    const like = structureTests(inputs(similar), 199, 1).find(
      (t) => t.statistic === 'tuningSimilarity',
    )!;
    expect(like.learned).toBeGreaterThan(like.randomMean + 3 * like.randomSd);
    expect(like.pValue).toBe(1 / 200);
    // Every learned synapse from an inhibitory neuron (48 … 59).
    const fromI = matrix((i, backbone) =>
      [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59]
        .filter((j) => j !== i && !backbone.has(j))
        .slice(0, 2),
    );
    const tests = structureTests(inputs(fromI), 199, 1);
    const block = (name: string) => tests.find((t) => t.statistic === name)!;
    expect(block('block E→E').learned).toBe(0);
    expect(block('block I→E').learned).toBeCloseTo(48 / 60, 12);
    expect(block('block I→E').pValue).toBe(1 / 200);
    expect(block('block I→E').randomMean).toBeCloseTo((48 / 60) * (12 / 59), 1);
  });

  it('ranks ties by their mean rank', () => {
    expect(Array.from(ranks([3, 1, 3, 2]))).toEqual([3.5, 1, 3.5, 2]);
  });
});

function dotOf(a: number[], b: number[]): number {
  return a.reduce((s, v, k) => s + v * b[k], 0);
}
