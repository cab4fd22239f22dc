/** `sqrtk export` and `sqrtk report`: turn a finished run directory into files for others. */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { AnalysisFile } from '../output/analysis-report.js';
import { join } from 'node:path';
import { optionError, requireOneOf, SqrtkError } from '../errors.js';
import { EXPORT_FORMATS, exportNetwork, type ExportFormat } from '../output/export.js';
import { loadNetworkFile } from '../node/files.js';
import { buildReport } from '../output/report.js';
import { firstTrials } from '../output/trials.js';
import { writeError, writeFileAtomic } from '../node/atomic.js';
import type { OptionValue } from '../tasks/index.js';
import { loadTaskFromFlags, taskOptionPairs } from '../tasks/options.js';
import { takeBatch } from '../data.js';
import { SparseRNN } from '../model.js';
import type { ResolvedNetworkOptions } from '../options.js';
import { MAX_ARNOLDI, spectrum, type Spectrum } from '../analysis/spectrum.js';
import { analyze } from '../analysis/index.js';
import type { Task } from '../tasks/index.js';
import type { DataFile } from './data-task.js';
import { taskOf, type TrainCommandOptions } from './train.js';

const FINISHED = 'is this the --out directory of a finished `sqrtk train`?';

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    const why = missing ? 'does not exist' : `cannot be read (${(cause as Error).message})`;
    throw new SqrtkError('E_IO', `${path}: ${why}; ${FINISHED}`, { cause });
  }
}

/** Reads a JSON file that must hold an object (or, with `array`, an array). */
function readJson(path: string, array = false): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readText(path));
  } catch (cause) {
    if (cause instanceof SqrtkError) throw cause;
    throw new SqrtkError(
      'E_DATA',
      `${path}: is not valid JSON (${(cause as Error).message}); ${FINISHED}`,
      {
        cause,
      },
    );
  }
  const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (kind !== (array ? 'array' : 'object'))
    throw new SqrtkError(
      'E_DATA',
      `${path}: holds ${kind === 'object' || kind === 'array' ? `an ${kind}` : kind}, not ${array ? 'an array' : 'an object'}; ${FINISHED}`,
    );
  return value as Record<string, unknown>;
}

/** metrics.jsonl: one JSON object per line; a bad line is named by its number. */
function readMetrics(path: string): Record<string, unknown>[] {
  return readText(path)
    .split('\n')
    .map((line, i) => [line, i + 1] as const)
    .filter(([line]) => line.trim() !== '')
    .map(([line, number]) => {
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch (cause) {
        throw new SqrtkError(
          'E_DATA',
          `${path}:${number}: is not valid JSON (${(cause as Error).message}); fix or delete that line, or train the run again`,
          { cause },
        );
      }
      if (record === null || typeof record !== 'object' || Array.isArray(record))
        throw new SqrtkError(
          'E_DATA',
          `${path}:${number}: is not a metrics record (an object per line); fix or delete that line, or train the run again`,
        );
      return record as Record<string, unknown>;
    });
}

/** Writes DIR/export/<files> for `format` from DIR/model.sqrtk. */
export function exportRun(dir: string, format: string): string[] {
  requireOneOf('format', format, EXPORT_FORMATS);
  const { net } = loadNetworkFile(join(dir, 'model.sqrtk'));
  try {
    const out = join(dir, 'export');
    try {
      mkdirSync(out, { recursive: true });
    } catch (cause) {
      throw writeError(out, cause);
    }
    const files = exportNetwork(net, format as ExportFormat);
    for (const [name, bytes] of Object.entries(files)) writeFileAtomic(join(out, name), bytes);
    return Object.keys(files).map((name) => join(out, name));
  } finally {
    net.free();
  }
}

/**
 * DIR/analysis.json for the report's section, if `sqrtk analyze` wrote one for this very
 * network: one of another network (the run was trained again or resumed since) or one that is
 * not an analysis is left out, with a warning saying what to do.
 */
function readAnalysis(
  dir: string,
  hash: string,
  warn: (line: string) => void,
): AnalysisFile | undefined {
  const path = join(dir, 'analysis.json');
  if (!existsSync(path)) return undefined;
  let analysis: Record<string, unknown>;
  try {
    analysis = readJson(path);
  } catch (e) {
    // readJson asks whether DIR is a finished run; here the question is the analysis file.
    const message = (e as Error).message.replace(`; ${FINISHED}`, '');
    warn(`${message}; the report leaves the analysis out (run sqrtk analyze ${dir} again)`);
    return undefined;
  }
  const spectrum = analysis.spectrum as Record<string, unknown> | undefined;
  if (
    spectrum === null ||
    typeof spectrum !== 'object' ||
    !('before' in spectrum && 'after' in spectrum)
  ) {
    warn(
      `${path}: is not an analysis of sqrtk analyze; the report leaves it out (run sqrtk analyze ${dir} again)`,
    );
    return undefined;
  }
  if (analysis.state_hash !== hash) {
    warn(
      `${path}: is of another network (state ${String(analysis.state_hash)}, the run's is ${hash}); the report leaves it out (run sqrtk analyze ${dir} again)`,
    );
    return undefined;
  }
  return analysis as unknown as AnalysisFile;
}

