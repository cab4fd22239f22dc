// The README's programs must run as printed (with fewer epochs, to stay fast).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
const readme = () => readFileSync(join(root, 'README.md'), 'utf8');

/**
 * Runs the first ```ts block of `text` (which must contain `expect`) against the built library,
 * with `from → to` replaced to keep it fast; returns what it printed.
 */
function runExample(text: string, contains: string, [from, to]: [string, string]): string {
  const example = /```ts\n([\s\S]*?)```/.exec(text)![1];
  expect(example).toContain(contains);
  const program = example
    .replace("from 'sqrtk'", `from '${join(root, 'dist', 'node.js')}'`)
    .replace(from, to);
  const file = join(mkdtempSync(join(tmpdir(), 'sqrtk-readme-')), 'example.mjs');
  writeFileSync(file, program);
  return execFileSync('node', [file], { encoding: 'utf8' });
}

describe('README', () => {
  it('the first TypeScript example runs and prints a test accuracy', () => {
    const output = runExample(readme(), "from 'sqrtk'", ['epochs: 20', 'epochs: 1']);
    const accuracy = Number(/test accuracy ([\d.]+)/.exec(output)![1]);
    expect(accuracy).toBeGreaterThan(0.5);
    expect(output).toMatch(/in-degree of neuron 0: \d+ of which learned: 10/);
  });

  it('the "Tasks" example trains on a generated task and prints its test accuracy', () => {
    const section = readme().slice(readme().indexOf('## Tasks'));
    const output = runExample(section, 'tasks.perceptualDecision', ['trials: 2000', 'trials: 600']);
    // Scored steps are mostly fixation steps, which a trained network gets right.
    expect(Number(/test accuracy \(scored steps\) ([\d.]+)/.exec(output)![1])).toBeGreaterThan(0.8);
  });

  it('the "Biological networks" example trains a balanced Dale network in hidden mode', () => {
    const section = readme().slice(readme().indexOf('## Biological networks'));
    const output = runExample(section, 'dale: true', ['epochs: 10', 'epochs: 2']);
    expect(Number(/test accuracy ([\d.]+)/.exec(output)![1])).toBeGreaterThan(0.55);
    // Hidden mode keeps every out-degree: the random graph's test result.
    expect(Number(/out-degree test p ([\d.]+)/.exec(output)![1])).toBeGreaterThan(0.001);
  });

  it('the "Your data" example loads an .npz written by its NumPy lines and trains on it', (ctx) => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Your data'));
    const python = /```python\n([\s\S]*?)```/.exec(section)![1];
    const program = /```ts\n([\s\S]*?)```/.exec(section)![1];
    const dir = mkdtempSync(join(tmpdir(), 'sqrtk-readme-data-'));
    // The README's two NumPy lines, after making x and labels: a task a network can learn.
    const make = [
      'import numpy as np',
      'rng = np.random.default_rng(0)',
      'x = rng.normal(size=(300, 6, 3))',
      'labels = (x[:, :, 0].sum(axis=1) > 0).astype(np.int64)',
      python,
    ].join('\n');
    const numpy = spawnSync('python3', ['-c', make], { cwd: dir, encoding: 'utf8' });
    if (numpy.status !== 0) {
      console.warn(`README "Your data" example skipped: NumPy is not available (${numpy.stderr})`);
      return ctx.skip();
    }
    const file = join(dir, 'example.mjs');
    writeFileSync(file, program.replace("from 'sqrtk'", `from '${join(root, 'dist', 'node.js')}'`));
    const output = execFileSync('node', [file], { cwd: dir, encoding: 'utf8' });
    expect(Number(/test accuracy ([\d.]+)/.exec(output)![1])).toBeGreaterThan(0.8);
  });
});
