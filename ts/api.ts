/** Everything the Node and browser entry points share. */
export { SparseRNN, liveNetworks, readSaved, type RecurrentMatrix } from './model.js';
export { fit, evaluate, predict, classify, resolveFitOptions } from './train.js';
export type {
  FitOptions,
  ResolvedFitOptions,
  EpochRecord,
  ProgressEvent,
  History,
  Evaluation,
  RewireRecord,
  FitState,
} from './train.js';
export {
  resolveNetworkOptions,
  type NetworkOptions,
  type ResolvedNetworkOptions,
} from './options.js';
export { datasets, validateDataset, takeBatch, type Dataset, type DigitsData } from './data.js';
export { SqrtkError, type ErrorCode } from './errors.js';
export { threadCount, wasmMemoryBytes } from './init.js';
export { degreeStats, type DegreeStats } from './stats.js';
export { delayedMatchToSample, type DmsOptions } from './dms.js';
export { loadTask, TASKS, type Task } from './tasks.js';
export { exportNetwork, networkArrays, EXPORT_FORMATS, type ExportFormat } from './export.js';
export { buildReport, type ReportInput } from './report.js';
export type { RewireSchedule } from './schedule.js';
