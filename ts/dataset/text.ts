/**
 * Text formats: CSV in long form (one row per sequence and time step, as MATLAB's writetable
 * writes a table) and JSON nested arrays.
 */
import { fmt } from '../errors.js';
import { CONDITION_ARRAY, DATASET_ARRAYS, type ArrayName, type RawArrays } from './assemble.js';
import { checkSize, dataFail, type RawArray } from './npy.js';

const CSV_FORM =
  'sequence,step,x0,...,x{D-1} then label (a class) or y0,...,y{O-1} (targets), optionally ' +
  'mask, then any task variables condition_NAME, e.g. "sequence,step,x0,x1,label,condition_coherence"';

/**
 * CSV long form. The header is required. Rows may come in any order: they are sorted by
 * sequence, then step (both any integers, e.g. 1-based from MATLAB). Every sequence must have
 * every step. A label that is constant within each sequence gives one class per sequence [B];
 * otherwise the classes are per step [B, T]. Task variables come last, as columns
 * `condition_NAME`, each with one value per sequence (the same on all of its rows).
 */
export function parseCsv(file: string, text: string): RawArrays {
  const lines = text.split(/\r?\n/);
  const header = lines[0].split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1'));
  if (header.length > 0 && header[0] !== '' && Number.isFinite(Number(header[0]))) {
    throw dataFail(
      file,
      `line 1 holds numbers, but sqrtk needs a header line: ${CSV_FORM} ` +
        `(MATLAB: writetable(array2table(M, 'VariableNames', names), '${file}'))`,
    );
  }
  let D = 0;
  while (header[2 + D] === `x${D}`) D++;
  let O = 0;
  while (header[2 + D + O] === `y${O}`) O++;
  const rest = header.slice(2 + D + O);
  const hasLabel = O === 0 && rest[0] === 'label';
  const hasMask = rest[hasLabel ? 1 : 0] === 'mask';
  let used = 2 + D + O + (hasLabel ? 1 : 0) + (hasMask ? 1 : 0);
  const conditionAt = used;
  while (CONDITION_ARRAY.test(header[used] ?? '')) used++;
  if (header[0] !== 'sequence' || header[1] !== 'step' || D === 0 || used !== header.length) {
    const at = ['sequence', 'step'].findIndex((h, i) => header[i] !== h);
    const where = at >= 0 ? at : D === 0 ? 2 : used;
    throw dataFail(
      file,
      `header ${fmt(header.join(','))} is not sqrtk's long form (column ${where + 1} is ` +
        `${fmt(header[where] ?? '(missing)')}); write the header as ${CSV_FORM}`,
    );
  }

  const rows = lines.slice(1).filter((l) => l.trim() !== '');
  const cols = header.length;
  checkSize(file, 'x', [rows.length, D], rows.length * D);
  const cells = new Float64Array(rows.length * cols);
  rows.forEach((line, r) => {
    const parts = line.split(',');
    if (parts.length !== cols) {
      throw dataFail(
        file,
        `line ${r + 2} has ${parts.length} fields, the header ${cols}; fix that row`,
      );
    }
    for (let c = 0; c < cols; c++) {
      const v = parts[c].trim() === '' ? NaN : Number(parts[c]);
      if (!Number.isFinite(v) || (c < 2 && !Number.isInteger(v))) {
        const rule = c < 2 ? 'an integer' : 'a finite number';
        throw dataFail(
          file,
          `line ${r + 2}, column "${header[c]}" holds ${fmt(parts[c])}, not ${rule}; fix or impute it`,
        );
      }
      cells[r * cols + c] = v;
    }
  });

  const ids = (c: number) =>
    [...new Set(rows.map((_, r) => cells[r * cols + c]))].sort((a, b) => a - b);
  const sequences = ids(0);
  const steps = ids(1);
  const [B, T] = [sequences.length, steps.length];
  const seqIndex = new Map(sequences.map((s, i) => [s, i]));
  const stepIndex = new Map(steps.map((s, i) => [s, i]));
  const rowAt = new Int32Array(B * T).fill(-1);
  for (let r = 0; r < rows.length; r++) {
    const at = seqIndex.get(cells[r * cols])! * T + stepIndex.get(cells[r * cols + 1])!;
    if (rowAt[at] >= 0) {
      throw dataFail(
        file,
        `sequence ${cells[r * cols]} has step ${cells[r * cols + 1]} twice (lines ` +
          `${rowAt[at] + 2} and ${r + 2}); keep one row per sequence and step`,
      );
    }
    rowAt[at] = r;
  }
  const missing = rowAt.indexOf(-1);
  if (missing >= 0) {
    const b = Math.floor(missing / T);
    const have = rowAt.subarray(b * T, (b + 1) * T).filter((r) => r >= 0).length;
    throw dataFail(
      file,
      `sequence ${sequences[b]} has no row for step ${steps[missing % T]} (it has ${have} of the ` +
        `${T} steps in the file); every sequence needs every step: pad the missing steps ` +
        '(e.g. with zeros) and add a mask column that is 0 there',
    );
  }

  const column = (first: number, width: number): Float64Array => {
    const out = new Float64Array(B * T * width);
    for (let i = 0; i < B * T; i++) {
      const r = rowAt[i];
      for (let k = 0; k < width; k++) out[i * width + k] = cells[r * cols + first + k];
    }
    return out;
  };
  const raw = (shape: number[], values: ArrayLike<number>): RawArray => ({
    shape,
    values,
    dtype: 'text',
  });
  const out: RawArrays = { x: raw([B, T, D], column(2, D)) };
  if (O > 0) out.targets = raw([B, T, O], column(2 + D, O));
  if (hasLabel) {
    const classes = column(2 + D, 1);
    const constant = classes.every((c, i) => c === classes[i - (i % T)]);
    out.labels = constant
      ? raw(
          [B],
          classes.filter((_, i) => i % T === 0),
        )
      : raw([B, T], classes);
  }
  if (hasMask) out.mask = raw([B, T], column(conditionAt - 1, 1));
  for (let c = conditionAt; c < cols; c++) {
    const values = column(c, 1);
    const changes = values.findIndex((v, i) => v !== values[i - (i % T)]);
    if (changes >= 0) {
      const b = Math.floor(changes / T);
      throw dataFail(
        file,
        `column "${header[c]}" changes within sequence ${sequences[b]} (${values[b * T]} at step ` +
          `${steps[0]}, ${values[changes]} at step ${steps[changes % T]}); a task variable has one ` +
          'value per sequence: repeat it on every row of the sequence',
      );
    }
    const name = CONDITION_ARRAY.exec(header[c])![1];
    (out.conditions ??= {})[name] = raw(
      [B],
      values.filter((_, i) => i % T === 0),
    );
  }
  return out;
}

