/**
 * The rewiring schedule: every `rewireEvery` optimizer steps the network swaps a fraction of its
 * learned synapses. The fraction starts at `rewireFraction` and decays with a cosine to 0 at
 * `rewireUntil` × (total steps); no rewiring happens after that, so training ends on a fixed
 * structure. (The cosine is computed in the Rust core, so every platform gets the same bits.)
 */
import { core } from './init.js';

export interface RewireSchedule {
  rewireEvery: number;
  rewireFraction: number;
  rewireUntil: number;
}

/** The fraction to swap at optimizer step `step` (1-based), or null when no rewiring is due. */
export function rewireFractionAt(
  schedule: RewireSchedule,
  step: number,
  totalSteps: number,
): number | null {
  const until = Math.floor(schedule.rewireUntil * totalSteps);
  if (step % schedule.rewireEvery !== 0 || step >= until) return null;
  return core((w) => w.rewire_fraction(schedule.rewireFraction, step, until));
}
