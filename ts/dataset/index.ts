/** Loading, splitting and scaling data sets: the public names (platform-neutral). */
export {
  loadDataset,
  type DatasetSource,
  type LoadDatasetOptions,
  type LoadedDataset,
} from './load.js';
export { MAX_DATASET_BYTES } from './npy.js';
export { splitDataset, type SplitOptions } from './split.js';
export { standardize, type Standardized } from './standardize.js';
