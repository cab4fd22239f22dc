/**
 * Where a `fit` is: one plain object, saved with the network at every checkpoint, enough to
 * continue the fit exactly (`fit(net, data, { resume: state })`).
 */
import { optionError } from './errors.js';
import type { PlateauState } from './lr-schedule.js';
import type { SparseRNN } from './model.js';
import type { MonitorState } from './monitor.js';
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
  /** The learning-rate schedule's and the epoch selection's position. */
  schedule: ScheduleState;
}

/** Where the plateau schedule, the best-epoch tracking and early stopping are. */
export interface ScheduleState {
  /** The best validation epoch so far and the epochs since it (monitor.ts). */
  monitor: MonitorState;
  /** State hash of the network after the best epoch (keepBest checks what it restores). */
  bestHash: string | null;
  /** The plateau schedule's multiplier and patience count (lr-schedule.ts). */
  plateau: PlateauState;
  /** 'early_stop' once early stopping has ended the fit. */
  stopped: 'early_stop' | null;
}

function startSchedule(): ScheduleState {
  return {
    monitor: { best: null, sinceBest: 0 },
    bestHash: null,
    plateau: { scale: 1, waited: 0 },
    stopped: null,
  };
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
    schedule: startSchedule(),
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
  // States saved before schedules existed ran a constant rate with no selection: start those.
  const copy: Omit<FitState, 'schedule'> & { schedule?: ScheduleState } = structuredClone(resume);
  return { ...copy, schedule: copy.schedule ?? startSchedule() };
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
    finite(s.rewireSeconds) &&
    (s.schedule === undefined || isScheduleState(s.schedule))
  );
}

function isScheduleState(value: unknown): value is ScheduleState {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<Record<keyof ScheduleState, unknown>>;
  const m = s.monitor as Partial<MonitorState> | null | undefined;
  const p = s.plateau as Partial<PlateauState> | null | undefined;
  const best = m?.best;
  return (
    Number.isSafeInteger(m?.sinceBest) &&
    (best === null ||
      (typeof best === 'object' &&
        Number.isSafeInteger(best?.epoch) &&
        Number.isFinite(best?.value))) &&
    (s.bestHash === null || typeof s.bestHash === 'string') &&
    typeof p?.scale === 'number' &&
    p.scale > 0 &&
    Number.isSafeInteger(p.waited) &&
    (s.stopped === null || s.stopped === 'early_stop')
  );
}
