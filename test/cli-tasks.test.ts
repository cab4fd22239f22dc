// `sqrtk tasks`, `sqrtk train --task NAME --task-option key=value`, --resume and the report on
// a built-in task, run as a user would (dist/cli.js in a child process).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TASK_INFO } from '../ts/tasks/index.js';

const cli = (...args: string[]) =>
  spawnSync('node', ['dist/cli.js', ...args], { encoding: 'utf8' });

const SMALL = ['--neurons', '100', '--k', '10', '--epochs', '2', '--threads', '1'];
const json = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));

describe('sqrtk tasks and --task-option', () => {
  it('lists every built-in task, one per line: name, then its description', () => {
    const r = cli('tasks');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(TASK_INFO.length);
    lines.forEach((line, i) => {
      const [name, ...rest] = line.split(/\s{2,}/);
      expect(name).toBe(TASK_INFO[i].name);
      expect(rest.join(' ')).toBe(TASK_INFO[i].description);
    });
  });

  it('trains with task options, records them, resumes on the same data and reports two trials', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqrtk-task-'));
    const options = ['trials=96', 'testTrials=40', 'steps=12', 'probability=0.2'];
    const args = ['--task', 'flip-flop', ...options.flatMap((o) => ['--task-option', o])];
    const r = cli('train', ...args, ...SMALL, '--checkpoint-every', '4', '--out', dir);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    // A regression task ends on its test loss (it has no accuracy).
    expect(r.stdout).toMatch(/^test loss \d\.\d+(e-\d+)? {2}in-degree /m);
    const config = json(dir, 'config.json');
    expect(config.task.name).toBe('flip-flop');
    expect(config.task.options).toEqual({
      trials: 96,
      testTrials: 40,
      steps: 12,
      bits: 3,
      probability: 0.2,
      noise: 0,
      seed: 0,
    });
    expect(config.cli.taskOption).toEqual(options);
    expect(config.network.loss).toBe('mse');
    const hash = json(dir, 'summary.json').state_hash;
    // From the last checkpoint (step 4 of 6), on data rebuilt from config.json.
    const resumed = cli('train', '--resume', dir);
    expect(resumed.stderr).toMatch(/resuming .* at epoch 2/);
    expect(resumed.status).toBe(0);
    expect(json(dir, 'summary.json').state_hash).toBe(hash);

    const report = cli('report', dir);
    expect(report.status).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('flip-flop, test trial 1: inputs');
    expect(html).toContain('flip-flop, test trial 2: inputs');
    expect(html).toContain('test trial 2: target (dashed) and output');
    expect(html).toContain('stroke-dasharray');
  });

  it('trains a per-step classification task and reports its trials as class probabilities', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqrtk-task-'));
    const options = ['--task-option', 'trials=256', '--task-option', 'testTrials=64'];
    const r = cli(
      'train',
      '--task',
      'go-no-go',
      ...options,
      ...SMALL,
      '--lr',
      '0.01',
      '--out',
      dir,
    );
    expect(r.status).toBe(0);
    const summary = json(dir, 'summary.json');
    // Steps scored (fixation and response); the trial accuracy needs every step right.
    expect(summary.test_accuracy).toBeGreaterThan(0.8);
    expect(summary.test_trial_accuracy).toBeGreaterThanOrEqual(0);
    expect(json(dir, 'config.json').network.outputs).toBe(2);
    expect(cli('report', dir).status).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('go-no-go, test trial 2: inputs');
    expect(html).toContain('p(class 1)');
  });

  it.each([
    [
      'steps',
      /--task-option \(="steps"\) must be key=value; valid keys for flip-flop: trials, testTrials, steps/,
    ],
    ['step=3', /--task-option \(="step=3"\) names no option of task flip-flop; valid keys/],
    [
      'steps=many',
      /--task-option \(="steps=many"\) steps must be a number; e.g. --task-option steps=20/,
    ],
    [
      'steps=0',
      /--task-option \(="steps=0"\): steps must be an integer >= 1; use e.g. --task-option steps=20 \(valid keys/,
    ],
    ['seed=-1', /--task-option \(="seed=-1"\): seed must be an integer from 0 to/],
  ])('refuses --task-option %s with a usage error naming the flag', (pair, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'sqrtk-task-bad-'));
    const r = cli('train', '--task', 'flip-flop', '--task-option', pair, ...SMALL, '--out', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('refuses --task-option with --data, and an unknown --task with the list of tasks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqrtk-task-bad-'));
    const withData = cli('train', '--data', 'x.npz', '--task-option', 'delay=2', '--out', dir);
    expect(withData.status).toBe(2);
    expect(withData.stderr).toMatch(/--task-option \(="delay=2"\) applies to a built-in --task/);
    const unknown = cli('train', '--task', 'stroop', '--out', dir);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(
      /--task \(="stroop"\) is not a built-in task; valid tasks: digits, digits-pixels, dms/,
    );
  });
});
