/**
 * The flags of `sqrtk train` and `sqrtk compare`, defined once: main.ts gives them their
 * actions, and `sqrtk sweep plan` parses each trial's flags with the very same definitions.
 */
import { Command, InvalidArgumentError } from 'commander';
import { GROWTH_STRATEGIES } from '../options.js';
import { TASKS } from '../tasks/index.js';
import type { PerStrategy } from './compare.js';

export function integer(value: string): number {
  const n = Number(value);
  if (/^-?\d+$/.test(value.trim()) && Number.isSafeInteger(n)) return n;
  if (Number.isInteger(n)) {
    const digits = BigInt(n).toString();
    throw new InvalidArgumentError(
      `must be a whole number written with digits, e.g. ${digits} (not ${value.trim()})`,
    );
  }
  throw new InvalidArgumentError('must be a whole number, e.g. 100');
}

export function number(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new InvalidArgumentError('must be a finite number');
  return n;
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',')];
}

/** Repeatable flag whose values may hold commas (`--task-option coherences=0,12.8`). */
export function repeat(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `key=value,key=value` with numeric values (`--blocks kE=80,kI=20`). */
export function numberPairs(value: string): Record<string, number> {
  const pairs: Record<string, number> = {};
  for (const pair of value.split(',')) {
    const [key, text, extra] = pair.split('=').map((s) => s.trim());
    const n = Number(text);
    if (!key || text === undefined || text === '' || extra !== undefined || !Number.isFinite(n))
      throw new InvalidArgumentError(
        `must be key=number pairs separated by commas, e.g. kE=80,kI=20 (not ${pair.trim()})`,
      );
    pairs[key] = n;
  }
  return pairs;
}

/**
 * `sqrtk compare`'s schedule flags: one value for every strategy (`50`), or values by strategy
 * (`gradient=50,sampled=50`; a strategy not named keeps its default), or both (`50,deep_r=1`).
 */
export function perStrategy(parse: (value: string) => number) {
  return (value: string): PerStrategy => {
    const values: PerStrategy = {};
    for (const item of value.split(',').map((s) => s.trim())) {
      const at = item.indexOf('=');
      const name = at < 0 ? '*' : item.slice(0, at).trim();
      if (name !== '*' && !(GROWTH_STRATEGIES as readonly string[]).includes(name))
        throw new InvalidArgumentError(
          `names no growth strategy (${name}); use one value, or pairs like gradient=50,sampled=50 with ${GROWTH_STRATEGIES.join(', ')}`,
        );
      values[name as keyof PerStrategy] = parse(at < 0 ? item : item.slice(at + 1));
    }
    return values;
  };
}

/**
 * Network and training flags shared by `train` and `compare`; `compare` takes its schedule
 * flags by strategy (perStrategy).
 */
export function modelOptions(
  command: Command,
  defaults: { neurons: number; k: number; epochs: number },
  byStrategy = false,
): Command {
  const count: (value: string) => unknown = byStrategy ? perStrategy(integer) : integer;
  const fraction: (value: string) => unknown = byStrategy ? perStrategy(number) : number;
  const each = byStrategy ? '; one value or e.g. gradient=50,sampled=50' : '';
  return command
    .option('--neurons <N>', 'recurrent units', integer, defaults.neurons)
    .option('--k <K>', 'mean backbone in-degree', integer, defaults.k)
    .option('--learned <M>', 'learned synapses per neuron (default round(√K))', integer)
    .option('--epochs <E>', 'passes over the training data', integer, defaults.epochs)
    .option('--batch-size <B>', 'sequences per optimizer step', integer, 32)
    .option('--lr <rate>', 'Adam learning rate', number, 0.002)
    .option('--dynamics <kind>', 'discrete | rate', 'discrete')
    .option('--activation <phi>', 'tanh | relu', 'tanh')
    .option('--gain <g>', 'initial backbone weights gain·N(0,1)/√K', number, 1)
    .option(
      '--noise <sigma>',
      "private noise σ per neuron and step in training ('rate' dynamics)",
      number,
      0,
    )
    .option('--initial-state <kind>', 'x_0: zero | random | learned', 'zero')
    .option('--growth <strategy>', 'random | gradient | sampled | deep_r', 'random')
    .option(
      '--mode <mode>',
      'add (in-degree K_i + M) | hidden (learned synapses replace backbone ones)',
      'add',
    )
    .option(
      '--rewire-every <steps>',
      `rewire every this many optimizer steps (default 100; deep_r: 1${each})`,
      count,
    )
    .option(
      '--rewire-fraction <f>',
      'fraction of learned synapses swapped at the first rewiring',
      number,
      0.3,
    )
    .option(
      '--rewire-until <f>',
      `rewiring stops at this fraction of training (default 0.75; deep_r: 0.95${each})`,
      fraction,
    )
    .option(
      '--rewire-batch <S>',
      'sequences gradient and sampled score candidates on at each rewiring (0: the last batch)',
      integer,
      256,
    )
    .option('--frozen-backbone', 'train only learned synapses, input and readout weights')
    .option('--excitatory <f>', 'fraction of excitatory neurons, e.g. 0.8 (default: none)', number)
    .option('--dale', "Dale's law: E synapses stay ≥ 0, I synapses ≤ 0 (needs --excitatory)")
    .option('--scaling <kind>', 'standard | balanced (J/√K weights and drive; needs --excitatory)')
    .option(
      '--blocks <pairs>',
      'mean in-degrees per block: kE=..,kI=.. or kEE=..,kEI=..,kIE=..,kII=.. (sum k)',
      numberPairs,
    )
    .option('--couplings <pairs>', 'balanced couplings, e.g. EE=1,EI=-2,IE=1,II=-1.8', numberPairs)
    .option(
      '--max-learned-out <n>',
      'add mode: at most n learned synapses leave a neuron (default 0: no cap)',
      integer,
    )
    .option(
      '--threads <T>',
      'threads to compute with (default: all cores; results are identical)',
      integer,
    );
}

/** The learning-rate schedule and epoch-selection flags of `train` and `compare`. */
export function scheduleOptions(command: Command): Command {
  return command
    .option('--lr-schedule <name>', 'constant | step | cosine | plateau (default constant)')
    .option('--warmup <S>', 'optimizer steps of linear warm-up to --lr (default 0)', integer)
    .option('--lr-step-every <E>', 'step: multiply the rate by --lr-factor every E epochs', integer)
    .option('--lr-factor <f>', 'step, plateau: factor of each reduction (default 0.5)', number)
    .option('--min-lr <lr>', 'cosine: the final rate; plateau: the lowest rate (default 0)', number)
    .option(
      '--lr-patience <E>',
      'plateau: epochs without improvement per reduction (default 3)',
      integer,
    )
    .option('--early-stop <E>', 'stop after E epochs without validation improvement', integer)
    .option('--keep-best', 'end with the network of the best validation epoch')
    .option('--monitor <metric>', 'validation metric that selects epochs: accuracy | loss')
    .option(
      '--validation-fraction <f>',
      'hold out this fraction of the training data for validation (default 0.1 when selecting epochs)',
      number,
    );
}

/** `sqrtk train`'s flags: the model's, then the task, data, schedule and run flags. */
export function trainOptions(command: Command): Command {
  return scheduleOptions(modelOptions(command, { neurons: 1000, k: 100, epochs: 20 }))
    .option('--task <name>', `built-in task: ${TASKS.join(' | ')} (see sqrtk tasks)`, 'digits')
    .option(
      '--task-option <key=value>',
      'a task option, e.g. delay=12 or coherences=0,25.6,51.2 (repeatable; see sqrtk tasks)',
      repeat,
    )
    .option('--data <file>', 'train on your own data instead: .npz, .npy, long-form CSV or JSON')
    .option('--test <file>', 'test data for --data (default: hold out --test-fraction of it)')
    .option(
      '--test-fraction <f>',
      'with --data: fraction held out for testing (default 0.2)',
      number,
    )
    .option(
      '--standardize',
      'with --data: scale every input to mean 0, sd 1 (training-set statistics)',
    )
    .option(
      '--loss <loss>',
      'with --data: cross_entropy (labels) | mse (targets); inferred from the data',
    )
    .option(
      '--init <file>',
      'start from this saved network (e.g. DIR/model.sqrtk of sqrtk import) instead of a new one',
    )
    .option(
      '--curriculum <E>',
      "ramp the task's difficulty knob (e.g. delay) from easy to its value over the first E epochs",
      integer,
    )
    .option('--seed <S>', 'seed of every random stream', integer, 0)
    .option('--out <dir>', 'run directory to write (required unless --resume)')
    .option(
      '--checkpoint-every <S>',
      'save DIR/checkpoint.sqrtk every S optimizer steps (atomically)',
      integer,
    )
    .option(
      '--resume <dir>',
      'continue the run in <dir> from its last checkpoint (other options are ignored)',
    )
    .option('--overwrite', 'replace the run already in --out (only its sqrtk files are removed)');
}
