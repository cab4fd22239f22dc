/**
 * From named arrays (read from npz, npy, CSV or JSON) to a {@link Dataset}: checks the shapes
 * against each other and converts to the types sqrtk trains on (Float32, Int32 classes).
 */
import type { Dataset } from '../data.js';
import { fmt } from '../errors.js';
import { checkSize, dataFail, type RawArray } from './npy.js';

export const DATASET_ARRAYS = ['x', 'labels', 'targets', 'mask'] as const;
export type ArrayName = (typeof DATASET_ARRAYS)[number];
/** The arrays of a data set, and its task variables: member `condition_NAME` of an .npz. */
export type RawArrays = Partial<Record<ArrayName, RawArray>> & {
  conditions?: Record<string, RawArray>;
};
/** An .npz member holding a task variable: `condition_` and a name of letters, digits, _. */
export const CONDITION_ARRAY = /^condition_([A-Za-z_][A-Za-z0-9_]*)$/;

/** A loaded data set, with what the loader found out about it. */
export interface LoadedDataset {
  /** The data, ready for `fit`. */
  data: Dataset;
  format: 'npz' | 'npy' | 'csv' | 'json';
  /**
   * `true` when the file holds a class per time step (`labels` of shape [B, T]): then
   * `data.labels` has B·T classes, step-major within each sequence (`labels[b * T + t]`), with
   * `data.mask` if the file had one. A class of -1 marks a step that is not scored (its mask
   * must be 0).
   */
  labelsPerStep: boolean;
  /** Classes (largest label + 1) for labels, O for targets [B, T, O], 0 for x alone. */
  outputs: number;
  /**
   * Conversions worth knowing about, one line each (e.g. float64 read as float32). The library
   * prints nothing; show them to the user (the CLI prints them).
   */
  notes: string[];
}

function shapeText(a: RawArray): string {
  return `[${a.shape.join(', ')}]`;
}

