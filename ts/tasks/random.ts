/**
 * The random numbers of the task generators: integer operations only (mulberry32), so that a
 * seed gives the same bytes in Node, every browser and every JavaScript engine. Nothing here
 * calls Math.sin, cos, log, exp, sqrt or pow, whose last bit may differ between engines: the
 * Gaussian-like noise is a sum of uniforms (Irwin–Hall), built from + − × only.
 */
import { requireInt } from '../errors.js';

/** A small, fast 32-bit generator (mulberry32): uniform numbers in [0, 1), 32 bits each. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The random draws a task generator needs, from one seeded stream. */
export interface Random {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform integer in 0..n-1. */
  below(n: number): number;
  /** Uniform in [−1, 1). */
  signed(): number;
  /**
   * Gaussian-like noise with mean 0 and standard deviation 1: 2·(u₁ + u₂ + u₃ − 1.5), the
   * Irwin–Hall sum of three uniforms (bell-shaped, bounded in [−3, 3]).
   */
  gauss(): number;
  /** +1 or −1 with equal probability. */
  sign(): number;
  /** One element of `list`, uniformly. */
  pick<T>(list: readonly T[]): T;
}

/** A {@link Random} stream seeded with `seed` (a 32-bit unsigned integer). */
export function randomStream(seed: number): Random {
  const next = mulberry32(seed);
  return {
    uniform: next,
    below: (n) => Math.floor(next() * n),
    signed: () => next() * 2 - 1,
    gauss: () => 2 * (next() + next() + next() - 1.5),
    sign: () => (next() < 0.5 ? -1 : 1),
    pick: (list) => list[Math.floor(next() * list.length)],
  };
}

/** Checks a generator's `seed` option (default 0): an unsigned 32-bit integer. */
export function requireSeed(value: unknown): number {
  return requireInt('seed', value ?? 0, {
    min: 0,
    max: 2 ** 32 - 1,
    fix: 'use a 32-bit seed, e.g. seed: 1',
  });
}
