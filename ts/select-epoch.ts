/**
 * What `fit` does after an epoch that had validation data: update the best epoch (monitor.ts),
 * the plateau schedule (lr-schedule.ts) and early stopping, and, for `keepBest`, keep the best
 * epoch's network as `net.save()` bytes to put back at the end.
 *
 * Why bytes and a hook (`onBest`) rather than a file: the library runs in browsers too, so fit
 * only holds the bytes in memory and hands each new best to the caller, who stores it where
 * checkpoints go (the CLI writes DIR/best.sqrtk) and gives it back as `resumeBest`. The resumed
 * fit checks those bytes when it uses them: the restored network's state hash must equal the one
 * the checkpoint recorded for the best epoch. A newer best written after the last checkpoint is
 * therefore accepted: the resumed fit replays the same steps, finds that best again and replaces
 * the bytes before using them.
 */
import type { ResolvedFitOptions } from './fit-options.js';
import type { FitState } from './fit-state.js';
import { plateauStep } from './lr-schedule.js';
import { readSaved, restoreInPlace, type SparseRNN } from './model.js';
import { observe, stopsEarly, type Monitor } from './monitor.js';
import { optionError, SqrtkError } from './errors.js';
import type { EpochRecord } from './train.js';

/** The best epoch's network, as bytes (keepBest only). */
export interface Kept {
  bytes: Uint8Array | undefined;
}

/** What keepBest holds at the start: nothing, or (resuming after a best epoch) `resumeBest`. */
export function startKeeping(
  opts: ResolvedFitOptions,
  state: FitState,
  resumeBest: Uint8Array | undefined,
): Kept {
  const best = state.schedule.monitor.best;
  if (!opts.keepBest || best === null) return { bytes: undefined };
  if (resumeBest === undefined)
    throw optionError(
      'resumeBest',
      resumeBest,
      `is needed to resume a keepBest fit whose best epoch so far is ${best.epoch}`,
      'pass the last bytes onBest received',
    );
  readSaved(resumeBest); // a clear E_DATA now for bytes that are not a saved network
  return { bytes: resumeBest };
}

/** Updates the best epoch, the plateau schedule and early stopping after `record`. */
export async function selectEpoch(
  net: SparseRNN,
  state: FitState,
  record: EpochRecord,
  plan: {
    opts: ResolvedFitOptions;
    monitor: Monitor;
    kept: Kept;
    onBest?: (bytes: Uint8Array, epoch: number) => void | Promise<void>;
  },
): Promise<void> {
  const { opts, monitor, kept } = plan;
  const s = state.schedule;
  const value = monitor === 'accuracy' ? record.valAccuracy : record.valLoss;
  const seen = observe(s.monitor, record.epoch, value, monitor);
  s.monitor = seen.state;
  if (opts.lrSchedule === 'plateau') s.plateau = plateauStep(s.plateau, seen.improved, opts);
  if (seen.improved && opts.keepBest) {
    kept.bytes = net.save();
    s.bestHash = net.stateHash();
    await plan.onBest?.(kept.bytes, record.epoch);
  }
  if (stopsEarly(s.monitor, opts.earlyStop)) s.stopped = 'early_stop';
}

/**
 * Puts the best epoch's network back into `net` (when it is not already there) and returns that
 * epoch, or null when no epoch had a finite validation value (then `net` keeps the last one).
 */
export function restoreBest(net: SparseRNN, state: FitState, kept: Kept): number | null {
  const best = state.schedule.monitor.best;
  const hash = state.schedule.bestHash;
  if (best === null || hash === null) return null;
  if (net.stateHash() === hash) return best.epoch;
  try {
    restoreInPlace(net, kept.bytes!, hash);
  } catch (e) {
    // fit's own bytes always match: these came from resumeBest.
    if (!(e instanceof SqrtkError)) throw e;
    const fix = `pass the bytes onBest received for epoch ${best.epoch}, the best before the checkpoint`;
    throw new SqrtkError('E_DATA', `resumeBest: ${e.message.split(';')[0]}; ${fix}`, { cause: e });
  }
  return best.epoch;
}
