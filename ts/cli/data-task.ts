/**
 * `sqrtk train --data FILE [--test FILE | --test-fraction F] [--standardize]`: a task made of the
 * user's own files (.npz, .npy, long-form CSV or JSON; see loadDataset). Each file is recorded
 * in config.json with its size and SHA-256, so a run says exactly what it was trained on, and
 * `--resume` refuses a file that changed since.
 */
import { basename } from 'node:path';
import { checkSameFile, readInputFile, type FileRecord } from './input-file.js';
import type { Dataset } from '../data.js';
import { loadDataset, splitDataset, standardize, type LoadedDataset } from '../dataset/index.js';
import { optionError, SqrtkError } from '../errors.js';
import type { Task } from '../tasks/index.js';

export interface DataCommandOptions {
  data?: string;
  test?: string;
  testFraction?: number;
  standardize?: boolean;
  loss?: string;
  seed: number;
}

/** One data file of a run, as config.json records it. */
export interface DataFile extends FileRecord {
  role: 'train' | 'test';
}

const DEFAULT_TEST_FRACTION = 0.2;

/** The task of `--data` (and `--test`), with the files it read. */
export async function dataTask(o: DataCommandOptions): Promise<{ task: Task; files: DataFile[] }> {
  if (o.data === undefined) throw new Error('dataTask needs --data');
  if (o.test !== undefined && o.testFraction !== undefined)
    throw optionError(
      '--test-fraction',
      o.testFraction,
      'cannot be combined with --test',
      'pass one of them',
    );
  const files: DataFile[] = [];
  const train = await readData('--data', o.data, 'train', files);
  const loss = train.data.labels ? 'cross_entropy' : 'mse';
  if (o.loss !== undefined && o.loss !== loss) {
    const has = loss === 'mse' ? 'targets' : 'labels';
    const rule = `does not fit ${o.data}, which holds ${has} (loss ${loss})`;
    throw optionError('--loss', o.loss, rule, `leave out --loss or pass --loss ${loss}`);
  }
  let parts: { train: Dataset; test: Dataset };
  if (o.test !== undefined) {
    const test = await readData('--test', o.test, 'test', files);
    checkSameShape(o.data, train, o.test, test);
    parts = { train: train.data, test: test.data };
  } else {
    const fraction = o.testFraction ?? DEFAULT_TEST_FRACTION;
    parts = splitDataset(train.data, { test: fraction, seed: o.seed });
  }
  if (o.standardize) {
    const scaled = standardize(parts.train, parts.test);
    parts = { train: scaled.train, test: scaled.test ?? parts.test };
  }
  const [sequences, steps, inputs] = train.data.shape;
  const outputs = train.outputs;
  const description =
    `${o.data}: ${sequences} sequences of ${steps} steps, ${inputs} inputs, ` +
    (loss === 'mse' ? `${outputs} targets per step` : `${outputs} classes`) +
    (o.test ? `; test set ${o.test}` : `; ${parts.test.shape[0]} held out for testing`) +
    (o.standardize ? '; inputs standardized with the training set' : '');
  const task = { name: basename(o.data), description, ...parts, inputs, outputs, loss } as const;
  return { task, files };
}

/** Refuses to continue when a data file is not the one the run was started with. */
export function checkUnchanged(recorded: DataFile[], now: DataFile[]): void {
  for (const before of recorded) {
    const after = now.find((f) => f.role === before.role);
    if (after) checkSameFile(before, after);
  }
}

async function readData(
  flag: string,
  path: string,
  role: DataFile['role'],
  files: DataFile[],
): Promise<LoadedDataset> {
  const { bytes, record } = readInputFile(flag, path);
  files.push({ role, ...record });
  const loaded = await loadDataset(bytes, { name: path });
  for (const note of loaded.notes) console.error(note);
  if (!loaded.data.labels && !loaded.data.targets)
    throw new SqrtkError(
      'E_DATA',
      `${path}: holds inputs only; save labels [B] or targets [B, T, O] with x (np.savez(path, x=x, labels=labels))`,
    );
  return loaded;
}

function checkSameShape(
  trainPath: string,
  train: LoadedDataset,
  testPath: string,
  test: LoadedDataset,
) {
  // Sequence lengths may differ: the network runs over any number of steps.
  const inputs = train.data.shape[2];
  const testInputs = test.data.shape[2];
  const trainKind = train.data.labels ? 'labels' : 'targets';
  const testKind = test.data.labels ? 'labels' : 'targets';
  const problems = [
    inputs !== testInputs && `${testInputs} inputs per step, ${trainPath} has ${inputs}`,
    trainKind !== testKind && `${testKind}, ${trainPath} has ${trainKind}`,
    trainKind === 'labels' &&
      test.outputs > train.outputs &&
      `classes up to ${test.outputs - 1}, ${trainPath} only up to ${train.outputs - 1}`,
    trainKind === 'targets' &&
      test.outputs !== train.outputs &&
      `${test.outputs} targets per step, ${trainPath} has ${train.outputs}`,
  ].filter(Boolean);
  if (problems.length > 0)
    throw new SqrtkError(
      'E_DATA',
      `${testPath}: does not match ${trainPath}: it has ${problems.join('; ')}; save both from the same arrays`,
    );
}
