// Never lose a run: a full disk, Ctrl-C and kill, a second writer, a stale lock or checkpoint.
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statfsSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, loadNetworkFile } from '../ts/node/index.js';

const root = resolve(__dirname, '..');
const cli = (...args: string[]) =>
  spawnSync('node', ['dist/cli.js', ...args], { cwd: root, encoding: 'utf8' });
const temp = (name: string) => mkdtempSync(join(tmpdir(), `sqrtk-${name}-`));
// A tiny network: 30 epochs take about 3 s, with a checkpoint every 10 optimizer steps.
const SMALL = ['train', '--neurons', '60', '--k', '6', '--epochs', '30', '--threads', '1'];
const CHECKPOINTED = [...SMALL, '--checkpoint-every', '10'];

const stateHash = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).state_hash as string;
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('error:'));
const leftovers = (dir: string) => readdirSync(dir).filter((f) => /\.tmp-|\.sqrtk\.lock/.test(f));

/** Every file of a directory with its bytes, to check that nothing was touched. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('base64')]),
  );
}

interface Child {
  code: number | null;
  stderr: string;
  ms: number;
}

/** Spawns the CLI; `onLine` sees each stderr line (with the child, to signal it). */
function run(
  args: string[],
  onLine: (line: string, child: ReturnType<typeof spawn>) => void = () => {},
): Promise<Child> {
  const started = Date.now();
  const child = spawn('node', ['dist/cli.js', ...args], { cwd: root });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const line of chunk.split('\n')) if (line) onLine(line, child);
  });
  return new Promise((done) =>
    child.on('close', (code) => done({ code, stderr, ms: Date.now() - started })),
  );
}

let reference = ''; // the uninterrupted run's state hash
beforeAll(async () => {
  await init({ threads: 1 });
  const dir = temp('reference');
  expect(cli(...SMALL, '--out', dir).status).toBe(0);
  reference = stateHash(dir);
}, 60_000);

describe('a full disk', () => {
  const disk = temp('disk');
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=200k', 'tmpfs', disk], {
    encoding: 'utf8',
  });
  const mounted = mount.status === 0;
  if (!mounted)
    console.warn(
      `SKIPPED the full-disk test: \`mount -t tmpfs\` was refused (${(mount.stderr || String(mount.error)).trim()}); it needs root`,
    );
  afterAll(() => {
    if (mounted) spawnSync('umount', [disk]);
  });

  it.skipIf(!mounted)(
    'stops the run with one error line; --resume continues from the last good checkpoint',
    async () => {
      const out = join(disk, 'r');
      const checkpoint = join(out, 'checkpoint.sqrtk');
      let filled = false;
      // After the first epoch, with the child stopped between two writes, fill the disk so that
      // less than one checkpoint fits: the next checkpoint write fails.
      const fill = (line: string, child: ReturnType<typeof spawn>) => {
        if (filled || !line.startsWith('epoch 1/')) return;
        for (;;) {
          child.kill('SIGSTOP');
          if (existsSync(checkpoint) && !readdirSync(out).some((f) => f.includes('.tmp-'))) break;
          child.kill('SIGCONT');
          spawnSync('sleep', ['0.005']);
        }
        const { bavail, bsize } = statfsSync(disk);
        const room = statSync(checkpoint).size / 2;
        writeFileSync(join(disk, 'filler'), Buffer.alloc(Math.max(0, bavail * bsize - room)));
        filled = true;
        child.kill('SIGCONT');
      };
      const r = await run([...CHECKPOINTED, '--out', out], fill);
      expect(filled, r.stderr).toBe(true);
      expect(r.code, r.stderr).toBe(1);
      const errors = errorLines(r.stderr);
      expect(errors, r.stderr).toHaveLength(1);
      expect(errors[0]).toMatch(
        /^error: .*\/r\/[a-z.]+: cannot be written: the disk is full; free some space; then continue with: sqrtk train --resume /,
      );
      expect(r.stderr).not.toMatch(/\n\s+at |--help' for usage/);
      expect(leftovers(out)).toEqual([]);
      const { net, extra } = loadNetworkFile(checkpoint); // the last good checkpoint
      expect(net.steps).toBeGreaterThan(0);
      expect((extra as { fit: { epoch: number } }).fit.epoch).toBeLessThan(30);
      net.free();

      const copy = join(temp('disk-copy'), 'r');
      cpSync(out, copy, { recursive: true });
      const resumed = cli('train', '--resume', copy);
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(stateHash(copy)).toBe(reference);
    },
    60_000,
  );
});

