/** Everything the Node and browser entry points share. */
export { SparseRNN, liveNetworks, readSaved, type RecurrentMatrix } from './model.js';
export { fit } from './train.js';
export { evaluate, predict, classify, type Evaluation } from './evaluate.js';
export type {
  FitOptions,
  ResolvedFitOptions,
  EpochRecord,
  ProgressEvent,
  History,
  RewireRecord,
  FitState,
} from './train.js';
export type { NetworkOptions, ResolvedNetworkOptions } from './options.js';
export { datasets, validateDataset, type Dataset, type DigitsData } from './data.js';
export {
  loadDataset,
  splitDataset,
  standardize,
  MAX_DATASET_BYTES,
  type DatasetSource,
  type LoadDatasetOptions,
  type LoadedDataset,
  type SplitOptions,
  type Standardized,
} from './dataset/index.js';
export { SqrtkError, type ErrorCode } from './errors.js';
export { threadCount, wasmMemoryBytes } from './init.js';
export { degreeStats, type DegreeStats } from './output/stats.js';
export { delayedMatchToSample, type DmsOptions } from './tasks/dms.js';
export { loadTask, TASKS, type Task } from './tasks/index.js';
export { exportNetwork, EXPORT_FORMATS, type ExportFormat } from './output/export.js';
export { buildReport, type ReportInput } from './output/report.js';
export type { RewireSchedule } from './schedule.js';
export type { LrScheduleName } from './lr-schedule.js';
export type { Monitor } from './monitor.js';
