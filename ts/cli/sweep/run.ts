/**
 * `sqrtk sweep run DIR [--jobs J] [--index i]` and `sqrtk sweep status DIR`.
 *
 * Each trial runs as its own `sqrtk train` process in DIR/trials/ID (a run directory like any
 * other: config.json, metrics.jsonl, checkpoint.sqrtk, summary.json, model.sqrtk), with its
 * output in DIR/logs/ID.log. A trial whose summary.json exists is done and skipped; one that
 * started (config.json exists) is resumed from its last checkpoint with `sqrtk train --resume`;
 * a failed one (non-zero exit) is recorded in DIR/failed/ID.json with the end of its output,
 * does not stop the others, and is tried again by the next `sweep run`. Ctrl-C or SIGTERM is
 * passed on to the running trials, which checkpoint and stop; the next `sweep run` goes on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { optionError, SqrtkError } from '../../errors.js';
import { writeFileAtomic } from '../../node/atomic.js';
import { describe, type Sweep, type Trial } from './plan.js';
import { sha256 } from '../input-file.js';
import { isLocked } from '../lock.js';

/** DIR/sweep.json, with an error that says how to make one. */
export function readSweep(dir: string): Sweep {
  const path = join(dir, 'sweep.json');
  let sweep: Sweep;
  try {
    sweep = JSON.parse(readFileSync(path, 'utf8')) as Sweep;
  } catch (cause) {
    throw new SqrtkError(
      'E_IO',
      `${path} cannot be read (${(cause as Error).message}); make it with sqrtk sweep plan MANIFEST --out ${dir}`,
      { cause },
    );
  }
  if (sweep.version !== 1 || !Array.isArray(sweep.trials))
    throw new SqrtkError('E_DATA', `${path} is not a sweep plan of this version; plan it again`);
  return sweep;
}

/** `: growth=sampled seed=2`, or nothing when no option varies. */
const label = (what: string) => (what ? `: ${what}` : '');

export type TrialState = 'done' | 'failed' | 'started' | 'new';

export function trialState(dir: string, trial: Trial): TrialState {
  const run = join(dir, trial.dir);
  if (existsSync(join(run, 'summary.json'))) return 'done';
  if (existsSync(failedPath(dir, trial))) return 'failed';
  return existsSync(join(run, 'config.json')) ? 'started' : 'new';
}

/** By ID, not index: a plan made again (sqrtk sweep plan --extend) keeps a trial's records. */
const failedPath = (dir: string, trial: Trial) => join(dir, 'failed', `${trial.id}.json`);

/** What DIR/failed/ID.json says of a failed trial. */
export function failure(dir: string, trial: Trial): { exit: string; error: string } | null {
  try {
    return JSON.parse(readFileSync(failedPath(dir, trial), 'utf8'));
  } catch {
    return null;
  }
}

export interface Counts {
  done: number;
  running: number;
  failed: number;
  left: number;
}

export function countLine(c: Counts): string {
  return `sweep: ${c.done} done, ${c.running} running, ${c.failed} failed, ${c.left} left`;
}

export interface RunOptions {
  jobs?: number;
  index?: number;
  /** Threads per trial (default: cores / jobs, at least 1). */
  threads?: number;
}

/** The CLI that runs each trial: this very `sqrtk` (node and the script it was started as). */
function cli(): [string, string] {
  return [process.execPath, resolve(process.argv[1])];
}

/** The error of `sqrtk train` when another process holds the run directory's lock. */
const BUSY = /^error: .* is being written by /m;

/** The end of a trial's output: its last error line, or its last lines. */
function lastLines(log: string): string {
  const lines = log.trim().split('\n');
  const error = [...lines].reverse().find((l) => l.startsWith('error:'));
  return error ?? lines.slice(-5).join('\n');
}

/** An error line when a data file of `trial` is not the one the plan was made with. */
function changedData(trial: Trial): string | undefined {
  for (const file of trial.data) {
    let now: string;
    try {
      now = sha256(readFileSync(file.path));
    } catch (e) {
      return `error: ${file.path} cannot be read (${(e as Error).message}); restore it, or plan the sweep again`;
    }
    if (now !== file.sha256)
      return `error: ${file.path} changed since the sweep was planned (SHA-256 ${file.sha256.slice(0, 12)}… then, ${now.slice(0, 12)}… now); restore it, or plan the sweep again into a new directory`;
  }
  return undefined;
}

/** Runs one trial to its end; resolves with its exit code or signal, never rejects. */
function runTrial(
  dir: string,
  sweep: Sweep,
  trial: Trial,
  threads: number,
  children: Set<ChildProcess>,
): Promise<{ ok: boolean; exit: string; log: string }> {
  const run = join(dir, trial.dir);
  const [node, script] = cli();
  const resume = existsSync(join(run, 'config.json'));
  // A resumed run checks its files against its config.json; a new one against the plan.
  const changed = resume ? undefined : changedData(trial);
  if (changed) return Promise.resolve({ ok: false, exit: 'data changed', log: changed });
  const args = resume
    ? ['train', '--resume', run]
    : ['train', ...trial.args, '--out', run, '--checkpoint-every', String(sweep.checkpointEvery)];
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const logPath = join(logs, `${trial.id}.log`);
  const fd = openSync(logPath, 'a');
  const from = fstatSync(fd).size; // earlier attempts' output stays, but is not this one's
  const child = spawn(node, [script, ...args, '--threads', String(threads)], {
    // The IPC channel closes when this process dies, even by kill -9: the trial then
    // checkpoints and stops instead of running on unwatched (see ../interrupt.ts).
    stdio: ['ignore', fd, fd, 'ipc'],
    // Its own process group: a Ctrl-C at the terminal reaches the sweep alone, which passes it
    // on once (a second signal would make the trial stop without its checkpoint).
    detached: true,
  });
  closeSync(fd);
  children.add(child);
  return new Promise((done) => {
    const finish = (exit: string, ok: boolean) => {
      children.delete(child);
      let log = '';
      try {
        log = readFileSync(logPath).subarray(from).toString('utf8');
      } catch {
        // the log went missing: the exit code says enough
      }
      done({ ok, exit, log });
    };
    child.on('error', (e) => finish(`could not start (${e.message})`, false));
    child.on('exit', (code, signal) => finish(signal ?? `exit code ${code}`, code === 0));
  });
}