/** Writes DIR/report.html from the run's files; `warn` gets what was left out and why. */
export function reportRun(dir: string, warn: (line: string) => void = () => {}): string {
  const config = readJson(join(dir, 'config.json')) as {
    cli?: { task?: string; data?: string; taskOption?: string[] };
    task?: { options?: Record<string, OptionValue> };
  };
  const summary = readJson(join(dir, 'summary.json'));
  const rewires = readJson(join(dir, 'rewires.json'), true) as unknown as never[];
  const metrics = readMetrics(join(dir, 'metrics.jsonl')) as never[];
  const { net } = loadNetworkFile(join(dir, 'model.sqrtk'));
  try {
    // The task's test set is rebuilt from the options (and seed) the run recorded.
    const recorded = config.task?.options;
    const name = config.cli?.data === undefined ? config.cli?.task : undefined;
    const pairs = recorded ? taskOptionPairs(recorded) : config.cli?.taskOption;
    const task = name ? loadTaskFromFlags(name, pairs) : undefined;
    const sample = task ? takeBatch(task.test, [0, 1, 2, 3]) : undefined;
    const examples = task && { task: task.name, trials: firstTrials(task.test, 2) };
    const analysis = readAnalysis(dir, net.stateHash(), warn);
    const html = buildReport({
      title: `sqrtk run: ${dir}`,
      net,
      metrics,
      rewires,
      sample,
      examples,
      summary,
      analysis,
    });
    const path = join(dir, 'report.html');
    writeFileAtomic(path, html);
    return path;
  } finally {
    net.free();
  }
}

/** What `sqrtk analyze` takes besides the run directory. */
export interface AnalyzeRunOptions {
  trials?: number;
  permutations?: number;
  condition?: string;
  fixedPointSeeds?: number;
}

/**
 * `sqrtk analyze DIR`: DIR/analysis.json with every analysis of `analyze` on the test trials of
 * the run's task (rebuilt from config.json, or read again from its --data files, which must not
 * have changed), the spectrum before training (the network config.json describes, rebuilt from
 * its seed) and after; returns the path of analysis.json (the `analyze` command then writes
 * report.html again, main.ts). A network without a recorded task (`sqrtk import`) gets the
 * spectrum only.
 */
export async function analyzeRun(
  dir: string,
  options: AnalyzeRunOptions = {},
  say: (line: string) => void = () => {},
): Promise<string> {
  const config = readJson(join(dir, 'config.json')) as {
    network?: ResolvedNetworkOptions;
    init?: unknown;
    imported_from?: unknown;
    cli?: TrainCommandOptions;
    task?: { options?: Record<string, OptionValue> };
    data?: DataFile[];
  };
  const { net } = loadNetworkFile(join(dir, 'model.sqrtk'));
  try {
    let task: Task | undefined;
    if (config.cli) {
      const recorded = config.cli.data === undefined ? config.task?.options : undefined;
      const taskOption = recorded ? taskOptionPairs(recorded) : config.cli.taskOption;
      task = (await taskOf({ ...config.cli, taskOption }, config.data ?? [])).task;
    }
    // The flag as the user wrote it (analyze would name its option `condition`).
    const variables = Object.keys(task?.test.conditions ?? {});
    if (options.condition !== undefined && !variables.includes(options.condition))
      throw optionError(
        '--condition',
        options.condition,
        `is not a task variable of ${task ? `the ${task.name} trials` : 'this run'} (${variables.join(', ') || 'none'})`,
        variables.length
          ? 'pick one of those, or leave out --condition'
          : 'leave out --condition, or train on an .npz with condition_NAME arrays (see README "Your data")',
      );
    // A run started from a saved network (--init), or an imported one, did not start from its
    // seed's random network: there is no "before" to rebuild.
    let before: Spectrum | null = null;
    const fromSeed = !config.init && config.imported_from === undefined;
    if (config.network && fromSeed && config.network.neurons <= MAX_ARNOLDI) {
      say('spectrum of the network before training');
      using initial = new SparseRNN(config.network);
      before = spectrum(initial);
    }
    say(`analyzing the trained network${task ? ` on ${task.name}'s test trials` : ''}`);
    const after = task
      ? analyze(net, task.test, {
          ...options,
          onProgress: say,
          task: config.cli?.data === undefined ? task.name : undefined,
        })
      : null;
    // The state hash says which network this is of: a report drops an analysis of another.
    const analysis: AnalysisFile = {
      state_hash: net.stateHash(),
      ...after,
      spectrum: {
        before,
        after: after ? after.spectrum : net.config.neurons <= MAX_ARNOLDI ? spectrum(net) : null,
      },
    };
    const path = join(dir, 'analysis.json');
    writeFileAtomic(path, JSON.stringify(analysis, null, 2) + '\n');
    return path;
  } finally {
    net.free();
  }
}