describe('signals', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} checkpoints, says how to continue, exits ${code}; --resume finishes the run`, async () => {
      const out = temp('signal');
      let sent = false;
      const r = await run([...CHECKPOINTED, '--out', out], (line, child) => {
        if (!sent && line.startsWith('epoch 1/')) sent = child.kill(signal);
      });
      expect(r.code, r.stderr).toBe(code);
      const said =
        /^interrupted at epoch (\d+), step (\d+); continue with: sqrtk train --resume (.+)$/m.exec(
          r.stderr,
        );
      expect(said, r.stderr).not.toBeNull();
      expect(said![3]).toBe(out);
      expect(r.stderr).not.toMatch(/^error:|\n\s+at /m);
      expect(leftovers(out)).toEqual([]);
      const { net } = loadNetworkFile(join(out, 'checkpoint.sqrtk'));
      expect(net.steps).toBe(Number(said![2])); // taken after the last completed batch
      net.free();
      const resumed = cli('train', '--resume', out);
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(stateHash(out)).toBe(reference);
    }, 60_000);
  }
});

describe('one run per directory', () => {
  it('refuses a directory that holds another run unless --overwrite, and touches nothing', () => {
    const out = temp('finished');
    expect(cli(...SMALL, '--epochs', '1', '--out', out).status).toBe(0);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const before = snapshot(out);
    for (const extra of [[], ['--batch-size', '0'], ['--k', '100', '--overwrite']]) {
      const r = cli(...SMALL, '--epochs', '1', ...extra, '--out', out);
      expect(r.status, r.stderr).toBe(2);
      expect(snapshot(out)).toEqual(before);
    }
    expect(cli(...SMALL, '--epochs', '1', '--out', out).stderr).toMatch(
      /^error: --out \(=".*"\) holds another run \(config\.json, model\.sqrtk\); pass --overwrite to replace it/m,
    );

    const again = cli(...SMALL, '--epochs', '1', '--seed', '5', '--overwrite', '--out', out);
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine'); // not sqrtk's: kept
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.cli.seed).toBe(5);
    expect(config.run_id).not.toBe(
      JSON.parse(Buffer.from(before['config.json'], 'base64').toString()).run_id,
    );
  }, 60_000);

  it('lets one of two concurrent writers run; the other fails at once', async () => {
    const out = temp('concurrent');
    const [a, b] = await Promise.all([
      run([...SMALL, '--epochs', '60', '--out', out]),
      run([...SMALL, '--epochs', '60', '--out', out]),
    ]);
    const [winner, loser] = a.code === 0 ? [a, b] : [b, a];
    expect(winner.code, winner.stderr).toBe(0);
    expect(loser.code, loser.stderr).toBe(1);
    expect(errorLines(loser.stderr)).toEqual([
      expect.stringMatching(
        /^error: .* is being written by process \d+; wait for it or choose another --out$/,
      ),
    ]);
    expect(loser.ms).toBeLessThan(winner.ms / 2);
    expect(leftovers(out)).toEqual([]);
  }, 60_000);

  it('takes over the lock of a process that no longer exists', () => {
    const out = temp('stale-lock');
    const dead = spawnSync('node', ['-e', '']).pid!;
    writeFileSync(join(out, '.sqrtk.lock'), JSON.stringify({ pid: dead, host: hostname() }));
    const r = cli(...SMALL, '--epochs', '1', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(leftovers(out)).toEqual([]);
    // --resume takes the lock too.
    writeFileSync(join(out, '.sqrtk.lock'), JSON.stringify({ pid: 1, host: hostname() }));
    expect(cli('train', '--resume', out).stderr).toMatch(/is being written by process 1;/);
  });
});

describe('checkpoints that do not fit the run', () => {
  it('refuses the checkpoint of another run', () => {
    const a = temp('run-a');
    const b = temp('run-b');
    expect(cli(...CHECKPOINTED, '--epochs', '1', '--out', a).status).toBe(0);
    expect(cli(...CHECKPOINTED, '--epochs', '1', '--out', b).status).toBe(0);
    const runId = JSON.parse(readFileSync(join(a, 'config.json'), 'utf8')).run_id;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    const { net, extra } = loadNetworkFile(join(a, 'checkpoint.sqrtk'));
    expect((extra as { run_id: string }).run_id).toBe(runId);
    net.free();
    copyFileSync(join(a, 'checkpoint.sqrtk'), join(b, 'checkpoint.sqrtk'));
    const r = cli('train', '--resume', b);
    expect(r.status).toBe(1);
    expect(errorLines(r.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(
          `checkpoint\\.sqrtk: belongs to another run \\(run id ${runId}, config\\.json has [0-9a-f-]{36}\\); delete it to restart this run`,
        ),
      ),
    ]);
    expect(r.stderr).not.toMatch(/--help' for usage|\n\s+at /);
  });

  it('explains a damaged checkpoint without the usage hint', () => {
    const dir = temp('damaged');
    expect(cli(...CHECKPOINTED, '--epochs', '1', '--out', dir).status).toBe(0);
    truncateSync(join(dir, 'checkpoint.sqrtk'), 1000);
    const r = cli('train', '--resume', dir);
    expect(r.status).toBe(1);
    expect(errorLines(r.stderr)).toEqual([
      expect.stringMatching(
        /checkpoint\.sqrtk: .*truncated or corrupted; delete it to restart the run from the beginning/,
      ),
    ]);
    expect(r.stderr).not.toMatch(/--help' for usage|\n\s+at /);
  });
});
