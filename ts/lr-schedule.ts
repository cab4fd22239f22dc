/**
 * Learning-rate schedules: the learning rate of every optimizer step of a fit, as pure functions
 * of where the fit is. Only basic IEEE arithmetic happens in JavaScript (repeated multiplication,
 * never `Math.pow`); the cosine comes from the Rust core, so every platform gets the same bits.
 *
 * - `constant`: `lr` throughout.
 * - `step`: `lr · lrFactor^⌊(epoch − 1) / lrStepEvery⌋` (multiplied by `lrFactor` every
 *   `lrStepEvery` epochs).
 * - `cosine`: after the warm-up, `minLr + (lr − minLr) · (1 + cos(π·t / span)) / 2` where t counts
 *   the steps after the warm-up from 0 and span = total steps − warmup; the rate reaches `minLr`
 *   when training ends (PyTorch's CosineAnnealingLR convention: the last step uses t = span − 1).
 * - `plateau`: `max(minLr, lr · scale)`, where `scale` starts at 1 and is multiplied by `lrFactor`
 *   whenever the monitored validation metric has not improved for `lrPatience` epochs (see
 *   `plateauStep`).
 *
 * `warmup` W > 0 multiplies any schedule by (s + 1) / W for the first W steps (s = 0, 1, …): a
 * linear ramp from lr / W up to the full rate.
 */
import { core } from './init.js';

export const LR_SCHEDULES = ['constant', 'step', 'cosine', 'plateau'] as const;
export type LrScheduleName = (typeof LR_SCHEDULES)[number];

/** The schedule options of a fit (resolved: every knob has its value). */
export interface LrSchedule {
  lrSchedule: LrScheduleName;
  lr: number;
  warmup: number;
  lrStepEvery: number;
  lrFactor: number;
  minLr: number;
  lrPatience: number;
}

/** Where a fit is when it takes a step. */
export interface LrPosition {
  /** Optimizer steps this fit has taken before this one (0 for its first step). */
  step: number;
  /** The epoch this step belongs to (1-based). */
  epoch: number;
  /** Steps the whole fit plans (epochs × batches per epoch). */
  totalSteps: number;
  /** The plateau schedule's multiplier so far (1 until the first reduction). */
  plateauScale: number;
}

/** The learning rate of the step at `p` under schedule `s`. */
export function learningRate(s: LrSchedule, p: LrPosition): number {
  const warm = p.step < s.warmup ? (p.step + 1) / s.warmup : 1;
  return warm * baseRate(s, p);
}

function baseRate(s: LrSchedule, p: LrPosition): number {
  switch (s.lrSchedule) {
    case 'constant':
      return s.lr;
    case 'step':
      return s.lr * power(s.lrFactor, Math.floor((p.epoch - 1) / s.lrStepEvery));
    case 'cosine': {
      const t = Math.max(0, p.step - s.warmup);
      const span = p.totalSteps - s.warmup;
      const f = core((w) => w.rewire_fraction(1, t, span));
      return s.lr * f + s.minLr * (1 - f); // exactly lr at f = 1 and minLr at f = 0
    }
    case 'plateau':
      return Math.max(s.minLr, s.lr * p.plateauScale);
  }
}

/** base^n for a whole n ≥ 0 by repeated multiplication (the same bits in every engine). */
function power(base: number, n: number): number {
  let result = 1;
  for (let i = 0; i < n; i++) result *= base;
  return result;
}

/** The plateau schedule's position: its multiplier and the epochs since the last improvement. */
export interface PlateauState {
  scale: number;
  /** Epochs without improvement since the last improvement or the last reduction. */
  waited: number;
}

/**
 * One epoch of reduce-on-plateau: when the monitored metric did not improve this epoch and has
 * now not improved for `lrPatience` epochs, the scale is multiplied by `lrFactor` and the count
 * starts again (so a long plateau reduces the rate every `lrPatience` epochs).
 */
export function plateauStep(
  state: PlateauState,
  improved: boolean,
  s: Pick<LrSchedule, 'lrFactor' | 'lrPatience'>,
): PlateauState {
  if (improved) return { scale: state.scale, waited: 0 };
  const waited = state.waited + 1;
  if (waited < s.lrPatience) return { scale: state.scale, waited };
  return { scale: state.scale * s.lrFactor, waited: 0 };
}
