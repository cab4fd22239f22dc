/**
 * The `sqrtk` command line.
 *   sqrtk train   --task digits --neurons 1000 --k 100 --out runs/demo
 *   sqrtk compare --task digits --task dms --seeds 3 --out runs/compare
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { init } from '../node/index.js';
import { trainRun, type TrainCommandOptions } from './train.js';
import { resumeRun } from './resume.js';
import { reportError } from './messages.js';
import { compareRun, type CompareCommandOptions } from './compare.js';
import { collect, integer, modelOptions, scheduleOptions, trainOptions } from './flags.js';
import {
  countLine,
  planCommand,
  runSweep,
  sweepStatus,
  writeSbatch,
  writeSweepReport,
  type SlurmOptions,
} from './sweep/index.js';
import { optionError, SqrtkError } from '../errors.js';
import { progressReporter } from './progress.js';
import { analyzeRun, exportRun, reportRun, type AnalyzeRunOptions } from './tools.js';
import { importRun, type ImportCommandOptions } from './import.js';
import { TASK_INFO } from '../tasks/index.js';
import { requireChromium, writeFigures } from './figures.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const program = new Command()
  .name('sqrtk')
  .description('Train sparse recurrent networks whose neurons learn which √K synapses to add.')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) });

trainOptions(
  program
    .command('train')
    .description('train a network on a built-in task or your data and write a run directory'),
).action(async (options: TrainCommandOptions) => {
  if (options.checkpointEvery !== undefined && options.checkpointEvery < 1) {
    throw optionError(
      '--checkpoint-every',
      options.checkpointEvery,
      'must be at least 1',
      'use e.g. --checkpoint-every 100',
    );
  }
  await init({ threads: options.threads });
  if (options.resume !== undefined) return resumeRun(options.resume, progressReporter());
  if (options.out === undefined)
    throw optionError('--out', undefined, 'is required', 'pass --out DIR (or --resume DIR)');
  await trainRun(options as TrainCommandOptions & { out: string }, progressReporter());
});

scheduleOptions(
  modelOptions(
    program
      .command('compare')
      .description('train every growth strategy over several seeds, frozen and trainable backbone'),
    { neurons: 500, k: 50, epochs: 10 },
    true,
  ),
)
  .option('--task <name>', 'built-in task (repeat or comma-separate for several)', collect)
  .option('--strategies <list>', 'growth strategies to compare', 'random,gradient,sampled,deep_r')
  .option('--backbones <list>', 'frozen,trainable or one of them', 'frozen,trainable')
  .option('--seeds <n>', 'seeds per setting (1..n)', integer, 3)
  .option('--out <dir>', 'directory of the runs, compare.json and compare.md', 'runs/compare')
  .option('--jobs <J>', 'runs at once, each in its own process (threads: cores / J)', integer, 1)
  .action(async (options: CompareCommandOptions) => {
    await init({ threads: 1 }); // the runs compute, each in its own process
    await compareRun(options);
  });

const sweep = program
  .command('sweep')
  .description('many trials from one manifest: plan, run (locally or on Slurm), report');

sweep
  .command('plan')
  .description('resolve a manifest (JSON or YAML) into DIR/sweep.json, one trial per index')
  .argument(
    '<manifest>',
    'e.g. {"base": {...}, "grid": {"growth": ["random", "sampled"]}, "seeds": [1, 2, 3]}',
  )
  .option('--out <dir>', 'sweep directory to write (required)')
  .option(
    '--extend',
    'replace the plan in --out (e.g. with more seeds); trials already run are reused',
  )
  .action(async (manifest: string, options: { out?: string; extend?: boolean }) => {
    if (options.out === undefined)
      throw optionError('--out', undefined, 'is required', 'pass --out DIR');
    await init({ threads: 1 });
    const lines = await planCommand(manifest, options.out, undefined, options.extend === true);
    for (const line of lines) console.log(line);
  });

sweep
  .command('run')
  .description('run the trials that are not done (resuming interrupted ones); skip finished ones')
  .argument('<dir>', 'a sweep directory (sqrtk sweep plan)')
  .option('--jobs <J>', 'trials at once, each in its own process', integer, 1)
  .option('--index <i>', 'run only trial i (a Slurm array task)', integer)
  .option('--threads <T>', 'threads per trial (default: cores / jobs)', integer)
  .action(async (dir: string, options: { jobs: number; index?: number; threads?: number }) => {
    const counts = await runSweep(dir, options);
    console.log(countLine(counts));
    if (counts.failed > 0) {
      console.error(`see sqrtk sweep status ${dir} for the errors`);
      process.exitCode = 1;
    } else if (counts.left > 0) {
      // Trials another live process is running: this run did not finish them (75: try later).
      console.error(
        `${counts.left} trial(s) left to the processes running them; sqrtk sweep status ${dir} shows them, sqrtk sweep run ${dir} again finishes them once they stop`,
      );
      process.exitCode = 75;
    }
  });

sweep
  .command('status')
  .description('one line per trial (done, running, resumable, failed with its error, new)')
  .argument('<dir>', 'a sweep directory')
  .action((dir: string) => {
    const { lines, counts } = sweepStatus(dir);
    for (const line of lines) console.log(line);
    console.log(countLine(counts));
  });

sweep
  .command('report')
  .description(
    'mean ± sd over seeds, paired tests against the baseline: DIR/report.{json,md,csv,html}',
  )
  .argument('<dir>', 'a sweep directory')
  .action((dir: string) => {
    const { files, markdown } = writeSweepReport(dir);
    console.log(markdown);
    console.log(`wrote ${files.join(', ')}`);
  });

sweep
  .command('slurm')
  .description('write DIR/sweep.sbatch: a Slurm job array, one task per trial')
  .argument('<dir>', 'a sweep directory')
  .option('--partition <P>', "Slurm partition (default: the cluster's default)")
  .option('--time <T>', 'time limit per task, e.g. 2:00:00')
  .option('--max-parallel <k>', 'at most k tasks at once', integer)
  .option('--cpus <C>', 'CPUs (threads) per task', integer, 1)
  .action((dir: string, options: SlurmOptions) => {
    const { path, trials } = writeSbatch(dir, options);
    console.log(`wrote ${path}; submit it with: sbatch ${path}`);
    // Slurm's default MaxArraySize is 1001 (indices 0-1000); clusters often keep it.
    if (trials > 1001)
      console.error(
        `note: ${trials} array tasks: more than Slurm's default MaxArraySize (1001) allows; check yours with scontrol show config | grep MaxArraySize`,
      );
  });

program
  .command('tasks')
  .description('list the built-in tasks: name, then what it is')
  .option('--verbose', 'also print periods, inputs, outputs, loss, options and reference')
  .action((options: { verbose?: boolean }) => {
    const width = Math.max(...TASK_INFO.map((t) => t.name.length)) + 2;
    for (const t of TASK_INFO) {
      console.log(`${t.name.padEnd(width)}${t.description}`);
      if (!options.verbose) continue;
      const shown = Object.entries(t.options).map(([k, v]) => `${k}=${v}`);
      console.log(`${' '.repeat(width)}periods: ${t.periods}`);
      console.log(`${' '.repeat(width)}inputs: ${t.inputs}; outputs: ${t.outputs}; loss ${t.loss}`);
      console.log(`${' '.repeat(width)}options: ${shown.join(' ') || 'none'}`);
      console.log(`${' '.repeat(width)}reference: ${t.reference}`);
    }
  });

program
  .command('export')
  .description('export DIR/model.sqrtk for NumPy/SciPy, PyTorch or MATLAB into DIR/export/')
  .argument('<dir>', 'a finished run directory')
  .option('--format <format>', 'npz | safetensors | csv', 'npz')
  .action(async (dir: string, options: { format: string }) => {
    await init({ threads: 1 });
    for (const file of exportRun(dir, options.format)) console.log(`wrote ${file}`);
  });

program
  .command('report')
  .description(
    'write DIR/report.html: curves, degree distributions, learned weights, turnover, activity',
  )
  .argument('<dir>', 'a finished run directory')
  .option('--figures', 'also write every chart as DIR/figures/NAME.svg')
  .option('--png', 'with --figures, also as NAME.png (needs Chromium)')
  .action(async (dir: string, o: { figures?: boolean; png?: boolean }) => {
    if (o.png && !o.figures)
      throw optionError('--png', true, 'needs --figures', 'pass --figures --png');
    if (o.png) requireChromium(); // before anything is written
    await init({ threads: 1 });
    const path = reportRun(dir, (line) => console.error(`warning: ${line}`));
    console.log(`wrote ${path}`);
    if (o.figures) {
      const files = writeFigures(dir, readFileSync(path, 'utf8'), o.png === true);
      console.log(`wrote ${files.length} figures into ${join(dir, 'figures')}`);
    }
  });

/** A whole-number flag of at least `min`. */
function atLeast(min: number): (value: string) => number {
  return (value) => {
    const n = integer(value);
    if (n < min) throw new InvalidArgumentError(`must be at least ${min}`);
    return n;
  };
}

