/**
 * `sqrtk sweep slurm DIR`: DIR/sweep.sbatch, a Slurm job array with one task per trial. Task i
 * runs `sqrtk sweep run DIR --index i`, so a task that is cancelled, preempted or requeued
 * resumes its trial from the last checkpoint, and a finished one is skipped. Submit it with
 * `sbatch DIR/sweep.sbatch`; when the array has finished, `sqrtk sweep report DIR`.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { optionError } from '../../errors.js';
import { writeFileAtomic } from '../../node/atomic.js';
import { readSweep } from './run.js';

export interface SlurmOptions {
  partition?: string;
  /** Slurm's time limit per task, e.g. 1:00:00. */
  time?: string;
  /** At most this many tasks at once (`%k` of --array). */
  maxParallel?: number;
  /** CPUs per task, which become its threads (default 1). */
  cpus?: number;
}

/** Quotes `text` for bash, whatever it holds. */
const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function writeSbatch(dir: string, o: SlurmOptions): { path: string; trials: number } {
  const n = readSweep(dir).trials.length;
  const cpus = o.cpus ?? 1;
  if (!Number.isSafeInteger(cpus) || cpus < 1)
    throw optionError('--cpus', cpus, 'must be a whole number ≥ 1', 'use e.g. --cpus 2');
  if (o.maxParallel !== undefined && !(Number.isSafeInteger(o.maxParallel) && o.maxParallel >= 1))
    throw optionError(
      '--max-parallel',
      o.maxParallel,
      'must be a whole number ≥ 1',
      'use e.g. --max-parallel 10',
    );
  for (const [flag, value] of [
    ['--partition', o.partition],
    ['--time', o.time],
  ] as const)
    if (value !== undefined && !/^[\w:.,-]+$/.test(value))
      throw optionError(
        flag,
        value,
        'may hold only letters, digits and : . - _',
        'e.g. --time 1:00:00',
      );
  const abs = resolve(dir);
  // Slurm reads #SBATCH lines itself: no shell quoting, and % starts one of its patterns.
  if (/[%"\n]/.test(abs))
    throw optionError(
      'DIR',
      abs,
      'may not hold %, " or a line break for Slurm',
      'move the sweep to a plainer path',
    );
  const array = `0-${n - 1}${o.maxParallel ? `%${o.maxParallel}` : ''}`;
  const lines = [
    '#!/bin/bash',
    `# ${n} trials of the sqrtk sweep in ${abs}, one Slurm array task each.`,
    `#   submit: sbatch ${abs}/sweep.sbatch`,
    `#   then:   sqrtk sweep status ${abs}   and, when all are done,   sqrtk sweep report ${abs}`,
    '#SBATCH --job-name=sqrtk-sweep',
    `#SBATCH --array=${array}`,
    `#SBATCH --cpus-per-task=${cpus}`,
    `#SBATCH --output="${abs}/logs/slurm-%A_%a.out"`,
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
    'set -euo pipefail',
    `exec ${quote(process.execPath)} ${quote(resolve(process.argv[1]))} sweep run ${quote(abs)} --index "$SLURM_ARRAY_TASK_ID" --threads "\${SLURM_CPUS_PER_TASK:-${cpus}}"`,
    '',
  ];
  mkdirSync(resolve(dir, 'logs'), { recursive: true }); // Slurm does not create it
  const path = resolve(dir, 'sweep.sbatch');
  writeFileAtomic(path, lines.join('\n'));
  return { path, trials: n };
}
