// `sqrtk train --init FILE`: a run that starts from a saved network (a finished run's, or one
// `sqrtk import` wrote) instead of a new one; --resume rebuilds it from the same file.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasets, fit, init, loadNetworkFile } from '../ts/node/index.js';

const root = resolve(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'sqrtk-cli-init-'));
const cli = (...args: string[]) =>
  spawnSync('node', [join(root, 'dist', 'cli.js'), ...args], { cwd: dir, encoding: 'utf8' });
const read = (run: string, file: string) => JSON.parse(readFileSync(join(dir, run, file), 'utf8'));
const SMALL = ['--task', 'digits', '--threads', '1'];

beforeAll(async () => {
  await init({ threads: 1 });
  const r = cli('train', ...SMALL, '--neurons', '120', '--k', '12', '--epochs', '1', '--out', 'a');
  expect(r.status, r.stderr).toBe(0);
  const imported = cli('export', 'a', '--format', 'npz');
  expect(imported.status, imported.stderr).toBe(0);
  const i = cli('import', 'a/export/network.npz', '--out', 'imported');
  expect(i.status, i.stderr).toBe(0);
});

describe('sqrtk train --init', () => {
  it('continues from the file: the same network as fit() on the loaded file', async () => {
    const r = cli('train', ...SMALL, '--init', 'a/model.sqrtk', '--epochs', '2', '--out', 'b');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/--init: starting from .*a\/model\.sqrtk \(120 neurons, k 12, /);
    const config = read('b', 'config.json');
    expect(config.init).toMatchObject({
      path: join(dir, 'a', 'model.sqrtk'),
      sha256: expect.any(String),
    });
    expect(config.network).toEqual(read('a', 'config.json').network);

    using net = loadNetworkFile(join(dir, 'a', 'model.sqrtk')).net;
    const { batchSize, lr, clipNorm, rewireEvery, rewireFraction, rewireUntil, rewireBatch } =
      config.fit;
    const options = {
      batchSize,
      lr,
      clipNorm,
      rewireEvery,
      rewireFraction,
      rewireUntil,
      rewireBatch,
    };
    await fit(net, datasets.digits().train, { epochs: 2, ...options });
    expect(read('b', 'summary.json').state_hash).toBe(net.stateHash());
  });

  it('trains a network that sqrtk import wrote', () => {
    const r = cli(
      'train',
      ...SMALL,
      '--init',
      'imported/model.sqrtk',
      '--epochs',
      '1',
      '--out',
      'c',
    );
    expect(r.status, r.stderr).toBe(0);
    expect(read('c', 'summary.json').test_accuracy).toBeGreaterThan(0.3); // chance 0.1
  });

  it('--resume with no checkpoint yet starts again from the file, and refuses a changed one', async () => {
    const args = ['train', ...SMALL, '--init', 'a/model.sqrtk', '--epochs', '3'];
    const reference = cli(...args, '--out', 'ref');
    expect(reference.status, reference.stderr).toBe(0);
    const code = await new Promise<number | null>((done) => {
      const child = spawn('node', [join(root, 'dist', 'cli.js'), ...args, '--out', 'killed'], {
        cwd: dir,
      });
      let log = '';
      child.stderr.on('data', (chunk) => {
        log += chunk;
        if (/^epoch 1\//m.test(log)) child.kill('SIGKILL');
      });
      child.on('exit', (c) => done(c));
    });
    expect(code).not.toBe(0);
    const resumed = cli('train', '--resume', 'killed');
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('starting the run from the beginning');
    expect(read('killed', 'summary.json').state_hash).toBe(read('ref', 'summary.json').state_hash);

    copyFileSync(join(dir, 'a', 'model.sqrtk'), join(dir, 'a.sqrtk'));
    const run = cli('train', ...SMALL, '--init', 'a.sqrtk', '--epochs', '3', '--out', 'changed');
    expect(run.status).toBe(0);
    const bytes = readFileSync(join(dir, 'b', 'model.sqrtk'));
    writeFileSync(join(dir, 'a.sqrtk'), bytes);
    writeFileSync(join(dir, 'changed', 'summary.json'), '{}'); // still a run directory
    const again = cli('train', '--resume', 'changed');
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/a\.sqrtk: changed since the run started \(SHA-256 /);
  }, 120_000);

  it('refuses a network that does not fit the task, a missing file and a file that is no network', () => {
    const cases: [string[], number, RegExp][] = [
      [
        ['--task', 'dms', '--init', 'a/model.sqrtk'],
        2,
        /--init \(=".*a\/model\.sqrtk"\) holds a network with 8 inputs, but dms has 9; start from a network built for this task/,
      ],
      [['--init', 'none.sqrtk'], 1, /--init \(=".*none\.sqrtk"\) does not exist; check the path/],
      [
        ['--init', 'a/config.json'],
        1,
        /--init \(=".*config\.json"\): this is not a sqrtk network file .*; give a saved network \(\.sqrtk\)/,
      ],
    ];
    for (const [args, status, message] of cases) {
      const r = cli('train', ...args, '--out', 'never');
      expect(r.status, r.stderr).toBe(status);
      expect(r.stderr).toMatch(message);
    }
  });
});
