// `sqrtk train` with learning-rate schedules, early stopping and --keep-best: the files it writes,
// its validation split, its errors, and --resume after a kill in the middle of a schedule.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, loadNetworkFile } from '../ts/node/index.js';

const root = resolve(__dirname, '..');
const cli = (...args: string[]) =>
  spawnSync('node', ['dist/cli.js', ...args], { cwd: root, encoding: 'utf8' });
const read = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
const metrics = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
const SMALL = ['train', '--neurons', '60', '--k', '6', '--seed', '2', '--threads', '1'];

/** Runs `args` and SIGKILLs the process once its log has reported epoch `epoch`. */
function killAfterEpoch(args: string[], epoch: number): Promise<number | null> {
  return new Promise((done) => {
    const child = spawn('node', ['dist/cli.js', ...args], { cwd: root });
    let log = '';
    child.stderr.on('data', (chunk) => {
      log += chunk;
      if (new RegExp(`^epoch ${epoch}/`, 'm').test(log)) child.kill('SIGKILL');
    });
    child.on('exit', (code) => done(code));
  });
}

/** The uninterrupted run and a run killed after epoch `at` and resumed: the same result. */
async function resumesExactly(args: string[], at: number) {
  const reference = mkdtempSync(join(tmpdir(), 'sqrtk-sched-ref-'));
  const r = cli(...args, '--out', reference);
  expect(r.status, r.stderr).toBe(0);
  const killed = mkdtempSync(join(tmpdir(), 'sqrtk-sched-kill-'));
  expect(await killAfterEpoch([...args, '--out', killed], at)).not.toBe(0);
  expect(existsSync(join(killed, 'summary.json'))).toBe(false);
  const again = cli('train', '--resume', killed);
  expect(again.status, again.stderr).toBe(0);
  expect(again.stderr).toMatch(/^resuming .* at epoch \d+/m);
  const [a, b] = [read(reference, 'summary.json'), read(killed, 'summary.json')];
  expect(b.state_hash).toBe(a.state_hash);
  expect(b).toMatchObject({
    test_accuracy: a.test_accuracy,
    kept_epoch: a.kept_epoch,
    stop_reason: a.stop_reason,
    best_epoch: a.best_epoch,
  });
  const strip = (m: { seconds?: number }[]) => m.map(({ seconds: _, ...rest }) => rest);
  expect(strip(metrics(killed))).toEqual(strip(metrics(reference)));
  return { reference, summary: a };
}

