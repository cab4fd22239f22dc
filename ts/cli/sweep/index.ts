/** `sqrtk sweep plan | run | status | report | slurm` (see each module). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqrtkError } from '../../errors.js';
import { writeFileAtomic } from '../../node/atomic.js';
import { lockRunDirectory } from '../lock.js';
import { describe, planSweep, type Sweep } from './plan.js';

export { runSweep, sweepStatus, countLine } from './run.js';
export { writeSweepReport } from './report.js';
export { writeSbatch, type SlurmOptions } from './slurm.js';

/**
 * Plans the manifest into `out`/sweep.json and returns one line per trial. Planning again
 * with the same manifest is a no-op; `out` holding another plan is refused unless `extend`.
 */
export async function planCommand(
  manifest: string,
  out: string,
  planned?: Sweep,
  extend = false,
): Promise<string[]> {
  const sweep = planned ?? (await planSweep(manifest));
  const text = JSON.stringify(sweep, null, 2) + '\n';
  const path = join(out, 'sweep.json');
  const release = lockRunDirectory(out);
  try {
    // --extend: the new plan replaces the old; trials of both (the same ID) keep what they ran.
    if (!extend && existsSync(path) && readFileSync(path, 'utf8') !== text)
      throw new SqrtkError(
        'E_BUSY',
        `${path} holds another sweep plan; pass --extend to replace it (trials already run are kept and reused by their ID), or choose another --out`,
      );
    writeFileAtomic(path, text);
  } finally {
    release();
  }
  return [
    ...sweep.trials.map(
      (t) => `${String(t.index).padStart(4)}  ${t.id}  ${describe(t.options, sweep.varying)}`,
    ),
    `wrote ${path}: ${sweep.trials.length} trials`,
  ];
}
