// The benchmark harness at a tiny smoke size: every implementation runs and reports the fields
// the README table is made from (the real sizes run with `npm run bench`, never in CI).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');

describe('npm run bench (smoke size)', () => {
  it('measures every implementation side by side and writes JSON and Markdown', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sqrtk-bench-')), 'smoke.json');
    execFileSync('node', [join(root, 'bench', 'run.mjs'), '--quick', '--out', out], {
      cwd: root,
      stdio: 'pipe',
      timeout: 300_000,
    });
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.machine.cores).toBeGreaterThan(0);
    const byName = (name: string) =>
      report.results.filter((r: { implementation: string }) => r.implementation === name);
    const ok = (r: {
      status: string;
      train_step_ms: number;
      forward_step_ms: number;
      peak_rss_mb: number;
    }) => {
      expect(r.status).toBe('ok');
      expect(r.train_step_ms).toBeGreaterThan(0);
      expect(r.forward_step_ms).toBeGreaterThan(0);
      expect(r.peak_rss_mb).toBeGreaterThan(0);
    };
    expect(byName('sqrtk wasm').map((r: { threads: number }) => r.threads)).toEqual([
      1,
      report.machine.cores,
    ]);
    byName('sqrtk wasm').forEach(ok);
    expect(byName('sqrtk native')).toHaveLength(2);
    byName('sqrtk native').forEach(ok);
    byName('plain JS CSR').forEach(ok);
    byName('tfjs-wasm dense×mask').forEach(ok);
    // Every PyTorch variant at 1 and all threads: measured where torch is installed, else skipped.
    for (const variant of [
      'pytorch CSR + sampled_addmm',
      'pytorch dense×mask',
      'pytorch sparse (custom autograd)',
    ]) {
      const runs = byName(variant);
      expect(runs.map((r: { threads: number }) => r.threads)).toEqual([1, report.machine.cores]);
      for (const torch of runs) expect(['ok', 'skipped']).toContain(torch.status);
    }
    const markdown = readFileSync(out.replace(/\.json$/, '.md'), 'utf8');
    expect(markdown).toMatch(/^Measured \d{4}-\d\d-\d\d on .+, \d+ cores/);
    expect(markdown).toContain('| sqrtk wasm | 1 | 256 | 16 | 8 | 5 |');
  }, 300_000);

  it('the plain JavaScript baseline computes the right gradient (finite-difference check)', () => {
    expect(() =>
      execFileSync('node', [join(root, 'bench', 'plain-js.mjs'), '--check'], { stdio: 'pipe' }),
    ).not.toThrow();
  });
});
