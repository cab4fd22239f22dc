// `sqrtk sweep`: plan a manifest, run it in parallel processes, stop and go on, report.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  statSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aggregate } from '../ts/cli/sweep/report.js';

const cli = (...args: string[]) =>
  spawnSync('node', ['dist/cli.js', ...args], { encoding: 'utf8' });
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

// The manifest, with rewiring often enough that `sampled` rewires in two epochs and a
// checkpoint every 5 steps, so that a stopped trial resumes from one.
const MANIFEST = {
  base: { task: 'dms', neurons: 300, k: 30, epochs: 2, trainBackbone: false, rewireEvery: 10 },
  grid: { growth: ['random', 'sampled'] },
  seeds: [1, 2, 3],
  baseline: { growth: 'random' },
  checkpointEvery: 5,
};
const YAML = `# the same manifest, in YAML and in another key order
seeds: [1, 2, 3]
checkpointEvery: 5
baseline: { growth: random }
grid:
  growth: [random, sampled]
base:
  rewireEvery: 10
  trainBackbone: false
  epochs: 2
  k: 30
  neurons: 300
  task: dms
`;

function planned(manifest: string, name = 'm.json'): string {
  const dir = mkdtempSync(join(tmpdir(), 'sqrtk-sweep-'));
  writeFileSync(join(dir, name), manifest);
  const r = cli('sweep', 'plan', join(dir, name), '--out', join(dir, 'sweep'));
  expect(r.status, r.stderr).toBe(0);
  return join(dir, 'sweep');
}

const REPORT_FILES = ['report.json', 'report.md', 'report.csv', 'report.html'];
const reportBytes = (dir: string) => REPORT_FILES.map((f) => readFileSync(join(dir, f), 'utf8'));

