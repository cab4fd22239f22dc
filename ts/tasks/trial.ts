/**
 * Shared building blocks of the task generators: trial periods, the per-step label convention,
 * option checks, and a builder that fills the flat arrays of a {@link Dataset}.
 *
 * Per-step classification convention (NeuroGym's, as in Yang et al. 2019):
 * - input channel 0 is the **fixation cue**: 1 until the response period starts, then 0 (its
 *   offset is the "go" signal);
 * - output class 0 is **fixate**: the label of every step before the response period;
 * - classes 1..C are the choices, the label of every response step;
 * - the mask weighs fixation, stimulus and delay steps by {@link FIXATE_WEIGHT} (1) and response
 *   steps by {@link RESPONSE_WEIGHT} (5, Yang et al.'s cost mask), so that the few decisive
 *   steps are not drowned by the many easy fixation steps.
 * "Withhold" (no-go, a match in non-match-to-sample) is class 0 during the response period.
 */
import type { Dataset } from '../data.js';
import { optionError, rejectUnknownKeys, requireInt, requireNumber } from '../errors.js';
import type { Random } from './random.js';

/** Mask weight of the steps before the response period. */
export const FIXATE_WEIGHT = 1;
/** Mask weight of the response steps. */
export const RESPONSE_WEIGHT = 5;

/** A named stretch of a trial: steps `start`..`start + steps − 1`. */
export interface Period {
  name: string;
  start: number;
  steps: number;
}

/** Lays `[name, steps]` pairs end to end; returns the periods by name and the trial length. */
export function layout(list: [string, number][]): { at: Record<string, Period>; steps: number } {
  const at: Record<string, Period> = {};
  let start = 0;
  for (const [name, steps] of list) {
    at[name] = { name, start, steps };
    start += steps;
  }
  return { at, steps: start };
}

/** The flat arrays of a set of trials, filled step by step. */
export class TrialSet {
  readonly x: Float32Array;
  readonly labels?: Int32Array;
  readonly targets?: Float32Array;
  readonly mask: Float32Array;
  /** The task variables of every trial, by name (see {@link condition}). */
  readonly conditions: Record<string, Float64Array> = {};

  /** `classes` for per-step labels, or `outputs` for MSE targets. */
  constructor(
    readonly trials: number,
    readonly steps: number,
    readonly inputs: number,
    kind: { classes: number } | { outputs: number },
  ) {
    this.x = new Float32Array(trials * steps * inputs);
    this.mask = new Float32Array(trials * steps);
    if ('classes' in kind) this.labels = new Int32Array(trials * steps);
    else this.targets = new Float32Array(trials * steps * kind.outputs);
  }

  /** Adds `value` to input `channel` at steps from..to−1 of `trial`. */
  input(trial: number, channel: number, from: number, to: number, value: number): void {
    for (let t = from; t < to; t++)
      this.x[(trial * this.steps + t) * this.inputs + channel] += value;
  }

  /**
   * Adds amplitude·noise() to inputs `channels` at steps from..to−1 of `trial` (step by step,
   * then channel by channel in the order given).
   */
  noise(
    trial: number,
    channels: readonly number[],
    from: number,
    to: number,
    amplitude: number,
    noise: () => number,
  ): void {
    if (amplitude === 0) return;
    for (let t = from; t < to; t++)
      for (const c of channels)
        this.x[(trial * this.steps + t) * this.inputs + c] += amplitude * noise();
  }

  /** Per-step labels: class `label` with mask weight `weight` at steps from..to−1 of `trial`. */
  label(trial: number, from: number, to: number, label: number, weight: number): void {
    if (!this.labels) throw new Error('TrialSet: label() on an MSE set');
    for (let t = from; t < to; t++) {
      this.labels[trial * this.steps + t] = label;
      this.mask[trial * this.steps + t] = weight;
    }
  }

  /**
   * The classification convention in one call: fixation cue (input 0) on and label 0 before
   * `response.start`, then `choice` during the response period.
   */
  fixateThenRespond(trial: number, response: Period, choice: number): void {
    this.input(trial, 0, 0, response.start, 1);
    this.label(trial, 0, response.start, 0, FIXATE_WEIGHT);
    this.label(trial, response.start, response.start + response.steps, choice, RESPONSE_WEIGHT);
  }

  /** MSE target `value` of output `out` at step `t` of `trial`, with mask weight `weight`. */
  target(trial: number, t: number, out: number, value: number, weight = 1): void {
    if (!this.targets) throw new Error('TrialSet: target() on a labelled set');
    const outputs = this.targets.length / (this.trials * this.steps);
    this.targets[(trial * this.steps + t) * outputs + out] = value;
    this.mask[trial * this.steps + t] = weight;
  }

  /**
   * Records task variable `name` of `trial` (its direction, coherence, sample, …), which the
   * analyses group trials by; training never reads it.
   */
  condition(trial: number, name: string, value: number): void {
    this.conditions[name] ??= new Float64Array(this.trials);
    this.conditions[name][trial] = value;
  }

  /** The finished {@link Dataset}. */
  dataset(): Dataset {
    const shape: Dataset['shape'] = [this.trials, this.steps, this.inputs];
    const { x, mask, conditions } = this;
    return this.labels
      ? { x, shape, labels: this.labels, mask, conditions }
      : { x, shape, targets: this.targets, mask, conditions };
  }
}

/** Rejects unknown option names (suggesting the closest) and returns the options object. */
export function checkOptions<T extends object>(
  task: string,
  options: T | undefined,
  keys: readonly string[],
): Partial<T> {
  if (options === undefined) return {};
  rejectUnknownKeys(`${task} options`, options, keys);
  return options;
}

/** An integer option with its default. */
export function int(name: string, value: unknown, fallback: number, min: number, max?: number) {
  return requireInt(name, value ?? fallback, { min, max, fix: `use e.g. ${name}: ${fallback}` });
}

/** A finite number option with its default. */
export function num(name: string, value: unknown, fallback: number, min: number, max?: number) {
  return requireNumber(name, value ?? fallback, { min, max, fix: `use e.g. ${name}: ${fallback}` });
}

/** A non-empty list of numbers in [min, max] (e.g. coherence levels). */
export function numberList(
  name: string,
  value: unknown,
  fallback: readonly number[],
  min: number,
  max: number,
): number[] {
  const list = value ?? fallback;
  const fix = `use e.g. ${name}: [${fallback.join(', ')}]`;
  if (!Array.isArray(list) || list.length === 0)
    throw optionError(name, list, 'must be a non-empty array of numbers', fix);
  list.forEach((v, i) => requireNumber(`${name}[${i}]`, v, { min, max, fix }));
  return [...(list as number[])];
}

/** The number of trials: an integer >= 1 (default `fallback`). */
export function trialsOf(value: unknown, fallback: number): number {
  return int('trials', value, fallback, 1);
}

/** Draws a trial's condition, balanced: trial b takes `list[b % list.length]`. */
export function cycle<T>(list: readonly T[], trial: number): T {
  return list[trial % list.length];
}

export type { Random };