/**
 * JSON: `{ x: number[][][], labels: number[] }` or `{ x, targets, mask? }` (nested arrays), and
 * task variables `condition_NAME: number[]` (one per sequence).
 */
export function parseJson(file: string, text: string): RawArrays {
  const value = parseJsonValue(file, text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw dataFail(
      file,
      'must be a JSON object { "x": [[[...]]], "labels": [...] } or { "x", "targets", "mask" }; ' +
        'a bare array is read only as a separate labels, targets or mask source',
    );
  }
  const out: RawArrays = {};
  for (const [key, v] of Object.entries(value)) {
    const condition = CONDITION_ARRAY.exec(key);
    if (condition) {
      (out.conditions ??= {})[condition[1]] = nestedArray(file, key, v);
      continue;
    }
    if (!(DATASET_ARRAYS as readonly string[]).includes(key)) {
      throw dataFail(
        file,
        `has a key "${key}" that sqrtk does not know; use only ${DATASET_ARRAYS.join(', ')}, and condition_NAME for task variables`,
      );
    }
    out[key as ArrayName] = nestedArray(file, key, v);
  }
  return out;
}

export function parseJsonValue(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw dataFail(file, `is not valid JSON (${(e as Error).message}); check the file`);
  }
}

/** A rectangular nested array of numbers; ragged or non-numeric entries are named. */
export function nestedArray(file: string, name: string, value: unknown): RawArray {
  const shape: number[] = [];
  for (let a = value; Array.isArray(a); a = a[0]) {
    shape.push(a.length);
    if (a.length === 0) break;
  }
  checkSize(
    file,
    name,
    shape,
    shape.reduce((a, b) => a * b, 1),
  );
  const values: number[] = [];
  const walk = (a: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof a !== 'number') {
        throw dataFail(
          file,
          `${path} (=${fmt(a)}) is not a number; "${name}" must hold numbers only`,
        );
      }
      values.push(a);
      return;
    }
    if (!Array.isArray(a) || a.length !== shape[depth]) {
      const found = Array.isArray(a) ? `${a.length} items` : fmt(a);
      throw dataFail(
        file,
        `"${name}" is ragged: ${path} has ${found} but ${name}${'[0]'.repeat(depth)} has ` +
          `${shape[depth]}; pad every sequence to the same length and mark padding with a mask`,
      );
    }
    for (let i = 0; i < a.length; i++) walk(a[i], depth + 1, `${path}[${i}]`);
  };
  walk(value, 0, name);
  return { shape, values, dtype: 'text' };
}