/** Checks and converts the arrays of one data set. `file` names it in every message. */
export function assemble(
  file: string,
  arrays: RawArrays,
  format: LoadedDataset['format'],
  notes: string[],
): LoadedDataset {
  const { x, labels, targets, mask } = arrays;
  if (!x) {
    const found = Object.keys(arrays).map((k) => `"${k}"`);
    throw dataFail(
      file,
      `has no array "x" (found ${found.join(', ') || 'none'}); store the inputs [B, T, D] as "x"`,
    );
  }
  if (x.shape.length !== 3) {
    const hint =
      x.shape.length === 2
        ? `for one input per step reshape it to [B, T, 1] (x[:, :, None] in NumPy)`
        : 'reshape it to [B, T, D] (sequences, time steps, inputs)';
    throw dataFail(file, `array "x" has shape ${shapeText(x)} (${x.shape.length}-D); ${hint}`);
  }
  const [B, T, D] = x.shape;
  if (B === 0 || T === 0 || D === 0) {
    throw dataFail(file, `array "x" has shape ${shapeText(x)}: empty; pass some data`);
  }
  if (labels && targets) {
    throw dataFail(
      file,
      'has both "labels" and "targets"; keep labels (classification) or targets (regression)',
    );
  }
  checkSize(file, 'x', x.shape, x.values.length);
  const data: Dataset = { x: toFloat32(file, 'x', x, notes), shape: [B, T, D] };

  const sameB = (name: string, a: RawArray) => {
    if (a.shape[0] !== B) {
      throw dataFail(
        file,
        `array "${name}" has ${a.shape[0] ?? 'no'} sequences (shape ${shapeText(a)}) but "x" has ` +
          `${B} (shape ${shapeText(x)}); give every array the same first dimension B`,
      );
    }
  };
  const sameT = (name: string, a: RawArray) => {
    if (a.shape[1] !== T) {
      throw dataFail(
        file,
        `array "${name}" has ${a.shape[1]} time steps (shape ${shapeText(a)}) but "x" has ${T} ` +
          `(shape ${shapeText(x)}); give them the same T`,
      );
    }
  };

  let labelsPerStep = false;
  let outputs = 0;
  if (labels) {
    const perSequence =
      labels.shape.length === 1 || (labels.shape.length === 2 && labels.shape[1] === 1);
    if (!perSequence && labels.shape.length !== 2) {
      throw dataFail(
        file,
        `array "labels" has shape ${shapeText(labels)}; give one class per sequence [B] ` +
          'or one per time step [B, T]',
      );
    }
    sameB('labels', labels);
    if (!perSequence) sameT('labels', labels);
    labelsPerStep = !perSequence;
    data.labels = toClasses(file, labels, labelsPerStep);
    outputs = data.labels.reduce((m, c) => Math.max(m, c + 1), 0);
  }
  if (targets) {
    if (targets.shape.length !== 3) {
      const hint =
        targets.shape.length === 2
          ? '; for one output reshape to [B, T, 1] (targets[:, :, None])'
          : ' (sequences, time steps, outputs)';
      throw dataFail(
        file,
        `array "targets" has shape ${shapeText(targets)}; give [B, T, O]${hint}`,
      );
    }
    sameB('targets', targets);
    sameT('targets', targets);
    checkSize(file, 'targets', targets.shape, targets.values.length);
    data.targets = toFloat32(file, 'targets', targets, notes);
    outputs = targets.shape[2];
  }
  if (mask) {
    if (mask.shape.length !== 2) {
      throw dataFail(
        file,
        `array "mask" has shape ${shapeText(mask)}; give one weight per step [B, T]`,
      );
    }
    sameB('mask', mask);
    sameT('mask', mask);
    data.mask = Float32Array.from(mask.values);
  }
  for (const [name, values] of Object.entries(arrays.conditions ?? {})) {
    const array = `condition_${name}`;
    const flat = values.shape.length === 1 || (values.shape.length === 2 && values.shape[1] === 1);
    if (!flat)
      throw dataFail(
        file,
        `array "${array}" has shape ${shapeText(values)}; give one value per sequence [B]`,
      );
    sameB(array, values);
    const converted = Float64Array.from(values.values);
    const bad = converted.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw dataFail(
        file,
        `array "${array}" has ${fmt(converted[bad])} at sequence ${bad}; give every sequence a finite value`,
      );
    data.conditions ??= {};
    data.conditions[name] = converted;
  }
  return { data, format, labelsPerStep, outputs, notes };
}

/** Inputs and targets as Float32; a note when that changes the precision or the type. */
function toFloat32(file: string, name: string, a: RawArray, notes: string[]): Float32Array {
  if (a.values instanceof Float32Array) return a.values;
  if (a.dtype !== 'text') {
    const kind = a.dtype.slice(1) === 'f8' ? 'float64' : `'${a.dtype}'`;
    notes.push(`${file}: array "${name}" is ${kind}; read as float32 (sqrtk computes in float32)`);
  }
  return Float32Array.from(a.values);
}

/** Classes as Int32: whole numbers in 0 ≤ c < 2^31 (floats are fine if they are whole). */
/** Labels as Int32 classes; per-step labels may also be -1 (a step that is not scored). */
function toClasses(file: string, a: RawArray, perStep: boolean): Int32Array {
  const out = new Int32Array(a.values.length);
  const lowest = perStep ? -1 : 0;
  for (let i = 0; i < out.length; i++) {
    const c = a.values[i];
    if (!(Number.isInteger(c) && c >= lowest && c < 2 ** 31)) {
      throw dataFail(
        file,
        `array "labels" holds ${fmt(c)} at flat index ${i}; classes must be whole numbers ` +
          `from 0 to 2^31 - 1 (number them 0, 1, 2, …; MATLAB users: subtract 1 from 1-based classes)` +
          (perStep ? '; -1 marks a step that is not scored (give it mask 0)' : ''),
      );
    }
    out[i] = c;
  }
  return out;
}
