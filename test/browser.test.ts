// The browser demo in headless Chromium (Debian's package, driven by playwright-core): the
// page trains in a Worker with the threaded build (served with COOP/COEP headers) and with the
// single-threaded build (without them), and both give the same network as Node does.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { available, launchChromium } from './chromium.js';
// @ts-expect-error: a plain JavaScript helper script
import { serve } from '../scripts/serve.mjs';
import {
  analyze,
  datasets,
  fit,
  init,
  SparseRNN,
  evaluate,
  tasks,
  loadTask,
} from '../ts/node/index.js';
import { datasetHash } from './task-hash.js';

const root = resolve(__dirname, '..');

describe.skipIf(!available)('browser demo', () => {
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

  async function runPage(server: Server) {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    const { port } = server.address() as { port: number };
    await page.goto(`http://127.0.0.1:${port}/examples/browser/?auto=1&epochs=1&neurons=300`);
    await page.waitForFunction(
      () => (window as unknown as { sqrtkResult?: unknown }).sqrtkResult,
      null,
      { timeout: 90_000 },
    );
    const result = await page.evaluate(
      () => (window as unknown as { sqrtkResult: Record<string, unknown> }).sqrtkResult,
    );
    const log = await page.textContent('#log');
    await page.close();
    return { result, errors, log };
  }

  it('trains with threads in a cross-origin isolated page, and matches Node bit for bit', async () => {
    const { result, errors, log } = await runPage(isolated);
    expect(errors).toEqual([]);
    expect(result.error).toBeUndefined();
    expect(result.threads).toBeGreaterThan(1);
    expect(result.accuracy).toBeGreaterThan(0.5);
    expect(log).toContain('epoch 1: loss');

    using net = new SparseRNN({
      inputs: 8,
      outputs: 10,
      neurons: 300,
      k: 30,
      growth: 'sampled',
      seed: 1,
    });
    const { train, test } = datasets.digits();
    await fit(net, train, { epochs: 1, rewireEvery: 25, validation: test });
    expect(result.stateHash).toBe(net.stateHash());
    expect(result.accuracy).toBe(evaluate(net, test).accuracy);
  }, 120_000);

  it('renders the HTML report: every chart drawn, no console errors', async () => {
    const run = mkdtempSync(join(tmpdir(), 'sqrtk-report-'));
    const train = [
      'train',
      '--neurons',
      '200',
      '--k',
      '20',
      '--epochs',
      '2',
      '--growth',
      'gradient',
      '--rewire-every',
      '10',
      '--threads',
      '1',
      '--out',
      run,
    ];
    execFileSync('node', ['dist/cli.js', ...train], { cwd: root, stdio: 'ignore' });
    execFileSync('node', ['dist/cli.js', 'report', run], { cwd: root, stdio: 'ignore' });
    const page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`file://${join(run, 'report.html')}`);
    const charts = await page.$$eval('svg.chart', (svgs) =>
      svgs.map((svg) => ({
        marks: svg.querySelectorAll('polyline.series, rect.bar').length,
        width: svg.getBoundingClientRect().width,
      })),
    );
    expect(charts).toHaveLength(12); // 8 about the network, 2 × 2 about two test trials
    for (const chart of charts) {
      expect(chart.marks).toBeGreaterThan(0);
      expect(chart.width).toBeGreaterThan(100);
    }
    const png = await page.screenshot({ path: join(run, 'report.png'), fullPage: true });
    expect(png.length).toBeGreaterThan(20_000);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('generates every task with the same bytes in Chromium as in Node', async () => {
    const page = await browser.newPage();
    const { port } = isolated.address() as { port: number };
    await page.goto(`http://127.0.0.1:${port}/package.json`);
    const options = { trials: 64, seed: 11 };
    // The page's script is a string: vitest would rewrite a dynamic import() in a function.
    const script = `(async () => {
      const lib = await import('/dist/browser.js');
      const hash = ${datasetHash.toString()};
      const out = {};
      for (const [name, make] of Object.entries(lib.tasks)) out[name] = hash(make(${JSON.stringify(options)}));
      out['loadTask(dms).test'] = hash(lib.loadTask('dms').test);
      return out;
    })()`;
    const inPage = (await page.evaluate(script)) as Record<string, string>;
    await page.close();
    const inNode: Record<string, string> = {};
    for (const [name, make] of Object.entries(tasks))
      inNode[name] = datasetHash((make as (o: unknown) => never)(options));
    inNode['loadTask(dms).test'] = datasetHash(loadTask('dms').test);
    expect(Object.keys(inNode)).toHaveLength(10);
    expect(inPage).toEqual(inNode);
  }, 60_000);

  it('analyzes a saved network in Chromium as Node does', async () => {
    const task = loadTask('perceptual-decision', { trials: 200, testTrials: 60 });
    using net = new SparseRNN({
      inputs: 3,
      outputs: 3,
      neurons: 80,
      k: 8,
      growth: 'gradient',
      seed: 4,
    });
    await fit(net, task.train, { epochs: 2, rewireEvery: 5 });
    const options = {
      task: 'perceptual-decision',
      trials: 60,
      permutations: 49,
      fixedPointSeeds: 8,
    };
    const inNode = analyze(net, task.test, options);
    const page = await browser.newPage();
    const { port } = isolated.address() as { port: number };
    await page.goto(`http://127.0.0.1:${port}/package.json`);
    const bytes = Buffer.from(net.save()).toString('base64');
    const script = `(async () => {
      const lib = await import('/dist/browser.js');
      await lib.init();
      const bytes = Uint8Array.from(atob('${bytes}'), (c) => c.charCodeAt(0));
      const net = lib.SparseRNN.load(bytes);
      const task = lib.loadTask('perceptual-decision', { trials: 200, testTrials: 60 });
      return JSON.stringify(lib.analyze(net, task.test, ${JSON.stringify(options)}));
    })()`;
    const inPage = JSON.parse((await page.evaluate(script)) as string);
    await page.close();
    // The same numbers, to the last bits of Math.tanh / Math.exp (which may differ by engine).
    const close = (a: unknown, b: unknown, path: string): void => {
      if (typeof a === 'number' && typeof b === 'number') {
        expect(Math.abs(a - b), path).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(b)));
      } else if (a !== null && typeof a === 'object') {
        expect(Object.keys(a as object), path).toEqual(Object.keys(b as object));
        for (const key of Object.keys(a as object))
          close((a as never)[key], (b as never)[key], `${path}.${key}`);
      } else expect(a, path).toEqual(b);
    };
    expect(inPage.fixedPoints.length).toBe(2);
    close(inPage, JSON.parse(JSON.stringify(inNode)), 'analysis');
  }, 60_000);

  it('falls back to the single-threaded build without COOP/COEP, with the same result', async () => {
    const threaded = await runPage(isolated);
    const single = await runPage(plain);
    expect(single.errors).toEqual([]);
    expect(single.result.threads).toBe(1);
    expect(single.result.stateHash).toBe(threaded.result.stateHash);
  }, 180_000);
});
