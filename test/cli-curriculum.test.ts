// `sqrtk train --curriculum E`: the task's difficulty knob ramps over the first E epochs; the
// run records it, resumes through it exactly, and refuses what cannot work.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
const cli = (...args: string[]) =>
  spawnSync('node', ['dist/cli.js', ...args], { cwd: root, encoding: 'utf8' });
const read = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
const RUN = ['train', '--task', 'go-no-go', '--task-option', 'delay=6', '--task-option'];
const ARGS = [...RUN, 'trials=400', '--epochs', '4', '--curriculum', '3', '--neurons', '60'];
const SMALL = [...ARGS, '--k', '6', '--threads', '1', '--checkpoint-every', '5'];

describe('sqrtk train --curriculum', () => {
  it('ramps the delay, records it, and a run killed mid-ramp resumes to the same network', async () => {
    const reference = mkdtempSync(join(tmpdir(), 'sqrtk-curriculum-'));
    const r = cli(...SMALL, '--out', reference);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('curriculum: delay 0 → 3 → 6 over epochs 1–3');
    expect(read(reference, 'config.json').curriculum).toEqual({
      option: 'delay',
      values: [0, 3, 6],
    });

    const killed = mkdtempSync(join(tmpdir(), 'sqrtk-curriculum-kill-'));
    const code = await new Promise<number | null>((done) => {
      const child = spawn('node', ['dist/cli.js', ...SMALL, '--out', killed], { cwd: root });
      let log = '';
      child.stderr.on('data', (chunk) => {
        log += chunk;
        if (/^epoch 2\//m.test(log)) child.kill('SIGKILL');
      });
      child.on('exit', (c) => done(c));
    });
    expect(code).not.toBe(0);
    const resumed = cli('train', '--resume', killed);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(read(killed, 'summary.json').state_hash).toBe(
      read(reference, 'summary.json').state_hash,
    );
  }, 120_000);

  it('refuses a task without a knob, a validation split, and a ramp under 2 or beyond --epochs', () => {
    const cases: [string[], RegExp][] = [
      [
        ['--task', 'digits', '--curriculum', '2'],
        /^error: --curriculum \(=2\) needs a task with a difficulty knob, and digits has none; use one of dms, /m,
      ],
      [
        ['--task', 'dms', '--curriculum', '2', '--keep-best'],
        /^error: --curriculum \(=2\) cannot be combined with a validation split/m,
      ],
      [
        ['--task', 'dms', '--curriculum', '9'],
        /^error: --curriculum \(=9\) must be at most --epochs \(=4\); lower it/m,
      ],
      [
        ['--task', 'dms', '--curriculum', '1'],
        /^error: --curriculum \(=1\) must be an integer >= 2/m,
      ],
    ];
    for (const [args, message] of cases) {
      const r = cli(
        'train',
        ...args,
        '--epochs',
        '4',
        '--neurons',
        '60',
        '--k',
        '6',
        '--out',
        'never',
      );
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
