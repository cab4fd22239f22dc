/** Everything the Node and browser entry points share. */
export { SparseRNN, liveNetworks, readSaved, type RecurrentMatrix } from './model.js';
export { fit } from './train.js';
export { evaluate, predict, classify, type Evaluation, type EvaluateOptions } from './evaluate.js';
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
export { heapBytesInUse, profile, threadCount, wasmMemoryBytes } from './init.js';
export { degreeStats, type DegreeStats } from './output/stats.js';
export {
  delayedMatchToSample,
  delayedNonMatchToSample,
  type DmsOptions,
  type DnmsOptions,
} from './tasks/dms.js';
export {
  loadTask,
  taskInfo,
  tasks,
  TASKS,
  TASK_INFO,
  FIXATE_WEIGHT,
  RESPONSE_WEIGHT,
  type OptionValue,
  type Task,
  type TaskInfo,
} from './tasks/index.js';
export type { PerceptualDecisionOptions, ContextDependentOptions } from './tasks/evidence.js';
export type { ParametricWorkingMemoryOptions } from './tasks/romo.js';
export type { GoNoGoOptions, ProAntiOptions } from './tasks/go.js';
export type { ReadySetGoOptions } from './tasks/timing.js';
export type { FlipFlopOptions } from './tasks/flipflop.js';
export { taskCurriculum, type TaskCurriculum } from './tasks/curriculum.js';
export { exportNetwork, EXPORT_FORMATS, type ExportFormat } from './output/export.js';
export type { NetworkArrays } from './import.js';
export { loadNetwork, type LoadNetworkOptions, type NetworkSource } from './load-network.js';
export { buildReport, type ReportInput } from './output/report.js';
export { summarize, metricsLine, type RunSummary } from './output/summary.js';
export {
  spectrum,
  MAX_EXACT as SPECTRUM_EXACT_MAX_NEURONS,
  MAX_ARNOLDI as SPECTRUM_MAX_NEURONS,
  type Spectrum,
} from './analysis/spectrum.js';
export {
  analyze,
  type Analysis,
  type AnalyzeOptions,
  type InputFixedPoints,
} from './analysis/index.js';
export {
  dynamicsOf,
  findFixedPoints,
  simulate,
  type Dynamics,
  type FixedPoint,
  type FixedPointOptions,
} from './analysis/fixed-points.js';
export { analysisSection, type AnalysisFile } from './output/analysis-report.js';
export type { RewireSchedule } from './schedule.js';
export type { LrScheduleName } from './lr-schedule.js';
export type { Monitor } from './monitor.js';
