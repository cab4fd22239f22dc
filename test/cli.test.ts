// The `sqrtk` command line, run as a user would (built bundle in dist/, a child process).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = (...args: string[]) =>
  spawnSync('node', ['dist/cli.js', ...args], { encoding: 'utf8' });

describe('sqrtk CLI', () => {
  it('trains on digits and writes config.json, metrics.jsonl and summary.json', () => {
    const out = mkdtempSync(join(tmpdir(), 'sqrtk-cli-'));
    const args = [
      'train',
      '--task',
      'digits',
      '--neurons',
      '150',
      '--k',
      '15',
      '--epochs',
      '2',
      '--seed',
      '4',
      '--out',
      out,
    ];
    const r = cli(...args);
    expect(r.stderr).toContain('epoch 2/2');
    expect(r.status).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.test_accuracy).toBeGreaterThan(0.5);
    expect(summary.learned_per_neuron).toBe(4);
    expect(summary.learned_per_neuron_check).toEqual({ min: 4, max: 4 });
    expect(summary.in_degree.mean).toBeCloseTo(summary.backbone_in_degree.mean + 4, 10);
    expect(summary.state_hash).toMatch(/^[0-9a-f]{16}$/);
    expect(summary).toMatchObject({ growth: 'random', mode: 'add', rewires: 0, turnover: 0 });
    expect(summary.in_degree_test).toMatchObject({
      test: 'chi-square',
      against: 'Binomial(149, 15/150)',
    });
    // Add mode shifts every in-degree by M = 4 (about 1 sd): the test rejects clearly (README: p ≈ 0).
    expect(summary.in_degree_test.p_value).toBeLessThan(1e-6);
    // Every synapse is counted once by its sender: the out-degrees add up to the in-degrees.
    expect(summary.out_degree.mean).toBeCloseTo(summary.in_degree.mean, 10);
    expect(summary.learned_out_degree.mean).toBeCloseTo(4, 10);
    expect(summary.out_degree_test).toMatchObject({
      test: 'chi-square',
      against: 'Binomial(149, 15/150)',
    });
    expect(summary.seed).toBe(4);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.network).toMatchObject({
      neurons: 150,
      k: 15,
      learned: 4,
      seed: 4,
      growth: 'random',
    });
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2]);
    expect(metrics[1].test_accuracy).toBe(summary.test_accuracy);

    const again = mkdtempSync(join(tmpdir(), 'sqrtk-cli-'));
    cli(...args.slice(0, -1), again);
    expect(JSON.parse(readFileSync(join(again, 'summary.json'), 'utf8')).state_hash).toBe(
      summary.state_hash,
    );
  });

  it('trains with gradient growth in hidden mode and reports the rewiring', () => {
    const out = mkdtempSync(join(tmpdir(), 'sqrtk-cli-'));
    const r = cli(
      'train',
      '--task',
      'dms',
      '--neurons',
      '100',
      '--k',
      '10',
      '--epochs',
      '1',
      '--growth',
      'gradient',
      '--mode',
      'hidden',
      '--rewire-every',
      '10',
      '--out',
      out,
    );
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({
      task: 'dms',
      growth: 'gradient',
      mode: 'hidden',
      learned_per_neuron: 3,
    });
    expect(summary.rewires).toBeGreaterThan(0);
    expect(summary.turnover).toBeGreaterThan(0);
    expect(summary.in_degree.mean).toBeCloseTo(summary.backbone_in_degree.mean + 3, 10);
    // Hidden mode keeps every in-degree at its Binomial value: the test does not reject.
    expect(summary.in_degree_test.p_value).toBeGreaterThan(0.001);
  });

  it('compares strategies over seeds and writes compare.json and a Markdown table', () => {
    const out = mkdtempSync(join(tmpdir(), 'sqrtk-compare-'));
    const args = [
      '--task',
      'digits',
      '--neurons',
      '60',
      '--k',
      '6',
      '--epochs',
      '1',
      '--seeds',
      '2',
      '--strategies',
      'random,gradient',
      '--rewire-every',
      'gradient=5',
      '--out',
      out,
    ];
    const r = cli('compare', ...args);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('[8/8] digits trainable gradient seed 2');
    const result = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    // The schedule by strategy: gradient's as given, random's the default.
    expect(result.settings.fit.gradient).toMatchObject({ rewireEvery: 5, rewireUntil: 0.75 });
    expect(result.settings.fit.random).toMatchObject({ rewireEvery: 100, rewireUntil: 0.75 });
    expect(result.groups).toHaveLength(4);
    const frozenGradient = result.groups.find(
      (g: { backbone: string; growth: string }) =>
        g.backbone === 'frozen' && g.growth === 'gradient',
    );
    expect(frozenGradient.test_accuracy.values).toHaveLength(2);
    expect(frozenGradient.turnover.mean).toBeGreaterThan(0);
    // Paired by seed against random: the differences are the per-seed accuracy differences.
    const frozenRandom = result.groups.find(
      (g: { backbone: string; growth: string }) => g.backbone === 'frozen' && g.growth === 'random',
    );
    expect(frozenRandom.vs_random).toBeNull();
    const paired = frozenGradient.vs_random;
    // One label per sequence: the score is the test accuracy.
    expect(frozenGradient.score.metric).toBe('test_accuracy');
    expect(frozenGradient.score.values).toEqual(frozenGradient.test_accuracy.values);
    expect(paired.differences).toEqual(
      frozenGradient.test_accuracy.values.map(
        (v: number, i: number) => v - frozenRandom.test_accuracy.values[i],
      ),
    );
    expect(paired.dof).toBe(1);
    expect(paired.p_value === null || (paired.p_value >= 0 && paired.p_value <= 1)).toBe(true);
    expect(frozenGradient.out_degree_test_p.median).toBeGreaterThanOrEqual(0);
    const table = readFileSync(join(out, 'compare.md'), 'utf8');
    // Four rows in the full table, two (frozen, trainable) in the condensed one.
    expect(table.split('\n').filter((l) => l.startsWith('| digits'))).toHaveLength(6);
    // compare is a preset sweep: its runs are run directories, and the same command again
    // finds them done (a stopped compare goes on from where it was).
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.variations).toEqual([
      { growth: 'random' },
      { growth: 'gradient', rewireEvery: 5 },
    ]);
    expect(manifest.grid).toEqual({ task: ['digits'], trainBackbone: [false, true] });
    const trial = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')).trials[7];
    const run = JSON.parse(readFileSync(join(out, trial.dir, 'summary.json'), 'utf8'));
    expect(run).toMatchObject({ growth: 'gradient', seed: 2, train_backbone: true });
    expect(table).toContain('Paired against random, p < 0.05, of 2 comparisons:');
    const again = cli('compare', ...args);
    expect(again.stderr).toMatch(/^sweep: 8 done, 0 running, 0 failed, 0 left$/m);
    expect(readFileSync(join(out, 'compare.md'), 'utf8')).toBe(table);
    expect(cli('compare', '--strategies', 'random,rigl', '--out', out).stderr).toMatch(
      /strategies \(="rigl"\) is not one of random, gradient, sampled, deep_r/,
    );
  });

  it('ranks per-step tasks by trial accuracy and regression tasks by test loss', () => {
    const out = mkdtempSync(join(tmpdir(), 'sqrtk-compare-'));
    const small = ['--neurons', '40', '--k', '4', '--epochs', '1', '--seeds', '2'];
    const r = cli(
      'compare',
      '--task',
      'dnms,flip-flop',
      ...small,
      '--strategies',
      'random,sampled',
      '--backbones',
      'frozen',
      '--rewire-every',
      '5',
      '--keep-best',
      '--out',
      out,
    );
    expect(r.status, r.stderr).toBe(0);
    const { groups } = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    const group = (task: string, growth: string) =>
      groups.find((g: { task: string; growth: string }) => g.task === task && g.growth === growth);
    const [dnmsRandom, dnmsSampled] = [group('dnms', 'random'), group('dnms', 'sampled')];
    expect(dnmsSampled.score.metric).toBe('test_trial_accuracy');
    expect(dnmsSampled.score.higher_is_better).toBe(true);
    // The trial accuracy is a different number from the step accuracy (fixation steps count).
    expect(dnmsSampled.score.values).not.toEqual(dnmsSampled.test_accuracy.values);
    expect(dnmsSampled.vs_random.differences).toEqual(
      dnmsSampled.score.values.map((v: number, i: number) => v - dnmsRandom.score.values[i]),
    );
    const flipFlop = group('flip-flop', 'sampled');
    expect(flipFlop.score.metric).toBe('test_loss');
    expect(flipFlop.score.higher_is_better).toBe(false);
    expect(flipFlop.score.values.every((v: number) => Number.isFinite(v) && v > 0)).toBe(true);
    const table = readFileSync(join(out, 'compare.md'), 'utf8');
    expect(table).toContain('| dnms | frozen | sampled | trial accuracy |');
    expect(table).toContain('| flip-flop | frozen | sampled | loss (lower is better) |');
    // --keep-best reaches every run: each ends on its best validation epoch.
    const trial = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')).trials[0];
    const run = JSON.parse(readFileSync(join(out, trial.dir, 'summary.json'), 'utf8'));
    expect(run.selected_on).toMatch(/^validation trial_accuracy|^validation accuracy/);
  });

  it('records the schedule deep_r trains with: every step until 0.95 unless the flags say', () => {
    const run = (...flags: string[]) => {
      const out = mkdtempSync(join(tmpdir(), 'sqrtk-cli-'));
      const small = ['--neurons', '60', '--k', '6', '--epochs', '1', '--growth', 'deep_r'];
      const r = cli('train', ...small, ...flags, '--out', out);
      expect(r.status, r.stderr).toBe(0);
      const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      return { fit: config.fit, rewires: summary.rewires };
    };
    const steps = Math.ceil(1437 / 32);
    const byDefault = run();
    expect(byDefault.fit).toMatchObject({ rewireEvery: 1, rewireUntil: 0.95 });
    expect(byDefault.rewires).toBe(Math.floor(0.95 * steps) - 1);
    const given = run('--rewire-every', '10');
    expect(given.fit).toMatchObject({ rewireEvery: 10, rewireUntil: 0.95 });
    expect(given.rewires).toBe(4);
  });

  it('reports user errors in one line with a usage hint and exit code 2', () => {
    const out = mkdtempSync(join(tmpdir(), 'sqrtk-cli-'));
    const cases: [string[], RegExp][] = [
      [
        ['train', '--neurons', '100', '--k', '200', '--out', out],
        /^error: --k \(=200\) must be less than --neurons \(=100\); lower --k or raise --neurons$/m,
      ],
      [
        ['train', '--batch-size', '0', '--out', out],
        /^error: --batch-size \(=0\) must be an integer >= 1; use e\.g\. --batch-size 32$/m,
      ],
      [
        ['train', '--lr', '0', '--out', out],
        /^error: --lr \(=0\) must be a finite number > 0\b.*; use e\.g\. --lr 0\.002\b/m,
      ],
      [
        ['train', '--rewire-every', '0', '--out', out],
        /^error: --rewire-every \(=0\) must be an integer >= 1; use e\.g\. --rewire-every 100$/m,
      ],
      [
        ['train', '--batch-size', '5000', '--out', out],
        /^error: --batch-size \(=5000\) must be at most the number of training sequences of digits \(=1437\); lower --batch-size$/m,
      ],
      [
        ['train', '--neurons', '1e9', '--out', out],
        /--neurons.*must be a whole number written with digits, e\.g\. 1000000000/,
      ],
      [
        ['train', '--neurons', '1000000000', '--k', '10', '--out', out],
        /^error: --neurons \(=1000000000\) with --k \(=10\) needs about [\d.]+ GiB for the network, more than the 3\.9 GiB this build can address; use at most --neurons \d+ at this k$/m,
      ],
      [
        ['train', '--task', 'mnist', '--out', out],
        /task \(="mnist"\) is not a built-in task; valid tasks: digits/,
      ],
      [
        ['train', '--neurons', 'many', '--out', out],
        /--neurons.*must be a whole number, e\.g\. 100/,
      ],
      [
        ['train', '--neurons', '100'],
        /^error: --out \(=undefined\) is required; pass --out DIR \(or --resume DIR\)$/m,
      ],
      [
        ['compare', '--k', '600', '--out', join(out, 'compare')],
        /^error: --k \(=600\) must be less than --neurons \(=500\)/m,
      ],
      [
        ['compare', '--rewire-every', '25,rigl=5', '--out', join(out, 'compare')],
        /--rewire-every.*names no growth strategy \(rigl\); use one value, or pairs like gradient=50,sampled=50/,
      ],
      [
        ['compare', '--rewire-until', 'deep_r=x', '--out', join(out, 'compare')],
        /--rewire-until.*must be a finite number/,
      ],
      [
        ['compare', '--early-stop', '0', '--out', join(out, 'compare')],
        /^error: --early-stop \(=0\) must be an integer >= 1/m,
      ],
      [
        ['compare', '--strategies', 'random,random', '--out', join(out, 'compare')],
        /^error: --strategies \(="random,random"\) lists random twice; list each once$/m,
      ],
      [['fly'], /unknown command 'fly'/],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/--help' for usage/);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      // The CLI's flag names, never the API's (batchSize, "use e.g. neurons: 1000").
      expect(r.stderr).not.toMatch(/batchSize|rewire[A-Z]|checkpointEvery|e\.g\. \w+: /);
    }
    expect(readdirSync(out)).toEqual([]); // nothing written for a run that cannot start
  });

  it('fails clearly when the output directory cannot be written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqrtk-cli-'));
    const file = join(dir, 'not-a-directory');
    writeFileSync(file, '');
    const r = cli(
      'train',
      '--neurons',
      '100',
      '--k',
      '10',
      '--epochs',
      '1',
      '--out',
      join(file, 'run'),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^error: .*not-a-directory\/run: cannot be written: a part of the path is not a directory; choose another path$/m,
    );
    expect(r.stderr).not.toMatch(/--help' for usage|\n\s+at /);
  });
});
