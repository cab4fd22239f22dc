// loadDataset in headless Chromium: the same bytes given as a Blob, a File, a Response and an
// ArrayBuffer load to the same arrays as in Node, and bad data gives the same E_DATA message.
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { available, launchChromium } from './chromium.js';
// @ts-expect-error: a plain JavaScript helper script
import { serve } from '../scripts/serve.mjs';
import { loadDataset } from '../ts/node/index.js';

// Long-form CSV (as MATLAB's writematrix writes it) and JSON, each with a per-step label file.
const CSV = [
  'sequence,step,x0,x1,label',
  ...Array.from({ length: 12 }, (_, k) => {
    const [s, t] = [Math.floor(k / 3), k % 3];
    return `${s},${t},${(k * 0.37) % 1},${-k / 7},${(s + t) % 2}`;
  }),
].join('\n');
const JSON_DATA = JSON.stringify({
  x: [
    [[0.5], [1.5]],
    [[-1], [2]],
  ],
  labels: [1, 0],
});
const RAGGED = JSON.stringify({ x: [[[0.5], [1.5]], [[-1]]], labels: [1, 0] });

/** Runs in the page: loads each source with the browser build and returns plain arrays. */
const PAGE_SCRIPT = (csv: string, json: string, ragged: string) => `(async () => {
  const m = await import('/dist/browser.js');
  await m.init();
  const flat = (d) => ({ shape: d.data.shape, x: Array.from(d.data.x), labels: Array.from(d.data.labels ?? []) });
  const csv = ${JSON.stringify(csv)};
  const sources = {
    blob: new Blob([csv]),
    file: new File([csv], 'trials.csv'),
    response: new Response(csv),
    buffer: new TextEncoder().encode(csv).buffer,
  };
  const out = {};
  for (const [name, source] of Object.entries(sources))
    out[name] = flat(await m.loadDataset(source, { name: 'trials.csv' }));
  out.json = flat(await m.loadDataset(new Blob([${JSON.stringify(json)}]), { name: 'd.json' }));
  try {
    await m.loadDataset(new File([${JSON.stringify(ragged)}], 'ragged.json'));
  } catch (e) {
    out.error = { code: e.code, message: e.message };
  }
  return out;
})()`;

describe.skipIf(!available)('loadDataset in the browser', () => {
  let browser: Browser;
  let server: Server;

  beforeAll(async () => {
    server = await serve(0, { isolated: false });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('loads Blob, File, Response and ArrayBuffer sources exactly as Node does', async () => {
    const page = await browser.newPage();
    const { port } = server.address() as { port: number };
    await page.goto(`http://127.0.0.1:${port}/examples/browser/`);
    // A string, not a function: vitest would rewrite a function's import() for Node.
    const got = (await page.evaluate(PAGE_SCRIPT(CSV, JSON_DATA, RAGGED))) as Record<
      string,
      unknown
    >;
    await page.close();

    const encode = (s: string) => new TextEncoder().encode(s);
    const node = await loadDataset(encode(CSV), { name: 'trials.csv' });
    const expected = {
      shape: node.data.shape,
      x: Array.from(node.data.x),
      labels: Array.from(node.data.labels!),
    };
    expect(expected.shape).toEqual([4, 3, 2]);
    expect(expected.labels.length).toBe(12); // a class per step
    for (const name of ['blob', 'file', 'response', 'buffer']) expect(got[name]).toEqual(expected);
    const json = await loadDataset(encode(JSON_DATA), { name: 'd.json' });
    expect(got.json).toEqual({
      shape: json.data.shape,
      x: Array.from(json.data.x),
      labels: Array.from(json.data.labels!),
    });
    let nodeError: Error | undefined;
    await loadDataset(encode(RAGGED), { name: 'ragged.json' }).catch((e: Error) => (nodeError = e));
    expect(got.error).toEqual({ code: 'E_DATA', message: nodeError!.message });
  }, 60_000);
});
