// The analyses of a trained network, against answers known without them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, SparseRNN } from '../ts/node/index.js';
import { denseRecurrent, spectrum } from '../ts/analysis/spectrum.js';

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

  it('gives no circular law for balanced scaling, and refuses networks too large to decompose', () => {
    const ei = { excitatory: 0.8, dale: true, scaling: 'balanced' } as const;
    using balanced = new SparseRNN({ inputs: 1, outputs: 2, neurons: 200, k: 20, seed: 1, ...ei });
    expect(spectrum(balanced)).toMatchObject({ circularLaw: null, insideCircularLaw: null });
    using large = new SparseRNN({ inputs: 1, outputs: 2, neurons: 1001, k: 10, seed: 1 });
    expect(() => spectrum(large)).toThrow(
      /^neurons \(=1001\) is more than the 1000 whose spectrum is computed exactly/,
    );
  });
});

describe('sqrtk analyze', () => {
  it('writes the spectrum before and after training into DIR/analysis.json', () => {
    const out = mkdtempSync(join(tmpdir(), 'sqrtk-analyze-'));
    const cli = (...args: string[]) =>
      spawnSync('node', ['dist/cli.js', ...args], { encoding: 'utf8' });
    const flags = ['--neurons', '200', '--k', '20', '--epochs', '2', '--growth', 'sampled'];
    expect(cli('train', ...flags, '--rewire-every', '10', '--out', out).status).toBe(0);
    const r = cli('analyze', out);
    expect(r.status, r.stderr).toBe(0);
    const { spectrum: s } = JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8'));
    expect(s.before.re).toHaveLength(200);
    expect(s.after.re).toHaveLength(200);
    expect(s.before.circularLaw).toBe(1);
    expect(s.before.radius).toBeGreaterThan(0.8);
    expect(s.before.radius).toBeLessThan(1.25);
    expect(s.after.re).not.toEqual(s.before.re); // training moved the weights
    expect(cli('analyze', join(out, 'missing')).stderr).toMatch(
      /^error: .*missing\/config\.json: does not exist; is this the --out directory of a finished `sqrtk train`\?$/m,
    );
  });
});
