/** Progress output for long CLI work: a bar on a terminal, one line per epoch in logs and CI. */
import { SingleBar } from 'cli-progress';

export function progressReporter(label = '') {
  const tty = Boolean(process.stderr.isTTY);
  const bar = new SingleBar({
    format: `${label}epoch {epoch}/{epochs} [{bar}] {percentage}% | loss {loss} | test acc {acc} | ETA {eta}s`,
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
      else
        console.error(
          `${label}epoch ${epoch}/${epochs}  loss ${loss.toFixed(4)}  test accuracy ${acc}`,
        );
    },
    /** Stops the bar and shows the cursor again (safe to call twice). */
    stop() {
      if (tty && started) bar.stop();
      started = false;
    },
  };
}

export type Progress = ReturnType<typeof progressReporter>;
