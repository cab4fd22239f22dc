/**
 * Selecting epochs on a validation metric: which epoch is the best so far, and when to stop
 * early. Pure functions over the sequence of per-epoch values, so the decisions can be checked on
 * a scripted sequence without a network; `fit` applies the same `observe` after every epoch.
 */

/** The validation metric that selects epochs: accuracy (higher is better) or loss (lower is). */
export type Monitor = 'accuracy' | 'loss';
export const MONITORS = ['accuracy', 'loss'] as const;

/** The best epoch so far and the epochs since it. */
export interface MonitorState {
  best: { epoch: number; value: number } | null;
  /** Epochs since the best one (0 right after an improvement). */
  sinceBest: number;
}

export const START: MonitorState = { best: null, sinceBest: 0 };

/**
 * The state after `epoch` scored `value`. An epoch improves when its value is finite and strictly
 * better than the best so far (ties keep the earlier epoch; NaN or ±Infinity never improves).
 */
export function observe(
  state: MonitorState,
  epoch: number,
  value: number | null,
  monitor: Monitor,
): { state: MonitorState; improved: boolean } {
  const finite = value !== null && Number.isFinite(value);
  const better =
    finite &&
    (state.best === null ||
      (monitor === 'accuracy' ? value > state.best.value : value < state.best.value));
  if (better) return { state: { best: { epoch, value }, sinceBest: 0 }, improved: true };
  return { state: { best: state.best, sinceBest: state.sinceBest + 1 }, improved: false };
}

/** Whether early stopping with `patience` (epochs without improvement) ends training now. */
export function stopsEarly(state: MonitorState, patience: number | null): boolean {
  return patience !== null && state.sinceBest >= patience;
}

/**
 * The decisions over a whole sequence of per-epoch values (epoch 1 first): the best epoch and
 * its value, and the epoch after which early stopping ends training (null: it never does).
 */
export function selectEpochs(
  values: (number | null)[],
  monitor: Monitor,
  patience: number | null,
): { bestEpoch: number | null; best: number | null; stoppedAfter: number | null } {
  let state = START;
  for (let i = 0; i < values.length; i++) {
    state = observe(state, i + 1, values[i], monitor).state;
    if (stopsEarly(state, patience)) return { ...bestOf(state), stoppedAfter: i + 1 };
  }
  return { ...bestOf(state), stoppedAfter: null };
}

function bestOf(state: MonitorState) {
  return { bestEpoch: state.best?.epoch ?? null, best: state.best?.value ?? null };
}