program
  .command('analyze')
  .description(
    'write DIR/analysis.json and add its section to DIR/report.html: population trajectories (PCA), fixed and slow points, single-unit selectivity, psychometric curves, the learned synapses against random placement, the spectrum of W (see README "What did it learn?")',
  )
  .argument('<dir>', 'a finished run directory')
  .option('--trials <n>', 'test trials to analyze', atLeast(2), 256)
  .option(
    '--permutations <n>',
    'random placements the learned synapses are tested against',
    atLeast(1),
    1000,
  )
  .option('--condition <name>', "task variable to group trials by (default: the task's own)")
  .option(
    '--fixed-point-seeds <n>',
    'states the fixed-point search starts from (0: no search; default 64 up to 300 neurons, fewer above, e.g. 19 at 1,000, none above 5,000)',
    atLeast(0),
  )
  .action(async (dir: string, o: AnalyzeRunOptions) => {
    await init({ threads: 1 });
    const say = (line: string) => console.error(`analyze: ${line}`);
    // Every file the report needs is there before the long work starts.
    for (const name of ['config.json', 'model.sqrtk', 'summary.json', 'metrics.jsonl'])
      if (!existsSync(join(dir, name)))
        throw new SqrtkError(
          'E_IO',
          `${join(dir, name)}: does not exist; is this the --out directory of a finished \`sqrtk train\`?`,
        );
    console.log(`wrote ${await analyzeRun(dir, o, say)}`);
    console.log(`wrote ${reportRun(dir, (line) => console.error(`warning: ${line}`))}`);
  });

program
  .command('import')
  .description(
    'turn an .npz / .safetensors network (sqrtk export, NumPy/SciPy, PyTorch) into a run directory',
  )
  .argument('<file>', 'the network file (see README "Import a network" for its arrays)')
  .option('--out <dir>', 'run directory to write (required)')
  .option('--config <file>', 'JSON network options (default: config.json beside an .npz)')
  .option('--overwrite', 'replace the run already in --out (only its sqrtk files are removed)')
  .action(async (file: string, options: Partial<ImportCommandOptions>) => {
    if (options.out === undefined)
      throw optionError('--out', undefined, 'is required', 'pass --out DIR');
    await init({ threads: 1 });
    for (const path of importRun(file, options as ImportCommandOptions))
      console.log(`wrote ${path}`);
  });

/** Usage errors: one line and the usage hint, exit 2; failed runs and files: one line, exit 1. */
async function main() {
  const usage = `(run 'sqrtk ${process.argv[2] ?? ''} --help' for usage)`.replace('  ', ' ');
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode !== 0) console.error(usage);
      process.exit(e.exitCode === 0 ? 0 : 2);
    }
    const code = reportError(e, usage);
    if (code === undefined) throw e; // a bug: keep the stack trace
    process.exit(code);
  }
}

await main();
