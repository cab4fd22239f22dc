/**
 * The `sqrtk` command line. `sqrtk train --task digits --neurons 1000 --k 100 --out runs/demo`
 * trains on a built-in task and writes a run directory.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { SingleBar } from 'cli-progress';
import { init } from './node.js';
import { trainRun, type TrainCommandOptions } from './cli-train.js';
import { SqrtkError } from './errors.js';

function integer(value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError('must be an integer');
  return n;
}

function number(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new InvalidArgumentError('must be a finite number');
  return n;
}

const program = new Command()
  .name('sqrtk')
  .description('Train sparse recurrent networks whose neurons learn which √K synapses to add.')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) });

program
  .command('train')
  .description('train a network on a built-in task and write a run directory')
  .option('--task <name>', 'built-in task', 'digits')
  .option('--neurons <N>', 'recurrent units', integer, 1000)
  .option('--k <K>', 'mean backbone in-degree', integer, 100)
  .option('--learned <M>', 'learned synapses per neuron (default round(√K))', integer)
  .option('--epochs <E>', 'passes over the training data', integer, 20)
  .option('--batch-size <B>', 'sequences per optimizer step', integer, 32)
  .option('--lr <rate>', 'Adam learning rate', number, 0.002)
  .option('--seed <S>', 'seed of every random stream', integer, 0)
  .option('--dynamics <kind>', 'discrete | rate', 'discrete')
  .option('--activation <phi>', 'tanh | relu', 'tanh')
  .option('--gain <g>', 'initial backbone weights gain·N(0,1)/√K', number, 1)
  .option('--frozen-backbone', 'train only learned synapses, input and readout weights')
  .requiredOption('--out <dir>', 'run directory to write')
  .action(async (options: TrainCommandOptions) => {
    await init();
    await trainRun(options, progressReporter());
  });

/** A progress bar on a terminal; one line per epoch otherwise (logs, CI). */
function progressReporter() {
  const tty = process.stderr.isTTY;
  const bar = new SingleBar({
    format:
      'epoch {epoch}/{epochs} [{bar}] {percentage}% | loss {loss} | test acc {acc} | ETA {eta}s',
    stream: process.stderr,
    hideCursor: true,
  });
  let started = false;
  return {
    start(total: number, epochs: number) {
      if (tty) bar.start(total, 0, { epoch: 1, epochs, loss: '-', acc: '-' });
      started = true;
    },
    batch(done: number, epoch: number, loss: number) {
      if (tty && started) bar.update(done, { epoch, loss: loss.toFixed(3) });
    },
    epoch(epoch: number, epochs: number, loss: number, valAccuracy: number | null) {
      const acc = valAccuracy === null ? '-' : valAccuracy.toFixed(3);
      if (tty) bar.update({ acc });
      else console.error(`epoch ${epoch}/${epochs}  loss ${loss.toFixed(4)}  test accuracy ${acc}`);
    },
    stop() {
      if (tty && started) bar.stop();
    },
  };
}

export type Progress = ReturnType<typeof progressReporter>;

/** User errors: one line and the usage hint, exit code 2. Bugs keep their stack trace. */
async function main() {
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode !== 0)
        console.error(`(run 'sqrtk ${process.argv[2] ?? ''} --help' for usage)`.replace('  ', ' '));
      process.exit(e.exitCode === 0 ? 0 : 2);
    }
    if (e instanceof SqrtkError && e.code !== 'E_INTERNAL') {
      console.error(`error: ${e.message}`);
      console.error(`(run 'sqrtk ${process.argv[2] ?? ''} --help' for usage)`.replace('  ', ' '));
      process.exit(e.code === 'E_DIVERGED' || e.code === 'E_IO' ? 1 : 2);
    }
    throw e;
  }
}

await main();
