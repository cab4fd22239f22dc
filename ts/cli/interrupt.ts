/**
 * Ctrl-C and `kill`: the first SIGINT or SIGTERM asks training to stop after the current batch
 * (it then saves a checkpoint when checkpointing is on); a second one exits at once. Checkpoint
 * writes are atomic, so even that leaves a loadable file; the lock goes with the process. A run
 * that `sqrtk sweep run` started also stops (as for SIGTERM) when the sweep itself dies.
 */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof EXIT_CODES;

export interface Interrupt {
  /** Aborted by the first signal; pass it to `fit`. */
  readonly signal: AbortSignal;
  /** The signal that arrived, if any. */
  readonly received: StopSignal | undefined;
  /** The exit code for the signal that arrived (130 for SIGINT, 143 for SIGTERM). */
  readonly exitCode: number;
  /** Removes the handlers (the default behaviour returns). */
  dispose(): void;
}

/** Installs the handlers; `onForcedExit` restores the terminal before a second signal exits. */
export function watchInterrupts(onForcedExit: () => void = () => {}): Interrupt {
  const controller = new AbortController();
  let received: StopSignal | undefined;
  const handlers = (Object.keys(EXIT_CODES) as StopSignal[]).map((name) => {
    const handler = () => {
      if (received !== undefined) {
        onForcedExit();
        console.error(`\n${name} again: stopping at once`);
        process.exit(EXIT_CODES[name]);
      }
      received = name;
      controller.abort();
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  // Started by `sqrtk sweep run` with an IPC channel: when that process dies without passing a
  // signal on (kill -9, a crash), the channel closes; stop as for SIGTERM rather than train on
  // unwatched. The channel alone must not keep this process alive.
  const orphaned = () => {
    if (received === undefined) {
      console.error('\nthe sweep that started this run is gone: stopping after this batch');
      received = 'SIGTERM';
      controller.abort();
    }
  };
  if (process.channel) {
    process.channel.unref();
    process.on('disconnect', orphaned);
  }
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    get exitCode() {
      return received ? EXIT_CODES[received] : 1;
    },
    dispose() {
      for (const [name, handler] of handlers) process.off(name, handler);
      process.off('disconnect', orphaned);
    },
  };
}