/**
 * Runs the trials that are not done, `jobs` at a time (or only `index`), printing a count line
 * whenever a trial starts or ends. Resolves with the counts at the end; a signal stops it after
 * the running trials have checkpointed (exit code 130 or 143).
 */
export async function runSweep(
  dir: string,
  o: RunOptions,
  onDone: (trial: Trial, counts: Counts) => void = () => {},
): Promise<Counts> {
  const sweep = readSweep(dir);
  const n = sweep.trials.length;
  if (o.index !== undefined && !(Number.isSafeInteger(o.index) && o.index >= 0 && o.index < n))
    throw optionError(
      '--index',
      o.index,
      `must be a trial index from 0 to ${n - 1}`,
      `see sqrtk sweep status ${dir}`,
    );
  const jobs = o.jobs ?? 1;
  if (!Number.isSafeInteger(jobs) || jobs < 1)
    throw optionError('--jobs', jobs, 'must be a whole number ≥ 1', 'use e.g. --jobs 2');
  if (
    o.threads !== undefined &&
    !(Number.isSafeInteger(o.threads) && o.threads >= 1 && o.threads <= 256)
  )
    throw optionError(
      '--threads',
      o.threads,
      'must be a whole number from 1 to 256',
      'use e.g. --threads 2',
    );
  const threads = o.threads ?? Math.max(1, Math.floor(availableParallelism() / jobs));
  const chosen = o.index === undefined ? sweep.trials : [sweep.trials[o.index]];
  const pending = chosen.filter((t) => trialState(dir, t) !== 'done');
  const counts: Counts = {
    done: chosen.length - pending.length,
    running: 0,
    failed: 0,
    left: pending.length,
  };
  const children = new Set<ChildProcess>();
  let stopping: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping === undefined)
      console.error(
        `\n${signal}: the running trials checkpoint and stop; sqrtk sweep run ${dir} goes on later`,
      );
    stopping = signal;
    for (const child of children) child.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  console.error(countLine(counts));
  const queue = [...pending];
  const worker = async () => {
    for (let trial = queue.shift(); trial && !stopping; trial = queue.shift()) {
      counts.left--;
      if (trialState(dir, trial) === 'done') {
        counts.done++; // another process finished it meanwhile
        continue;
      }
      counts.running++;
      console.error(
        `${countLine(counts)} | start ${trial.index}${label(describe(trial.options, sweep.varying))}`,
      );
      const result = await runTrial(dir, sweep, trial, threads, children);
      counts.running--;
      const error = lastLines(result.log);
      // Interrupted, or run by another process (a second sweep run, a Slurm task): not failed,
      // and left for the next run.
      const outcome = result.ok
        ? 'done'
        : stopping
          ? 'stopped'
          : BUSY.test(error)
            ? 'busy'
            : 'failed';
      if (result.ok) {
        counts.done++;
        rmSync(failedPath(dir, trial), { force: true });
        onDone(trial, counts);
      } else if (outcome !== 'failed') {
        counts.left++;
      } else {
        counts.failed++;
        mkdirSync(join(dir, 'failed'), { recursive: true });
        const record = { index: trial.index, id: trial.id, exit: result.exit, error };
        writeFileAtomic(failedPath(dir, trial), JSON.stringify(record, null, 2) + '\n');
      }
      const how = { busy: 'left to the process running it', failed: `failed (${result.exit})` };
      console.error(
        `${countLine(counts)} | ${how[outcome as keyof typeof how] ?? outcome} ${trial.index}`,
      );
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, pending.length) }, worker));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (stopping) {
    const error = new SqrtkError('E_ABORTED', `sweep stopped by ${stopping}: ${countLine(counts)}`);
    throw Object.assign(error, { exitCode: stopping === 'SIGINT' ? 130 : 143 });
  }
  return counts;
}

/** `sqrtk sweep status DIR`: one line per trial, then the counts. */
export function sweepStatus(dir: string): { lines: string[]; counts: Counts } {
  const sweep = readSweep(dir);
  const counts: Counts = { done: 0, running: 0, failed: 0, left: 0 };
  const lines = sweep.trials.map((t) => {
    const state = trialState(dir, t);
    const running = state === 'started' && isLocked(join(dir, t.dir));
    if (state === 'done') counts.done++;
    else if (state === 'failed') counts.failed++;
    else if (running) counts.running++;
    else counts.left++;
    const why = state === 'failed' ? `: ${failure(dir, t)?.error ?? ''}` : '';
    const shown = running ? 'running' : state === 'started' ? 'started (resumable)' : state;
    return `${String(t.index).padStart(4)}  ${t.id}  ${shown.padEnd(19)}  ${describe(t.options, sweep.varying)}${why}`;
  });
  return { lines, counts };
}
