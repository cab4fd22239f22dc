/**
 * Data sets on disk (Node): reads the files and hands the bytes to the neutral loader, so every
 * message names the file as given.
 */
import { readFile } from 'node:fs/promises';
import { rejectUnknownKeys, SqrtkError } from '../errors.js';
import { loadBytes, type LoadedDataset, type NamedBytes } from '../dataset/load.js';

export interface LoadDatasetFileOptions {
  /** Path of a separate labels file (.npy or JSON array), e.g. beside an x.npy. */
  labels?: string;
  /** Path of a separate targets file [B, T, O]. */
  targets?: string;
  /** Path of a separate mask file [B, T]. */
  mask?: string;
}

async function read(path: unknown, what: string): Promise<NamedBytes> {
  if (typeof path !== 'string' || path === '') {
    throw new SqrtkError(
      'E_OPTION',
      `${what} (=${String(path)}) must be a file path; pass e.g. "train.npz"`,
    );
  }
  try {
    return { bytes: await readFile(path), name: path };
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    const why = missing ? 'does not exist' : `cannot be read (${(cause as Error).message})`;
    throw new SqrtkError('E_IO', `${path}: ${why}`, { cause });
  }
}

/** Reads a data set file (npz, npy, CSV or JSON, told by the content); see `loadDataset`. */
export async function loadDatasetFile(
  path: string,
  options: LoadDatasetFileOptions = {},
): Promise<LoadedDataset> {
  const allowed = ['labels', 'targets', 'mask'] as const;
  rejectUnknownKeys('loadDatasetFile options', options, allowed);
  const main = await read(path, 'path');
  const extra: Partial<Record<(typeof allowed)[number], NamedBytes>> = {};
  for (const key of allowed) {
    if (options[key] !== undefined) extra[key] = await read(options[key], `options.${key}`);
  }
  return loadBytes(main, extra);
}
