// Every example in examples/ runs as a newcomer would run it, in its own folder, and does
// what its comments promise.
import { execFileSync, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const examples = resolve(__dirname, '..', 'examples');
const run = (folder: string, command: string, ...args: string[]) =>
  execFileSync(command, args, { cwd: join(examples, folder), encoding: 'utf8' });

const python = spawnSync('python3', ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
const hasScipy = python.status === 0;
if (!hasScipy && process.env.CI) throw new Error(`examples need numpy and scipy: ${python.stderr}`);
if (!hasScipy) console.warn(`SKIPPED the Python examples: numpy/scipy missing (${python.stderr})`);

describe('examples without Python', () => {
  it('cognitive-task: learns the decision task and its accuracy rises with coherence', () => {
    const output = run('cognitive-task', 'node', 'train.mjs');
    const curve = [...output.matchAll(/coherence +([\d.]+)%: ([\d.]+) right/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    expect(curve.map(([c]) => c)).toEqual([0, 6.4, 12.8, 25.6, 51.2]);
    const accuracy = curve.map(([, a]) => a);
    expect(accuracy[0]).toBeGreaterThan(0.35); // no evidence: chance, 0.5
    expect(accuracy[0]).toBeLessThan(0.65);
    expect(accuracy[4]).toBeGreaterThan(0.9); // strong evidence: nearly always right
    expect(accuracy[4]).toBeGreaterThan(accuracy[2]);
    expect(accuracy[2]).toBeGreaterThan(accuracy[0]);
  }, 120_000);
});

describe('fixed-points example', () => {
  it('fixed-points: the trained flip-flop has 8 stable fixed points, one per memory', () => {
    const output = run('fixed-points', 'node', 'flipflop.mjs');
    expect(Number(/test mean squared error ([\d.]+)/.exec(output)![1])).toBeLessThan(0.05);
    expect(output).toMatch(/^\d+ fixed points \(8 stable\), \d+ slow points:$/m);
    const memories = [...output.matchAll(/^ {2}memory ([+-]{3}) /gm)].map((m) => m[1]);
    expect(new Set(memories).size).toBe(8);
  }, 120_000);
});

describe.skipIf(!hasScipy)('examples with NumPy and SciPy', () => {
  it('your-data: make_data.py writes an .npz and train.mjs learns it well above chance', () => {
    expect(run('your-data', 'python3', 'make_data.py')).toMatch(/wrote mydata\.npz/);
    const output = run('your-data', 'node', 'train.mjs');
    const accuracy = Number(/final test accuracy ([\d.]+) \(chance 0\.333\)/.exec(output)![1]);
    expect(accuracy).toBeGreaterThan(0.6);
  }, 120_000);

  it('python: the exported network gives the same outputs in NumPy/SciPy as in sqrtk', () => {
    expect(run('python', 'node', 'export_for_python.mjs')).toMatch(/wrote network\.npz/);
    const output = run('python', 'python3', 'check_export.py');
    const difference = Number(
      /NumPy\/SciPy: largest difference from sqrtk ([\d.e+-]+)/.exec(output)![1],
    );
    expect(difference).toBeLessThan(1e-4);
    expect(output).toMatch(/the exported network gives the same outputs as sqrtk/);
  }, 120_000);
});
