/**
 * `splitDataset`: a seeded, stratified train/test split, identical in every runtime (the random
 * numbers come from a small integer generator written out here, not from Math.random).
 */
import type { Dataset } from '../data.js';
import { dataError, optionError, rejectUnknownKeys, requireInt } from '../errors.js';

export interface SplitOptions {
  /** Fraction of the sequences for the test part, in (0, 1). */
  test: number;
  /** Seed for the shuffle, an integer in 0..2^32-1 (default 0). */
  seed?: number;
}

/**
 * SplitMix32-style generator: a Weyl sequence (step 0x9e3779b9) through the murmur3 32-bit
 * finaliser. Integer arithmetic only (Math.imul), so every engine gives the same stream.
 */
export function splitMix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Fisher–Yates shuffle in place with `next` (uniform 32-bit integers). */
function shuffle(items: number[], next: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor((next() / 2 ** 32) * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}

/**
 * Splits `data` into `{ train, test }`: every sequence lands in exactly one part, each part keeps
 * the original order. With one label per sequence the split is stratified: each class gives
 * `test` of its sequences to the test part (within one sequence), and the test part holds
 * round(test · B) sequences in all. The same seed gives the same split everywhere.
 */
export function splitDataset(
  data: Dataset,
  options: SplitOptions,
): { train: Dataset; test: Dataset } {
  rejectUnknownKeys('splitDataset options', options, ['test', 'seed']);
  const fraction = options.test;
  if (!(typeof fraction === 'number' && fraction > 0 && fraction < 1)) {
    throw optionError(
      'test',
      fraction,
      'must be a fraction between 0 and 1 (exclusive)',
      'use e.g. test: 0.2',
    );
  }
  const seed = requireInt('seed', options.seed ?? 0, {
    min: 0,
    max: 2 ** 32 - 1,
    fix: 'use e.g. seed: 1',
  });
  const [B] = data.shape;
  const wanted = Math.round(fraction * B);
  if (wanted === 0 || wanted === B) {
    const part = wanted === 0 ? 'test' : 'train';
    throw optionError(
      'test',
      fraction,
      `leaves the ${part} part empty for B = ${B} sequences`,
      `use a test fraction between ${(0.5 / B).toFixed(3)} and ${(1 - 0.5 / B).toFixed(3)}, or more data`,
    );
  }

  const next = splitMix32(seed);
  const perSequence = data.labels !== undefined && data.labels.length === B;
  const groups = new Map<number, number[]>();
  for (let b = 0; b < B; b++) {
    const key = perSequence ? data.labels![b] : 0;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(b);
  }
  // Largest remainder: each class gets floor(test · n) and the leftover seats go to the classes
  // with the largest fractional parts (ties to the smaller class number).
  const classes = [...groups.keys()].sort((a, b) => a - b);
  const quota = new Map(classes.map((c) => [c, Math.floor(fraction * groups.get(c)!.length)]));
  let left = wanted - [...quota.values()].reduce((a, b) => a + b, 0);
  const byRemainder = [...classes].sort((a, b) => {
    const ra = fraction * groups.get(a)!.length - quota.get(a)!;
    const rb = fraction * groups.get(b)!.length - quota.get(b)!;
    return rb - ra || a - b;
  });
  for (const c of byRemainder) {
    if (left <= 0) break;
    quota.set(c, quota.get(c)! + 1);
    left--;
  }

  const inTest = new Uint8Array(B);
  for (const c of classes) {
    const members = groups.get(c)!;
    shuffle(members, next);
    for (const b of members.slice(0, quota.get(c))) inTest[b] = 1;
  }
  const pick = (flag: number) => [...inTest.keys()].filter((b) => inTest[b] === flag);
  return { train: subset(data, pick(0)), test: subset(data, pick(1)) };
}

/** Copies sequences `rows` (in that order), labels per sequence or per step alike. */
export function subset(data: Dataset, rows: number[]): Dataset {
  const [B, T, D] = data.shape;
  if (data.x.length !== B * T * D) {
    throw dataError(
      'data.x.length',
      data.x.length,
      `must equal B·T·D = ${B * T * D}`,
      'fix data.shape',
    );
  }
  const take = <A extends Float32Array | Int32Array>(a: A, make: (n: number) => A): A => {
    const size = a.length / B;
    const out = make(rows.length * size);
    rows.forEach((b, i) => out.set(a.subarray(b * size, (b + 1) * size), i * size));
    return out;
  };
  const float = (n: number) => new Float32Array(n);
  const out: Dataset = { x: take(data.x, float), shape: [rows.length, T, D] };
  if (data.labels) out.labels = take(data.labels, (n) => new Int32Array(n));
  if (data.targets) out.targets = take(data.targets, float);
  if (data.mask) out.mask = take(data.mask, float);
  if (data.conditions)
    out.conditions = Object.fromEntries(
      Object.entries(data.conditions).map(([name, v]) => [
        name,
        Float64Array.from(rows, (b) => v[b]),
      ]),
    );
  return out;
}
