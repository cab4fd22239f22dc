/**
 * Where a `fit` is: one plain object, saved with the network at every checkpoint, enough to
 * continue the fit exactly (`fit(net, data, { resume: state })`).
 */
import { optionError } from './errors.js';
import type { SparseRNN } from './model.js';
import type { EpochRecord, RewireRecord } from './train.js';

export interface FitState {
  /** The network's optimizer step count when this fit started (the schedule counts from it). */
  firstStep: number;
  /** Epoch (1-based) and batch (0-based) to run next. */
  epoch: number;
  batch: number;
  /** Running sums over the current epoch's batches so far. */
  lossSum: number;
  /** Right decisions of the scored ones (sequences, or steps with per-step labels). */
  correct: number;
  scored: number;
  /** The first batch's loss (a loss 1000× above it stops training) and the latest one. */
  firstLoss: number | null;
  lastLoss: number;
  /** The history so far. */
  epochs: EpochRecord[];
  rewires: RewireRecord[];
  /** Wall-clock seconds spent so far in training steps and in rewiring (carried across resumes). */
  trainSeconds: number;
  rewireSeconds: number;
}

/** The state of a fit that starts now. */
export function startState(net: SparseRNN): FitState {
  return {
    firstStep: net.steps,
    epoch: 1,
    batch: 0,
    lossSum: 0,
    correct: 0,
    scored: 0,
    firstLoss: null,
    lastLoss: 0,
    epochs: [],
    rewires: [],
    trainSeconds: 0,
    rewireSeconds: 0,
  };
}

const FIX = 'pass the state that onCheckpoint received, saved together with this network';

/**
 * Checks a saved state against this fit (its shape, its position within `epochs` × `batches`,
 * and the network's step count) and returns a copy to continue from.
 */
export function resumeState(
  net: SparseRNN,
  resume: unknown,
  batches: number,
  epochs: number,
): FitState {
  if (!isFitState(resume)) {
    throw optionError('resume', resume, 'is not a training position saved by fit', FIX);
  }
  const { epoch, batch, firstStep } = resume;
  if (!(epoch <= epochs + 1 && batch < batches)) {
    throw optionError(
      'resume',
      { epoch, batch },
      `is outside this fit (${epochs} epochs of ${batches} batches)`,
      'resume with the same data and fit options',
    );
  }
  const steps = firstStep + (epoch - 1) * batches + batch;
  if (net.steps !== steps) {
    const rule = `is ${steps} optimizer steps into training, but the network has taken ${net.steps}`;
    throw optionError('resume', `epoch ${epoch}, batch ${batch}`, rule, FIX);
  }
  return structuredClone(resume);
}

function isFitState(value: unknown): value is FitState {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  const count = (v: unknown, min = 0) => Number.isSafeInteger(v) && (v as number) >= min;
  const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  return (
    count(s.firstStep) &&
    count(s.epoch, 1) &&
    count(s.batch) &&
    finite(s.lossSum) &&
    count(s.correct) &&
    count(s.scored) &&
    (s.firstLoss === null || finite(s.firstLoss)) &&
    finite(s.lastLoss) &&
    Array.isArray(s.epochs) &&
    Array.isArray(s.rewires) &&
    finite(s.trainSeconds) &&
    finite(s.rewireSeconds)
  );
}