describe('sqrtk sweep', () => {
  let uninterrupted: string;

  it('plans one resolved, content-addressed trial per index, from JSON or YAML', () => {
    uninterrupted = planned(JSON.stringify(MANIFEST));
    const sweep = json(join(uninterrupted, 'sweep.json'));
    expect(sweep.trials).toHaveLength(6);
    expect(sweep.varying).toEqual(['growth', 'seed']);
    const t = sweep.trials[4];
    expect(t.options).toMatchObject({ growth: 'sampled', seed: 2, neurons: 300 });
    expect(t.args).toEqual(expect.arrayContaining(['--frozen-backbone', '--rewire-every', '10']));
    expect(t.network).toMatchObject({ neurons: 300, k: 30, learned: 5, trainBackbone: false });
    expect(t.fit).toMatchObject({ epochs: 2, rewireEvery: 10, rewireUntil: 0.75, batchSize: 32 });
    expect(new Set(sweep.trials.map((x: { id: string }) => x.id)).size).toBe(6);
    // The seeds of one configuration share its config id.
    expect(new Set(sweep.trials.map((x: { config: string }) => x.config)).size).toBe(2);
    // The same trials however the manifest is written.
    const yaml = json(join(planned(YAML, 'm.yaml'), 'sweep.json'));
    expect(yaml.trials.map((x: { id: string }) => x.id)).toEqual(
      sweep.trials.map((x: { id: string }) => x.id),
    );
  });

  it('runs with --jobs 2; each trial is the run sqrtk train makes alone; reports', () => {
    const r = cli('sweep', 'run', uninterrupted, '--jobs', '2');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/sweep: 0 done, 2 running, 0 failed, 4 left \| start 1/);
    expect(r.stdout).toContain('sweep: 6 done, 0 running, 0 failed, 0 left');
    const sweep = json(join(uninterrupted, 'sweep.json'));
    for (const t of sweep.trials) {
      const alone = mkdtempSync(join(tmpdir(), 'sqrtk-alone-'));
      expect(cli('train', ...t.args, '--out', alone).status).toBe(0);
      const hash = json(join(alone, 'summary.json')).state_hash;
      expect(json(join(uninterrupted, t.dir, 'summary.json')).state_hash).toBe(hash);
    }
    // Finished trials are skipped.
    expect(cli('sweep', 'run', uninterrupted).stderr).toMatch(/^sweep: 6 done, 0 running/);
    const report = cli('sweep', 'report', uninterrupted);
    expect(report.status, report.stderr).toBe(0);
    const result = json(join(uninterrupted, 'report.json'));
    expect(result).toMatchObject({ trials: 6, done: 6, baseline: { growth: 'random' } });
    const sampled = result.configurations.find(
      (c: { options: { growth: string } }) => c.options.growth === 'sampled',
    );
    expect(sampled.seeds).toEqual([1, 2, 3]);
    const acc = sampled.metrics.test_accuracy;
    expect(acc.values).toHaveLength(3);
    expect(acc.min).toBeLessThanOrEqual(acc.median);
    expect(acc.median).toBeLessThanOrEqual(acc.max);
    expect(sampled.metrics.turnover.mean).toBeGreaterThan(0);
    const random = result.configurations.find(
      (c: { options: { growth: string } }) => c.options.growth === 'random',
    );
    const paired = result.comparisons.find((c: { metric: string }) => c.metric === 'test_accuracy');
    expect(paired.test.differences).toEqual(
      acc.values.map((v: number, i: number) => v - random.metrics.test_accuracy.values[i]),
    );
    expect(readFileSync(join(uninterrupted, 'report.md'), 'utf8')).toContain(
      '| growth=sampled | test_accuracy | 3 |',
    );
    expect(readFileSync(join(uninterrupted, 'report.csv'), 'utf8')).toMatch(
      /^growth,metric,n,mean,sd,median,min,max\nrandom,test_accuracy,3,/,
    );
    expect(readFileSync(join(uninterrupted, 'report.html'), 'utf8')).toContain('<svg');
  });

  it('stopped midway, a second run finishes only the missing trials: the same report', async () => {
    const dir = planned(JSON.stringify(MANIFEST));
    const child = spawn('node', ['dist/cli.js', 'sweep', 'run', dir, '--jobs', '2'], {
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    // Stop once a trial is done and another is in its first epoch with a checkpoint saved.
    const trials = json(join(dir, 'sweep.json')).trials.map((t: { dir: string }) =>
      join(dir, t.dir),
    );
    const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);
    const midway = () =>
      trials.some((t: string) => existsSync(join(t, 'summary.json'))) &&
      trials.some(
        (t: string) =>
          existsSync(join(t, 'checkpoint.sqrtk')) && size(join(t, 'metrics.jsonl')) === 0,
      );
    while (!midway()) await new Promise((wait) => setTimeout(wait, 20));
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    const first = json(join(dir, 'sweep.json')).trials.filter((t: { dir: string }) =>
      existsSync(join(dir, t.dir, 'summary.json')),
    );
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(6);
    const again = cli('sweep', 'run', dir, '--jobs', '2');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`^sweep: ${first.length} done, 0 running`));
    // The trials that were stopped went on from their checkpoints.
    const logs = readdirSync(join(dir, 'logs')).map((f) =>
      readFileSync(join(dir, 'logs', f), 'utf8'),
    );
    expect(logs.some((l) => /resuming .* at epoch \d, batch \d+/.test(l))).toBe(true);
    cli('sweep', 'report', dir);
    expect(reportBytes(dir)).toEqual(reportBytes(uninterrupted));
  });

  it('killed with SIGKILL, its running trials checkpoint and stop instead of running on', async () => {
    const dir = planned(JSON.stringify({ ...MANIFEST, seeds: [1] }));
    const child = spawn('node', ['dist/cli.js', 'sweep', 'run', dir], { stdio: 'ignore' });
    const trial = join(dir, json(join(dir, 'sweep.json')).trials[0].dir);
    const lock = join(trial, '.sqrtk.lock');
    // Kill the sweep once its first trial has saved a checkpoint and is still training.
    while (!(existsSync(join(trial, 'checkpoint.sqrtk')) && existsSync(lock)))
      await new Promise((wait) => setTimeout(wait, 20));
    const { pid } = json(lock);
    child.kill('SIGKILL');
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const until = Date.now() + 20_000;
    while (alive() && Date.now() < until) await new Promise((wait) => setTimeout(wait, 50));
    expect(alive(), 'the trial outlived its sweep').toBe(false);
    expect(existsSync(lock), 'the trial released its lock').toBe(false);
    expect(existsSync(join(trial, 'summary.json')), 'it stopped before the end').toBe(false);
    const log = readdirSync(join(dir, 'logs')).map((f) =>
      readFileSync(join(dir, 'logs', f), 'utf8'),
    );
    expect(log.join('')).toContain('the sweep that started this run is gone');
    const again = cli('sweep', 'run', dir);
    expect(again.status, again.stderr).toBe(0);
    expect(existsSync(join(trial, 'summary.json'))).toBe(true);
  });

  it('records a failed trial with its error, runs the others, and retries it next time', () => {
    const root = mkdtempSync(join(tmpdir(), 'sqrtk-sweep-'));
    const data = join(root, 'data.json');
    const x = Array.from({ length: 40 }, (_, i) => [[i % 2], [(i >> 1) % 2]]);
    writeFileSync(data, JSON.stringify({ x, labels: x.map((_, i) => i % 2) }));
    const manifest = {
      base: { data: 'data.json', neurons: 20, k: 4, epochs: 1, batchSize: 8 },
      variations: [{ lr: 0.001 }, { lr: 0.01 }],
    };
    writeFileSync(join(root, 'm.json'), JSON.stringify(manifest));
    const dir = join(root, 'sweep');
    expect(cli('sweep', 'plan', join(root, 'm.json'), '--out', dir).status).toBe(0);
    renameSync(data, `${data}.away`);
    const r = cli('sweep', 'run', dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('sweep: 0 done, 0 running, 2 failed, 0 left');
    const status = cli('sweep', 'status', dir).stdout;
    expect(status).toMatch(
      /failed\s+lr=0\.001: error: \S*data\.json cannot be read \(ENOENT[^)]*\); restore it, or plan the sweep again/,
    );
    renameSync(`${data}.away`, data);
    const retry = cli('sweep', 'run', dir);
    expect(retry.status, retry.stderr).toBe(0);
    expect(cli('sweep', 'status', dir).stdout).toContain('sweep: 2 done, 0 running, 0 failed');
  });

  it('pairs each configuration with the baseline that differs only where the baseline says', () => {
    const dir = planned(
      JSON.stringify({
        base: { task: 'digits', neurons: 20, epochs: 1, rewireEvery: 10 },
        grid: { growth: ['random', 'sampled'], k: [3, 4] },
        seeds: [1, 2],
        // neurons does not vary: it must not make random a comparison of its own
        baseline: { growth: 'random', neurons: 20 },
      }),
    );
    expect(cli('sweep', 'run', dir, '--jobs', '2').status).toBe(0);
    expect(cli('sweep', 'report', dir).status).toBe(0);
    const { configurations, comparisons } = json(join(dir, 'report.json'));
    const find = (growth: string, k: number) =>
      configurations.find(
        (c: { options: { growth: string; k: number } }) =>
          c.options.growth === growth && c.options.k === k,
      );
    const accuracy = comparisons.filter((c: { metric: string }) => c.metric === 'test_accuracy');
    expect(
      accuracy.map((c: { options: object; baseline: object }) => [c.options, c.baseline]),
    ).toEqual([
      [
        { growth: 'sampled', k: 3 },
        { growth: 'random', k: 3 },
      ],
      [
        { growth: 'sampled', k: 4 },
        { growth: 'random', k: 4 },
      ],
    ]);
    const [sampled, random] = [find('sampled', 4), find('random', 4)];
    expect(accuracy[1].test.differences).toEqual(
      sampled.metrics.test_accuracy.values.map(
        (v: number, i: number) => v - random.metrics.test_accuracy.values[i],
      ),
    );
  });

  it('addresses data trials by how the data is split too, and refuses data changed since the plan', () => {
    const root = mkdtempSync(join(tmpdir(), 'sqrtk-sweep-'));
    const x = Array.from({ length: 40 }, (_, i) => [[i % 2], [(i >> 1) % 2]]);
    writeFileSync(join(root, 'd.json'), JSON.stringify({ x, labels: x.map((_, i) => i % 2) }));
    const manifest = {
      base: { data: 'd.json', neurons: 20, k: 4, epochs: 1, batchSize: 8 },
      grid: { testFraction: [0.2, 0.3], standardize: [false, true] },
    };
    writeFileSync(join(root, 'm.json'), JSON.stringify(manifest));
    const dir = join(root, 'sweep');
    expect(cli('sweep', 'plan', join(root, 'm.json'), '--out', dir).status).toBe(0);
    const ids = json(join(dir, 'sweep.json')).trials.map((t: { id: string }) => t.id);
    expect(new Set(ids).size).toBe(4);
    writeFileSync(
      join(root, 'd.json'),
      JSON.stringify({ x, labels: x.map((_, i) => (i + 1) % 2) }),
    );
    expect(cli('sweep', 'run', dir, '--index', '0').status).toBe(1);
    expect(json(join(dir, 'failed', `${ids[0]}.json`)).error).toMatch(
      /d\.json changed since the sweep was planned \(SHA-256 [0-9a-f]{12}… then, [0-9a-f]{12}… now\); restore it, or plan the sweep again/,
    );
    expect(existsSync(join(dir, 'trials', ids[0]))).toBe(false);
  });

  it('leaves a trial that another live process is writing to that process, not failed', () => {
    const dir = planned(JSON.stringify({ base: { neurons: 20, k: 4, epochs: 1 } }));
    const [trial] = json(join(dir, 'sweep.json')).trials;
    // A lock held by a live process (this test's): sqrtk train refuses the directory.
    mkdirSync(join(dir, trial.dir), { recursive: true });
    const lock = { pid: process.pid, host: hostname() };
    writeFileSync(join(dir, trial.dir, '.sqrtk.lock'), JSON.stringify(lock));
    const r = cli('sweep', 'run', dir);
    expect(r.status, r.stderr).toBe(75); // not 0: nothing ran (a Slurm task must not pass)
    expect(r.stderr).toContain('| left to the process running it 0');
    expect(r.stderr).toContain('1 trial(s) left to the processes running them');
    const one = cli('sweep', 'run', dir, '--index', '0');
    expect(one.status, one.stderr).toBe(75);
    expect(r.stdout).toContain('sweep: 0 done, 0 running, 0 failed, 1 left');
    expect(existsSync(join(dir, 'failed'))).toBe(false);
  });

  it('aggregates the seeds that have a value, and keeps a place for those that do not', () => {
    expect(aggregate([1, null, 3, NaN, 2])).toEqual({
      n: 3,
      mean: 2,
      sd: 1,
      median: 2,
      min: 1,
      max: 3,
      values: [1, null, 3, null, 2],
    });
    expect(aggregate([4, 1]).median).toBe(2.5);
  });

  it('refuses a bad manifest in its own words, before anything runs', () => {
    const root = mkdtempSync(join(tmpdir(), 'sqrtk-sweep-'));
    const cases: [object | string, RegExp][] = [
      [
        { base: { neuron: 300 } },
        /trial 0 \(neuron=300 seed=0\): "neuron" is not an option a sweep can set/,
      ],
      [{ base: { neurons: 'many' } }, /trial 0 .*neurons.*must be a whole number/],
      [
        { base: { neurons: 100, k: 200 } },
        /trial 0 .*: k \(=200\) must be less than neurons \(=100\)/,
      ],
      [{ base: { seed: 3 } }, /"seed" belongs in "seeds"/],
      [{ seeds: [1, 1] }, /"seeds" \(=\[1,1\]\) lists a seed twice/],
      [{ grid: { growth: [] } }, /grid "growth" must be a non-empty list/],
      [{ baseline: { growth: 'random' }, grid: { k: [10, 20] } }, /"baseline" .* matches no trial/],
      [{ bsae: {} }, /"bsae" is not a manifest entry/],
      [
        { base: { neurons: null } },
        /"neurons" has no value \(null\); give it one, or leave the key out/,
      ],
      [
        { base: { growth: ['random', 'sampled'] } },
        /"growth" .* is a list: the values to try belong in "grid"/,
      ],
      [{ variations: [] }, /"variations" must be a non-empty list/],
      [{ base: { checkpointEvery: 5 } }, /"checkpointEvery" belongs at the top level/],
      [{ base: { standardize: true } }, /standardize \(=true\) needs data; pass data FILE too/],
      [
        { base: { task: 'dms', taskOptions: { delay: { a: 1 } } } },
        /"taskOptions\.delay" .* must be a number/,
      ],
      [{ base: { task: 'dms', taskOptions: { delay: 'x' } } }, /taskOptions\.delay \(=x\)/],
      ['{ "base": ', /is not valid JSON/],
    ];
    for (const [manifest, message] of cases) {
      const file = join(root, 'm.json');
      writeFileSync(file, typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
      const r = cli('sweep', 'plan', file, '--out', join(root, 'out'));
      expect(r.status, JSON.stringify(manifest)).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(root, 'out', 'sweep.json'))).toBe(false);
    }
  });

  it('--extend grows a plan in place; the trials already run are reused by their ID', () => {
    const file = join(uninterrupted, '..', 'more.json');
    writeFileSync(file, JSON.stringify({ ...MANIFEST, seeds: [1, 2, 3, 4] }));
    expect(cli('sweep', 'plan', file, '--out', uninterrupted).stderr).toMatch(
      /holds another sweep plan; pass --extend to replace it/,
    );
    expect(cli('sweep', 'plan', file, '--out', uninterrupted, '--extend').status).toBe(0);
    const r = cli('sweep', 'run', uninterrupted, '--jobs', '2');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^sweep: 6 done, 0 running, 0 failed, 2 left$/m);
    expect(r.stdout).toContain('sweep: 8 done, 0 running, 0 failed, 0 left');
  });

  it('writes a Slurm job array with one task per trial', () => {
    const r = cli('sweep', 'slurm', uninterrupted, '--max-parallel', '2', '--time', '0:30:00');
    expect(r.status, r.stderr).toBe(0);
    const script = readFileSync(join(uninterrupted, 'sweep.sbatch'), 'utf8');
    expect(script).toMatch(/^#SBATCH --array=0-7%2$/m); // 8 trials since --extend
    expect(script).toMatch(/^#SBATCH --time=0:30:00$/m);
    expect(script).toMatch(/sweep run '.*' --index "\$SLURM_ARRAY_TASK_ID"/);
    expect(existsSync(join(uninterrupted, 'logs'))).toBe(true);
    expect(cli('sweep', 'slurm', uninterrupted, '--time', '1h; rm').stderr).toMatch(
      /--time \(="1h; rm"\) may hold only/,
    );
  });
});
