// A panic in the core (WebAssembly: a trap) reaches the caller as E_INTERNAL with its message,
// never hangs, and poisons the instance: every later call fails at once. Each case runs in a
// child process, since a poisoned instance stays poisoned for the life of the process.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');

// The child bundles the library with `core` (not public) to call the test hook; it sits in a
// directory laid out like the package (dist/): the .wasm files and the worker next to it.
const PROGRAM = `
import { init, SparseRNN, SqrtkError } from './ts/node/index.ts';
import { core } from './ts/init.ts';

const [threads, where] = process.argv.slice(2);
await init({ threads: Number(threads) });
const attempt = (call) => {
  const start = Date.now();
  try {
    call();
    return { ok: true };
  } catch (e) {
    return { sqrtk: e instanceof SqrtkError, code: e.code, message: e.message, ms: Date.now() - start };
  }
};
const glue = core((g) => g);
const panic = attempt(() => core((g) => g.debug_panic_in_chunk(8, where === 'worker')));
const next = attempt(() => new SparseRNN({ inputs: 2, outputs: 2, neurons: 50, k: 5 }));
// The core refuses too, for callers that bypass the TypeScript layer's check.
const raw = attempt(() => new glue.Network('{}'));
console.log(JSON.stringify({ panic, next, raw }));
`;

let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sqrtk-panic-'));
  await build({
    stdin: { contents: PROGRAM, resolveDir: root, sourcefile: 'panic-program.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: join(dir, 'run.mjs'),
    logLevel: 'error',
  });
  for (const file of ['sqrtk_wasm_bg.wasm', 'sqrtk_wasm_bg.threads.wasm', 'worker-node.js']) {
    copyFileSync(join(root, 'dist', file), join(dir, file));
  }
});

/** Runs the child; a hang is killed after 30 s and fails the test. */
function run(threads: number, where: 'worker' | 'caller') {
  const child = spawnSync('node', [join(dir, 'run.mjs'), String(threads), where], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(child.signal, `killed (a hang?): ${child.stderr}`).toBeNull();
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout.trim().split('\n').pop()!);
}

describe('a panic in the core', () => {
  const cases: [string, number, 'worker' | 'caller', string][] = [
    ['in a worker thread', 2, 'worker', 'on a worker'],
    ['in a worker thread, 4 threads', 4, 'worker', 'on a worker'],
    ["in the caller's own chunk", 2, 'caller', 'on the calling thread'],
    ['in the single-threaded build', 1, 'caller', 'on the calling thread'],
  ];
  it.each(cases)(
    '%s is an E_INTERNAL error, then the instance is poisoned',
    (_, threads, where, on) => {
      const { panic, next, raw } = run(threads, where);
      expect(panic).toMatchObject({ sqrtk: true, code: 'E_INTERNAL' });
      expect(panic.message).toMatch(
        new RegExp(`^sqrtk panicked .*debug panic in chunk \\d+ ${on}`),
      );
      expect(panic.message).toContain('this sqrtk instance is unusable: recreate the network');
      expect(next).toMatchObject({ sqrtk: true, code: 'E_INTERNAL', message: panic.message });
      expect(next.ms).toBeLessThan(1000);
      expect(raw.message).toBe(`E_INTERNAL: ${panic.message}`);
    },
  );
});