describe('sqrtk train with schedules', () => {
  beforeAll(() => init({ threads: 1 }));

  it('selects on a validation split, keeps the best epoch and says why it stopped', () => {
    const out = mkdtempSync(join(tmpdir(), 'sqrtk-sched-'));
    const r = cli(
      ...SMALL,
      '--epochs',
      '12',
      '--lr',
      '0.02',
      '--lr-schedule',
      'step',
      '--lr-step-every',
      '2',
      '--early-stop',
      '2',
      '--keep-best',
      '--out',
      out,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'selecting epochs on a validation split: 10% of the training data (144 sequences), seeded by --seed; the test set is only reported',
    );
    const config = read(out, 'config.json');
    expect(config.fit).toMatchObject({ lrSchedule: 'step', lrStepEvery: 2, lrFactor: 0.5 });
    expect(config.fit).toMatchObject({ earlyStop: 2, keepBest: true, warmup: 0 });
    expect(config.validation.fraction).toBe(0.1);
    const lines = metrics(out);
    expect(lines.map((m) => m.lr)).toEqual(
      lines.map((m) => 0.02 * 0.5 ** Math.floor((m.epoch - 1) / 2)),
    );
    expect(lines.every((m) => m.val_accuracy !== null && m.test_accuracy !== null)).toBe(true);
    expect(lines[0].steps).toBe(Math.ceil(1293 / 32));
    const summary = read(out, 'summary.json');
    const best = Math.max(...lines.map((m) => m.val_accuracy));
    const bestEpoch = lines.find((m) => m.val_accuracy === best).epoch;
    expect(summary).toMatchObject({
      best_epoch: bestEpoch,
      best_value: best,
      kept_epoch: bestEpoch,
      epochs_run: lines.length,
      selected_on: 'validation accuracy on 10% of the training data (144 sequences)',
    });
    // This seed stops early: two epochs without a better validation accuracy after the best.
    expect(summary.stop_reason).toBe('early_stop');
    expect(lines.length).toBe(bestEpoch + 2);
    expect(lines.length).toBeLessThan(12);
    // The kept network is the best epoch's: its test accuracy is that epoch's line.
    expect(summary.test_accuracy).toBe(lines[bestEpoch - 1].test_accuracy);
    const { net } = loadNetworkFile(join(out, 'best.sqrtk'));
    expect(net.stateHash()).toBe(summary.state_hash);
    net.free();
    expect(r.stdout).toContain(`kept epoch ${bestEpoch} of ${lines.length}`);
  });

  it('refuses bad schedule flags in flag words before touching --out', () => {
    const cases: [string[], RegExp][] = [
      [
        ['--lr-schedule', 'cosine', '--lr-step-every', '3'],
        /--lr-step-every \(=3\) only applies to --lr-schedule step; use --lr-schedule step, or leave --lr-step-every out/,
      ],
      [['--lr-schedule', 'warm'], /--lr-schedule \(="warm"\) must be one of "constant", "step"/],
      [
        ['--epochs', '1', '--warmup', '100'],
        /--warmup \(=100\) must be less than the fit's optimizer steps \(=45: epochs × batches per epoch\); lower --warmup or raise --epochs/,
      ],
      [
        ['--keep-best', '--validation-fraction', '1.5'],
        /--validation-fraction \(=1\.5\) must be a fraction between 0 and 1/,
      ],
      [
        ['--lr-schedule', 'cosine', '--min-lr', '0.01'],
        /--min-lr \(=0\.01\) must be less than --lr \(=0\.002\); lower --min-lr or raise --lr/,
      ],
      [
        ['--early-stop', '0'],
        /--early-stop \(=0\) must be an integer >= 1; use e\.g\. --early-stop 5/,
      ],
    ];
    for (const [flags, message] of cases) {
      const out = join(mkdtempSync(join(tmpdir(), 'sqrtk-sched-bad-')), 'run');
      const r = cli(...SMALL, ...flags, '--out', out);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('a run killed in the middle of cosine with warm-up resumes to the uninterrupted result', async () => {
    const args = [
      ...SMALL,
      '--epochs',
      '5',
      '--lr-schedule',
      'cosine',
      '--warmup',
      '30',
      '--keep-best',
      '--checkpoint-every',
      '7',
    ];
    const { reference } = await resumesExactly(args, 2);
    const lr = metrics(reference).map((m) => m.lr);
    // Warm-up (30 steps) ends within the first epoch (41 steps); then the rate decays to ~0.
    expect(lr[0]).toBeLessThan(0.002);
    expect(lr.every((x, i) => i === 0 || x < lr[i - 1])).toBe(true);
    expect(lr.at(-1)).toBeLessThan(1e-6);
  }, 120_000);

  it('a run killed during plateau with early stopping resumes to the uninterrupted result', async () => {
    const args = [
      ...SMALL,
      '--epochs',
      '10',
      '--lr',
      '0.03',
      '--lr-schedule',
      'plateau',
      '--lr-patience',
      '1',
      '--early-stop',
      '3',
      '--monitor',
      'loss',
      '--keep-best',
      '--checkpoint-every',
      '10',
    ];
    const { reference, summary } = await resumesExactly(args, 3);
    expect(summary.selected_on).toMatch(/^validation loss on 10% of the training data/);
    const lr = metrics(reference).map((m) => m.lr);
    expect(lr[0]).toBe(0.03);
    expect(Math.min(...lr)).toBeLessThan(0.03); // the plateau reduced the rate
    expect(lr.every((x, i) => i === 0 || x <= lr[i - 1])).toBe(true);
  }, 120_000);
});

describe('README', () => {
  it('the "Training schedules" example runs', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Training schedules'));
    const program = /```ts\n([\s\S]*?)```/
      .exec(section)![1]
      .replace("from 'sqrtk'", `from '${join(root, 'dist', 'node.js')}'`)
      .replace('epochs: 30', 'epochs: 3')
      .replace('warmup: 50', 'warmup: 20');
    const file = join(mkdtempSync(join(tmpdir(), 'sqrtk-readme-sched-')), 'example.mjs');
    writeFileSync(file, program);
    const r = spawnSync('node', [file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^kept epoch [123] \((epochs|early_stop)\), best 0\.\d+$/m);
    expect(Number(/test accuracy ([\d.]+)/.exec(r.stdout)![1])).toBeGreaterThan(0.3);
  });
});
