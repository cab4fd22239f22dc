// `sqrtk train --data`: your own NumPy files from the command line.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'sqrtk-cli-data-'));
const small = ['--neurons', '120', '--k', '12', '--epochs', '4', '--threads', '1'];
const cli = (...args: string[]) =>
  spawnSync('node', [join(root, 'dist', 'cli.js'), ...args], { cwd: dir, encoding: 'utf8' });
const json = (path: string) => JSON.parse(readFileSync(join(dir, path), 'utf8'));

// Sequences whose class is the sign of their summed first input, saved as float64 (with an
// offset and scale that --standardize removes), and one file with a class per step.
const numpy = [
  'import numpy as np',
  'rng = np.random.default_rng(0)',
  'x = rng.normal(size=(400, 6, 3)) * 5 + 2',
  "np.savez('train.npz', x=x, labels=(x[:, :, 0].sum(1) > 12).astype(np.int64))",
  'y = rng.normal(size=(100, 6, 3)) * 5 + 2',
  "np.savez('test.npz', x=y.astype(np.float32), labels=(y[:, :, 0].sum(1) > 12).astype(np.int32))",
  // A class per step: is input 0 above its mean at this step? Step 0 is not scored (-1, mask 0).
  'steps = (x[:, :, 0] > 2).astype(np.int64)',
  'steps[:, 0] = -1',
  "np.savez('per_step.npz', x=x, labels=steps, mask=steps >= 0)",
].join('\n');
let hasNumpy = false;

beforeAll(() => {
  const r = spawnSync('python3', ['-c', numpy], { cwd: dir, encoding: 'utf8' });
  hasNumpy = r.status === 0;
  if (!hasNumpy) console.warn(`sqrtk train --data tests skipped: NumPy is missing (${r.stderr})`);
});

describe('sqrtk train --data', () => {
  it('trains on an .npz, holds out a test set, standardizes, and records the file', (ctx) => {
    if (!hasNumpy) return ctx.skip();
    const r = cli('train', '--data', 'train.npz', '--standardize', ...small, '--out', 'r1');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('array "x" is float64; read as float32');
    const config = json('r1/config.json');
    const sha256 = createHash('sha256')
      .update(readFileSync(join(dir, 'train.npz')))
      .digest('hex');
    expect(config.data).toEqual([
      { role: 'train', path: join(dir, 'train.npz'), bytes: expect.any(Number), sha256 },
    ]);
    expect(config.task.description).toMatch(
      /400 sequences of 6 steps, 3 inputs, 2 classes; 80 held out/,
    );
    expect(config.network).toMatchObject({ inputs: 3, outputs: 2, loss: 'cross_entropy' });
    expect(json('r1/summary.json').test_accuracy).toBeGreaterThan(0.75);
  });

  it('trains on a class per step with a mask, and reports step and trial accuracy', (ctx) => {
    if (!hasNumpy) return ctx.skip();
    const r = cli('train', '--data', 'per_step.npz', '--standardize', ...small, '--out', 'r3');
    expect(r.status, r.stderr).toBe(0);
    const summary = json('r3/summary.json');
    // Chance is 0.5 per step and 0.5^5 ≈ 0.03 for a whole trial (5 scored steps).
    expect(summary.test_accuracy).toBeGreaterThan(0.85);
    expect(summary.test_trial_accuracy).toBeGreaterThan(0.3);
    expect(summary.test_trial_accuracy).toBeLessThanOrEqual(summary.test_accuracy);
  });

  it('takes a separate --test file, and --resume refuses a data file that changed', (ctx) => {
    if (!hasNumpy) return ctx.skip();
    const args = ['--data', 'train.npz', '--test', 'test.npz', '--checkpoint-every', '10'];
    const r = cli('train', ...args, ...small, '--out', 'r2');
    expect(r.status, r.stderr).toBe(0);
    expect(json('r2/config.json').data.map((f: { role: string }) => f.role)).toEqual([
      'train',
      'test',
    ]);
    writeFileSync(join(dir, 'test.npz'), readFileSync(join(dir, 'train.npz')));
    const resumed = cli('train', '--resume', 'r2');
    expect(resumed.status).toBe(1);
    expect(resumed.stderr).toMatch(
      /test\.npz: changed since the run started \(SHA-256 .*\); restore that file/,
    );
  });

  it('refuses options that do not fit together or the data, before writing anything', (ctx) => {
    if (!hasNumpy) return ctx.skip();
    const cases: [string[], number, RegExp][] = [
      [
        ['--data', 'train.npz', '--test', 'train.npz', '--test-fraction', '0.3'],
        2,
        /^error: --test-fraction \(=0\.3\) cannot be combined with --test/,
      ],
      [['--standardize'], 2, /^error: --standardize \(=true\) needs --data; pass --data FILE too/],
      [
        ['--data', 'train.npz', '--loss', 'mse'],
        2,
        /^error: --loss \(="mse"\) does not fit .*train\.npz, which holds labels \(loss cross_entropy\)/m,
      ],
      [['--data', 'missing.npz'], 1, /--data \(=".*missing\.npz"\) does not exist; check the path/],
    ];
    for (const [args, status, message] of cases) {
      const r = cli('train', ...args, ...small, '--out', 'never');
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(status);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(spawnSync('ls', [join(dir, 'never')]).status).not.toBe(0);
  });
});
