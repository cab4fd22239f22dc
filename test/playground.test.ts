// The playground page (examples/playground/) in headless Chromium, driven by playwright-core:
// set up a small network, train, watch the charts, stop and resume, bring a data file, and take
// the network and the run home. What the page gives must match what the CLI writes for the
// same configuration and seed: the same state_hash, the same summary, the same report.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { available, launchChromium } from './chromium.js';
import { unzipSync, zipSync } from 'fflate';
// @ts-expect-error: a plain JavaScript helper script
import { serve } from '../scripts/serve.mjs';
import { init, loadNetwork, SparseRNN } from '../ts/node/index.js';

const root = resolve(__dirname, '..');

const tmp = mkdtempSync(join(tmpdir(), 'sqrtk-playground-'));

/** `sqrtk train` with these flags into tmp/NAME; returns the run directory. */
function cliRun(name: string, flags: string[]): string {
  const out = join(tmp, name);
  execFileSync('node', [join(root, 'dist/cli.js'), 'train', ...flags, '--out', out], {
    cwd: tmp,
    stdio: 'ignore',
  });
  return out;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

/** The run's numbers without the wall-clock times, which differ between any two runs. */
function timeless(summary: Record<string, unknown>) {
  const { train_seconds: _t, rewire_seconds: _r, ...rest } = summary;
  return rest;
}

/** A small .npz data set (x [B, T, D] float32, labels [B] int32) in NumPy's format. */
function smallNpz(): Uint8Array {
  const [b, t, d] = [40, 5, 3];
  const x = Float32Array.from({ length: b * t * d }, (_, i) => ((i * 7919) % 101) / 100);
  const labels = Int32Array.from({ length: b }, (_, i) => i % 2);
  const npy = (data: Float32Array | Int32Array, shape: number[]) => {
    const descr = data instanceof Float32Array ? '<f4' : '<i4';
    let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')},), }`;
    header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
    const head = new Uint8Array([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length, 0]);
    return new Uint8Array([...head, ...Buffer.from(header), ...new Uint8Array(data.buffer)]);
  };
  return zipSync({ 'x.npy': npy(x, [b, t, d]), 'labels.npy': npy(labels, [b]) });
}

describe.skipIf(!available)('playground page', () => {
  let browser: Browser;
  let isolated: Server;
  let plain: Server;

  beforeAll(async () => {
    await init();
    [isolated, plain] = await Promise.all([
      serve(0, { isolated: true }),
      serve(0, { isolated: false }),
    ]);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    isolated?.close();
    plain?.close();
  });

  /** Opens the page (hash: a shared configuration); records errors and every request's origin. */
  async function open(server: Server, hash = '') {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    await page.goto(`${origin}/examples/playground/${hash}`);
    await expect.poll(() => page.getByTestId('status').textContent()).toMatch(/^ready/);
    return { page, errors, requests, origin };
  }

  const status = (page: Page) => page.getByTestId('status').textContent();

  /**
   * Trains to the end, and checks that the page stayed responsive meanwhile: a 50 ms timer on
   * its main thread never waited long (training runs in the Worker; a blocked page would wait
   * for the whole run).
   */
  async function trainToEnd(page: Page) {
    await page.evaluate(() => {
      const w = window as unknown as { maxGap: number; gapTimer: number };
      let last = performance.now();
      w.maxGap = 0;
      w.gapTimer = window.setInterval(() => {
        const now = performance.now();
        w.maxGap = Math.max(w.maxGap, now - last);
        last = now;
      }, 50);
    });
    await page.getByTestId('train').click();
    await expect.poll(() => status(page), { timeout: 30_000 }).toMatch(/(done|error: .*)$/);
    const maxGap = await page.evaluate(() => {
      const w = window as unknown as { maxGap: number; gapTimer: number };
      clearInterval(w.gapTimer);
      return w.maxGap;
    });
    console.log(
      `playground: longest wait of the page's 50 ms timer while training: ${maxGap.toFixed(0)} ms`,
    );
    expect(maxGap).toBeLessThan(750);
    return (await status(page))!;
  }

  async function download(page: Page, testId: string): Promise<Buffer> {
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId(testId).click(),
    ]);
    return readFileSync((await file.path())!);
  }

  it('opens a shared URL, trains with threads, draws the charts, and gives the CLI run back', async () => {
    const flags = [
      '--task',
      'digits',
      '--neurons',
      '100',
      '--k',
      '10',
      '--epochs',
      '1',
      '--seed',
      '3',
    ];
    const cli = cliRun('cli-digits', flags);
    const hash = readJson(join(cli, 'summary.json')).state_hash;
    const shared = '#task=digits&neurons=100&k=10&epochs=1&seed=3&growth=random&rewire-every=';
    const { page, errors, requests, origin } = await open(isolated, shared);
    expect(await page.getByTestId('cli-command').textContent()).toContain(flags.join(' '));
    expect(await trainToEnd(page)).toContain(`state_hash ${hash}: done`);
    expect(await page.getByTestId('build-note').textContent()).toMatch(
      /^Threaded build, \d+ threads/,
    );
    expect(await page.locator('[data-testid=loss-chart] polyline.series').count()).toBeGreaterThan(
      0,
    );
    expect(await page.locator('[data-testid=degree-chart] rect.bar').count()).toBeGreaterThan(5);

    // The network: loads in Node with the CLI's state hash; the exports load too.
    const model = await download(page, 'download-network');
    expect(SparseRNN.load(model).stateHash()).toBe(hash);
    expect(Buffer.compare(model, readFileSync(join(cli, 'model.sqrtk')))).not.toBe(0); // run ids differ…
    const safetensors = await download(page, 'download-safetensors');
    expect((await loadNetwork(safetensors)).recurrentMatrix()).toEqual(
      SparseRNN.load(model).recurrentMatrix(),
    );
    const npz = unzipSync(await download(page, 'download-npz'));
    expect(Object.keys(npz)).toContain('indptr.npy');

    // The run directory: the CLI's files, and `sqrtk report` / `sqrtk export` work on it.
    const zip = unzipSync(await download(page, 'download-run'));
    const dir = join(tmp, 'playground-run');
    mkdirSync(dir, { recursive: true });
    for (const [name, bytes] of Object.entries(zip)) writeFileSync(join(tmp, name), bytes);
    expect(timeless(readJson(join(dir, 'summary.json')))).toEqual(
      timeless(readJson(join(cli, 'summary.json'))),
    );
    const [ours, theirs] = [dir, cli].map((d) => readJson(join(d, 'config.json')));
    for (const key of ['task', 'network', 'fit', 'validation', 'curriculum'])
      expect(ours[key]).toEqual(theirs[key]);
    expect({ ...ours.cli, out: '' }).toEqual({ ...theirs.cli, out: '' });
    const lines = (d: string) =>
      readFileSync(join(d, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => ({ ...JSON.parse(l), seconds: 0 }));
    expect(lines(dir)).toEqual(lines(cli));
    const pageReport = readFileSync(join(dir, 'report.html'), 'utf8');
    execFileSync('node', [join(root, 'dist/cli.js'), 'report', 'playground-run'], {
      cwd: tmp,
      stdio: 'ignore',
    });
    // The same bytes: the charts round their coordinates to 1/100 px, below the last bits in
    // which Math.log / Math.exp differ between Node's V8 and Chromium.
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toBe(pageReport);
    execFileSync(
      'node',
      [join(root, 'dist/cli.js'), 'export', 'playground-run', '--format', 'npz'],
      {
        cwd: tmp,
        stdio: 'ignore',
      },
    );
    expect(existsSync(join(dir, 'export', 'network.npz'))).toBe(true);
    expect(await download(page, 'download-report')).toEqual(Buffer.from(pageReport));

    expect(errors).toEqual([]);
    expect(requests.every((url) => url.startsWith(origin) || url.startsWith('blob:'))).toBe(true);
    await page.close();
  }, 60_000);

  it('sets a network in the form, stops and resumes single-threaded, and ends where the CLI does', async () => {
    const { page, errors } = await open(plain);
    const set = {
      neurons: '100',
      k: '10',
      growth: 'sampled',
      'rewire-every': '10',
      epochs: '12',
      seed: '5',
    };
    for (const [id, value] of Object.entries(set)) {
      const field = page.getByTestId(id);
      if (id === 'growth') await field.selectOption(value);
      else await field.fill(value);
    }
    expect(new URL(page.url()).hash).toContain('neurons=100&k=10');
    await page.getByTestId('train').click();
    await expect.poll(() => status(page)).toMatch(/^training: epoch/);
    await page.getByTestId('stop').click();
    await expect.poll(() => status(page)).toMatch(/^stopped at epoch \d+, step \d+/);
    expect(await page.getByTestId('resume').isEnabled()).toBe(true);
    // The keyboard focus follows the buttons as they disable: Stop → Resume → Stop → Train.
    const focused = () => page.evaluate(() => document.activeElement?.id);
    expect(await focused()).toBe('resume');
    await page.getByTestId('resume').click();
    await expect.poll(() => status(page), { timeout: 30_000 }).toMatch(/done$/);
    expect(await focused()).toBe('train');
    expect(await page.getByTestId('build-note').textContent()).toMatch(
      /^Single-threaded build: .* the Threads field is not used/,
    );
    expect(await page.locator('[data-testid=turnover-chart] rect.bar').count()).toBeGreaterThan(0);

    const flags = ['--neurons', '100', '--k', '10', '--growth', 'sampled', '--rewire-every', '10'];
    const cli = cliRun('cli-resume', [...flags, '--epochs', '12', '--seed', '5']);
    expect(await status(page)).toContain(
      `state_hash ${readJson(join(cli, 'summary.json')).state_hash}`,
    );
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('trains on an uploaded .npz as `sqrtk train --data` does', async () => {
    const file = join(tmp, 'small.npz');
    writeFileSync(file, smallNpz());
    const { page, errors } = await open(
      isolated,
      '#neurons=50&k=5&epochs=2&batch-size=8&seed=2&growth=random&rewire-every=',
    );
    await page.getByTestId('upload').setInputFiles(file);
    await expect.poll(() => page.getByTestId('task').inputValue()).toBe('(your file)');
    expect(await trainToEnd(page)).toMatch(/done$/);
    const flags = [
      '--data',
      file,
      '--neurons',
      '50',
      '--k',
      '5',
      '--epochs',
      '2',
      '--batch-size',
      '8',
    ];
    const cli = cliRun('cli-data', [...flags, '--seed', '2']);
    expect(await status(page)).toContain(
      `state_hash ${readJson(join(cli, 'summary.json')).state_hash}`,
    );
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('fills empty fields with the CLI defaults, so the shown command is the same run', async () => {
    // No epochs given: the CLI trains 20 (the API's fit would train 10).
    const shared = '#task=digits&neurons=40&k=5&epochs=&seed=2&growth=random&rewire-every=';
    const { page } = await open(plain, shared);
    const command = (await page.getByTestId('cli-command').textContent())!;
    expect(command).not.toContain('--epochs');
    const flags = command
      .replace(/^.*sqrtk train /, '')
      .trim()
      .split(/\s+/);
    const hash = readJson(join(cliRun('cli-empty-epochs', flags), 'summary.json')).state_hash;
    expect(await trainToEnd(page)).toContain(`state_hash ${hash}: done`);
    await page.close();
  });

  it('says what a link cannot carry: its data file, or a task this page does not know', async () => {
    const origin = `http://127.0.0.1:${(plain.address() as { port: number }).port}`;
    const page = await browser.newPage();
    const cases: [string, RegExp, string][] = [
      ['#task=%28your+file%29&neurons=40', /^this link was made with a data file/, '(your file)'],
      [
        '#task=no-such-task&neurons=40',
        /^the link's task \(=no-such-task\) is not a built-in task; showing digits/,
        'digits',
      ],
    ];
    for (const [hash, said, task] of cases) {
      await page.goto(`${origin}/examples/playground/${hash}`);
      await expect.poll(() => status(page)).toMatch(said);
      expect(await page.locator('#field-task').inputValue()).toBe(task);
      expect(await page.getByTestId('neurons').inputValue()).toBe('40');
    }
    await page.close();
  });

  it("shows the library's error message next to an invalid field", async () => {
    const { page } = await open(isolated, '#neurons=100&k=200&epochs=1');
    await page.getByTestId('train').click();
    await expect.poll(() => page.locator('#error-k').textContent()).toMatch(/^k \(=200\)/);
    let expected = '';
    try {
      new SparseRNN({ inputs: 8, outputs: 10, neurons: 100, k: 200 }).free();
    } catch (e) {
      expected = (e as Error).message;
    }
    expect(await page.locator('#error-k').textContent()).toBe(expected);
    expect(await page.getByTestId('k').getAttribute('aria-invalid')).toBe('true');
    expect(await status(page)).toMatch(/^error: k \(=200\)/);
    await page.close();
  }, 30_000);
});
