/**
 * `sqrtk train --init FILE`: start from a saved network instead of a new one, e.g. the
 * `model.sqrtk` that `sqrtk import` writes for a connectome, or a finished run's. The network's
 * options (sizes, growth, mode, seed, …) come from the file, so the network flags are not used.
 * config.json records the file's path, size and SHA-256, and `--resume` refuses a changed file.
 */
import { resolve } from 'node:path';
import { checkSameFile, readInputFile, type FileRecord } from './input-file.js';
import { SqrtkError, optionError } from '../errors.js';
import { SparseRNN } from '../model.js';
import type { Task } from '../tasks/index.js';

/** The --init file, as config.json records it. */
export type InitFile = FileRecord;

/** Loads `path` for a run on `task`; `recorded` is the file config.json names (on --resume). */
export function loadInitNetwork(
  path: string,
  task: Task,
  recorded?: InitFile,
): { net: SparseRNN; file: InitFile } {
  const absolute = resolve(path);
  const { bytes, record: file } = readInputFile('--init', absolute);
  if (recorded) checkSameFile(recorded, file);
  let net: SparseRNN;
  try {
    net = SparseRNN.load(bytes);
  } catch (e) {
    if (!(e instanceof SqrtkError) || e.code === 'E_INTERNAL') throw e;
    throw new SqrtkError(
      e.code,
      `--init (=${JSON.stringify(path)}): ${e.message}; give a saved network (.sqrtk), e.g. DIR/model.sqrtk of sqrtk train or sqrtk import`,
      { cause: e },
    );
  }
  const c = net.config;
  const mismatch = [
    c.inputs !== task.inputs && `${c.inputs} inputs, but ${task.name} has ${task.inputs}`,
    c.outputs !== task.outputs && `${c.outputs} outputs, but ${task.name} has ${task.outputs}`,
    c.loss !== task.loss && `loss ${c.loss}, but ${task.name} needs ${task.loss}`,
  ].find((m) => m !== false);
  if (mismatch) {
    net.free();
    throw optionError(
      '--init',
      path,
      `holds a network with ${mismatch}`,
      'start from a network built for this task, or pick a task that fits it',
    );
  }
  console.error(
    `--init: starting from ${absolute} (${c.neurons} neurons, k ${c.k}, ${c.learned} learned per neuron, growth ${c.growth}, seed ${c.seed}); the network flags are not used`,
  );
  return { net, file };
}
