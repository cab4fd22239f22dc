/**
 * What the CLI says when something goes wrong: one line, in the CLI's own words (`--batch-size`,
 * not the API's `batchSize`), and an exit code that tells a script what happened.
 */
import { SqrtkError } from '../errors.js';

/** API option name → the flag the CLI passes it from. */
export const FLAGS: Record<string, string> = {
  neurons: '--neurons',
  k: '--k',
  learned: '--learned',
  epochs: '--epochs',
  batchSize: '--batch-size',
  lr: '--lr',
  dynamics: '--dynamics',
  activation: '--activation',
  gain: '--gain',
  noise: '--noise',
  initialState: '--initial-state',
  growth: '--growth',
  mode: '--mode',
  rewireEvery: '--rewire-every',
  rewireFraction: '--rewire-fraction',
  rewireUntil: '--rewire-until',
  rewireBatch: '--rewire-batch',
  checkpointEvery: '--checkpoint-every',
  lrSchedule: '--lr-schedule',
  warmup: '--warmup',
  lrStepEvery: '--lr-step-every',
  lrFactor: '--lr-factor',
  minLr: '--min-lr',
  lrPatience: '--lr-patience',
  earlyStop: '--early-stop',
  keepBest: '--keep-best',
  monitor: '--monitor',
  validationFraction: '--validation-fraction',
  curriculum: '--curriculum',
  threads: '--threads',
  seed: '--seed',
  task: '--task',
  out: '--out',
  resume: '--resume',
  format: '--format',
  seeds: '--seeds',
  excitatory: '--excitatory',
  dale: '--dale',
  scaling: '--scaling',
  blocks: '--blocks',
  couplings: '--couplings',
  maxLearnedOut: '--max-learned-out',
  strategies: '--strategies',
  backbones: '--backbones',
};

const names = Object.keys(FLAGS).join('|');
const notFlag = '(?<![-\\w])';
const RULES: [RegExp, (...m: string[]) => string][] = [
  // "neurons − 1 − k (=8)": an expression of options
  [/neurons − 1 − k/g, () => '--neurons − 1 − --k'],
  // "batchSize (=0)" and "less than neurons (=100)"
  [new RegExp(`${notFlag}(${names}) \\(=`, 'g'), (_, name) => `${FLAGS[name]} (=`],
  // "use e.g. batchSize: 32", "use mode: 'add'"
  [
    new RegExp(`${notFlag}(${names}): '?([^'\\s;,]+)'?`, 'g'),
    (_, name, value) => `${FLAGS[name]} ${value}`,
  ],
  // "use at most k = 800", "at most batchSize = 12"
  [new RegExp(`${notFlag}(${names}) = `, 'g'), (_, name) => `${FLAGS[name]} `],
  // "lower k or raise neurons", "lower learned or k"
  [
    new RegExp(`\\b(lower|raise) (${names})( or (?:raise )?)?(${names})?\\b`, 'g'),
    (_, verb, a, or, b) => `${verb} ${FLAGS[a]}${or && b ? `${or}${FLAGS[b]}` : (or ?? '')}`,
  ],
  // camelCase names cannot be ordinary words: translate them wherever they appear
  [
    new RegExp(
      `${notFlag}(${names
        .split('|')
        .filter((n) => /[A-Z]/.test(n))
        .join('|')})\\b`,
      'g',
    ),
    (_, name) => FLAGS[name],
  ],
];

/** The message of a library option error, with API names replaced by the CLI's flags. */
export function inFlags(message: string): string {
  return RULES.reduce((text, [pattern, replace]) => text.replace(pattern, replace), message);
}

/**
 * Prints `error` as one line and returns the exit code: 2 for a usage error (with the usage
 * hint), 1 for a failed run or file, the signal's code for an interrupted run. Bugs (anything
 * else) return undefined and keep their stack trace.
 */
export function reportError(error: unknown, usage: string): number | undefined {
  if (!(error instanceof SqrtkError) || error.code === 'E_INTERNAL') return undefined;
  if (error.code === 'E_ABORTED') {
    console.error(error.message);
    return (error as SqrtkError & { exitCode?: number }).exitCode ?? 130;
  }
  if (error.code === 'E_OPTION') {
    // A manifest's errors name its options as written there (its names are the API's).
    const asWritten = (error as SqrtkError & { asWritten?: boolean }).asWritten;
    console.error(`error: ${asWritten ? error.message : inFlags(error.message)}`);
    console.error(usage);
    return 2;
  }
  // A diverged run's fix names options too ("lower lr or gain").
  const message = error.code === 'E_DIVERGED' ? inFlags(error.message) : error.message;
  console.error(`error: ${message}`);
  return 1;
}
