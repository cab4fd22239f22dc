// The HTML report as a reader sees it, laid out by headless Chromium (issue 14): a few small runs
// that between them draw every kind of chart (digits: degree histograms, turnover, learned
// weights; perceptual-decision: psychometric curves, fixed points; flip-flop: MSE and its outputs;
// an E/I run under Dale's law: selectivity per population; a larger digits run without analysis,
// whose degree tests underflow to p = 0) are trained, analyzed and reported by the CLI, and each
// report.html is opened from its file, beside a page of charts at edges no run reaches (the
// longest legend, wide tick labels).
//
// What is checked, for every chart (svg.chart), on the boxes Chromium gives its <text> elements:
// - no two text boxes overlap by more than 1 px in both directions;
// - every text box lies inside the SVG's viewBox (1 px slack): nothing is clipped;
// - every legend entry lies right of the plot (its axes and every mark of data), so that no
//   legend covers data, and no lower than the x axis's title (the legend does not stretch the
//   chart);
// - no two legend entries look the same (the colour, dashes and shape of their markers);
// - the title is no wider than the rest of the chart (a long title would stretch it);
// - neighbouring tick labels on an axis keep a gap of at least 4 px, and no two are the same;
// - at most 8 tick labels per axis.
// Numbers shown (tick labels, every other text of a chart, every table cell <td>, every
// paragraph <p>): a token is a number when it stands alone (not part of a word, a hex hash or a
// version like 0.1.0). Integers may have any length. A number with a fractional part shows at most max(3, d) significant
// digits, where d is the number of digits of its integer part: 0.0123, 1.23, 12.3, 123 and
// 1234 are fine; 0.01234, 12.34 and 1234.5 show more digits than they mean. In scientific
// notation (a p-value 2.8e-42) the rule applies to the mantissa. A zero is shown as 0 (not 0.0
// or −0). Outside tick labels (which share their axis's step, 0.5 1.0 1.5) a fraction does not
// end in 0 (0.10, 9.60e-29). In "a ± b", a shows no decimal place finer than b's last
// (−0.000129 ± 0.0152 shows noise; −0.0001 ± 0.0152 does not).
// And the report is self-contained: no <script>, no request other than for its own file.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { available, launchChromium } from './chromium.js';
import {
  barChart,
  histogram,
  lineChart,
  orderedColors,
  scatterChart,
  type Series,
} from '../ts/output/svg.js';

const root = resolve(__dirname, '..');
let tmp = '';
const run = promisify(execFile);
const cli = (...args: string[]) => run('node', [join(root, 'dist/cli.js'), ...args], { cwd: tmp });

const SMALL = ['--neurons', '200', '--k', '20', '--epochs', '3', '--threads', '1'];
/** Runs that between them draw every kind of chart the report has. */
const RUNS: Record<string, { train: string[]; fixedPoints?: number }> = {
  digits: { train: [...SMALL, '--growth', 'sampled', '--rewire-every', '10'], fixedPoints: 0 },
  'perceptual-decision': { train: [...SMALL, '--task', 'perceptual-decision'], fixedPoints: 4 },
  'flip-flop': { train: [...SMALL, '--task', 'flip-flop'], fixedPoints: 0 },
  dale: {
    train: [...SMALL, '--excitatory', '0.8', '--dale', '--scaling', 'balanced'],
    fixedPoints: 0,
  },
  // Reported without analysis: `sqrtk analyze` of 1000 neurons takes a minute.
  large: { train: ['--epochs', '1', '--growth', 'sampled', '--threads', '1'] },
};

/**
 * Charts at the edges no run reaches: the longest legend (12 groups of a variable and two
 * kinds of fixed point), wide tick labels, an equal-aspect plot, a histogram of small values.
 */
function synthetic(): string[] {
  const colors = orderedColors(14);
  const many: Series[] = colors.map((color, k) => ({
    name: `level = ${k - 6.5}`,
    color,
    points: [0, 1, 2].map((x) => [x, k * x] as [number, number]),
  }));
  const wide: Series[] = [
    { name: 'a', points: [0, 1].map((x) => [x * 2_345_678, x] as [number, number]) },
    { name: 'b', points: [0, 1].map((x) => [x * 2_345_678, 1 - x] as [number, number]) },
  ];
  const circle = Array.from({ length: 9 }, (_, k) => [
    1.4 * Math.cos(k * 0.8),
    1.4 * Math.sin(k * 0.8),
  ]) as [number, number][];
  const small = Array.from({ length: 200 }, (_, k) => 0.001 + ((k * 37) % 200) * 1.6e-5);
  return [
    lineChart('Fourteen entries', 'step', 'value', many, { x: { integer: true } }),
    lineChart('Wide tick labels', 'synapses', 'fraction', wide, { x: { integer: true } }),
    scatterChart('Equal axes', 'Re λ', 'Im λ', [{ name: 'λ', points: circle }], [], {
      equal: true,
    }),
    barChart('Small values', 'weight', 'synapses', histogram(small, 40)),
  ];
}

/** train, analyze and report the run NAME into tmp/NAME. */
async function pipeline(name: string): Promise<void> {
  const out = join(tmp, name);
  const { train, fixedPoints } = RUNS[name];
  await cli('train', ...train, '--out', out);
  if (fixedPoints !== undefined)
    await cli(
      'analyze',
      out,
      ...['--permutations', '99', '--trials', '100'],
      ...['--fixed-point-seeds', String(fixedPoints)],
    );
  await cli('report', out);
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}
interface TextBox extends Box {
  text: string;
  cls: string;
  anchor: string;
  /** For a legend entry, how its marker looks. */
  marker: string;
}
interface Chart {
  title: string;
  width: number;
  height: number;
  texts: TextBox[];
  plot: Box[];
  /** Every mark but the title: data, axes, ticks, labels, legend. */
  content: Box[];
}
interface Page {
  charts: Chart[];
  cells: string[];
  paragraphs: string[];
  scripts: number;
}

const SLACK = 1;
const overlap = (a: Box, b: Box) =>
  Math.min(a.right, b.right) - Math.max(a.left, b.left) > SLACK &&
  Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > SLACK;

/** Numbers standing alone in `text`: not inside a word, a hex hash or a dotted version. */
const NUMBER = /(?<![\w.\-−])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[-+−]?\d+)?(?!\w|\.\d)/gi;

/** Decimal places a number shows: 3 for 0.012, 21 for 8.41e-19, −2 for 1.2e3. */
function places(token: string): number {
  const [mantissa, exponent = '0'] = token.replace(/−/g, '-').split(/e/i);
  return (mantissa.split('.')[1]?.length ?? 0) - Number(exponent);
}

/** The "a ± b" of `text` where a shows a decimal place finer than b's last. */
export function finerThanSpread(text: string): string[] {
  const num = NUMBER.source;
  return [...text.matchAll(new RegExp(`(${num}) ± (${num})`, 'gi'))]
    .filter((m) => places(m[1]) > places(m[2]))
    .map((m) => m[0]);
}

/**
 * The numbers of `text` that show more digits than they mean (the rules above); `tick`: a tick
 * label, which may end in 0.
 */
export function overPrecise(text: string, tick = false): string[] {
  return [...text.matchAll(NUMBER)]
    .map((m) => m[0])
    .filter((token) => {
      const mantissa = token.replace(/^[-−]/, '').replace(/e.*$/i, '').replace(/,/g, '');
      const [whole, fraction = ''] = mantissa.split('.');
      const zero = /^0*$/.test(whole + fraction);
      if (zero) return token !== '0';
      if (!tick && fraction.endsWith('0')) return true;
      const digits = (whole + fraction).replace(/^0+/, '').length;
      const wholeDigits = whole.replace(/^0+/, '').length;
      return fraction !== '' && digits > Math.max(3, wholeDigits);
    });
}

describe.skipIf(!available)('the report laid out in Chromium', () => {
  let browser: Browser;
  const pages: Record<string, Page> = {};
  const requests: string[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'sqrtk-report-layout-'));
    const names = Object.keys(RUNS);
    // Two at a time: the machines that run this have two cores.
    const queue = [...names];
    const lane = async () => {
      for (let name = queue.shift(); name; name = queue.shift()) await pipeline(name);
    };
    await Promise.all([lane(), lane()]);
    writeFileSync(join(tmp, 'synthetic.html'), `<!doctype html><body>${synthetic().join('')}`);
    browser = await launchChromium();
    for (const name of [...names, 'synthetic']) {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file://')) return route.continue();
        requests.push(url);
        return route.abort();
      });
      const file = name === 'synthetic' ? 'synthetic.html' : join(name, 'report.html');
      await page.goto(`file://${join(tmp, file)}`);
      pages[name] = await page.evaluate(() => {
        const box = (el: Element, origin: DOMRect, scale: number) => {
          const b = el.getBoundingClientRect();
          return {
            left: (b.left - origin.left) * scale,
            right: (b.right - origin.left) * scale,
            top: (b.top - origin.top) * scale,
            bottom: (b.bottom - origin.top) * scale,
          };
        };
        /** How the marker drawn before a legend entry looks. */
        const look = (t: Element) => {
          const m = t.previousElementSibling;
          if (t.getAttribute('class') !== 'legend' || !m) return '';
          const paint = ['stroke', 'fill', 'stroke-dasharray'].map((a) => m.getAttribute(a));
          return `${m.tagName} ${paint.join(' ')}`;
        };
        const charts = Array.from(document.querySelectorAll('svg.chart')).map((svg) => {
          const view = (svg as SVGSVGElement).viewBox.baseVal;
          const origin = svg.getBoundingClientRect();
          const scale = view.width / origin.width;
          return {
            title: svg.querySelector('text[font-weight="bold"]')?.textContent ?? '',
            width: view.width,
            height: view.height,
            texts: Array.from(svg.querySelectorAll('text')).map((t) => ({
              text: t.textContent ?? '',
              cls: t.getAttribute('class') ?? '',
              anchor: t.getAttribute('text-anchor') ?? '',
              marker: look(t),
              ...box(t, origin, scale),
            })),
            plot: Array.from(svg.querySelectorAll('line.axis, .series, .bar')).map((e) =>
              box(e, origin, scale),
            ),
            content: Array.from(svg.querySelectorAll('line, polyline, circle, rect.bar, text'))
              .filter((e) => e.getAttribute('font-weight') !== 'bold')
              .map((e) => box(e, origin, scale)),
          };
        });
        return {
          charts,
          cells: Array.from(document.querySelectorAll('td')).map((td) => td.textContent ?? ''),
          paragraphs: Array.from(document.querySelectorAll('p')).map((p) => p.textContent ?? ''),
          scripts: document.querySelectorAll('script').length,
        };
      });
      await page.close();
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const each = (check: (chart: Chart) => string[]) => {
    const found: string[] = [];
    for (const [name, page] of Object.entries(pages))
      for (const chart of page.charts)
        for (const problem of check(chart)) found.push(`${name}: "${chart.title}": ${problem}`);
    return found;
  };

  it('draws every chart of every run', () => {
    for (const [name, page] of Object.entries(pages)) {
      expect(page.charts.length).toBeGreaterThan(name === 'synthetic' ? 3 : 8);
      for (const chart of page.charts) expect(chart.plot.length).toBeGreaterThan(2);
    }
  });

  it('lets no two text boxes of a chart overlap', () => {
    const found = each((chart) => {
      const problems: string[] = [];
      const t = chart.texts;
      for (let i = 0; i < t.length; i++)
        for (let j = i + 1; j < t.length; j++)
          if (overlap(t[i], t[j])) problems.push(`"${t[i].text}" overlaps "${t[j].text}"`);
      return problems;
    });
    expect(found).toEqual([]);
  });

  it('keeps every text inside its chart', () => {
    const found = each((chart) =>
      chart.texts
        .filter(
          (t) =>
            t.left < -SLACK ||
            t.top < -SLACK ||
            t.right > chart.width + SLACK ||
            t.bottom > chart.height + SLACK,
        )
        .map(
          (t) =>
            `"${t.text}" [${t.left.toFixed(1)}, ${t.right.toFixed(1)}] × ` +
            `[${t.top.toFixed(1)}, ${t.bottom.toFixed(1)}] leaves 0..${chart.width} × 0..${chart.height}`,
        ),
    );
    expect(found).toEqual([]);
  });

  it('puts the legend right of the plot and its data', () => {
    const found = each((chart) => {
      const plotRight = Math.max(...chart.plot.map((b) => b.right));
      return chart.texts
        .filter((t) => t.cls === 'legend' && t.left < plotRight)
        .map((t) => `legend "${t.text}" starts at ${t.left.toFixed(1)} < ${plotRight.toFixed(1)}`);
    });
    expect(found).toEqual([]);
  });

  it('keeps the legend beside the plot and every entry of it distinct', () => {
    const found = each((chart) => {
      const problems: string[] = [];
      const legend = chart.texts.filter((t) => t.cls === 'legend');
      const axisBottom = Math.max(
        ...chart.texts.filter((t) => t.cls !== 'legend').map((t) => t.bottom),
      );
      const last = legend.at(-1);
      if (last && last.bottom > axisBottom + SLACK)
        problems.push(
          `${legend.length} legend entries end at ${last.bottom.toFixed(1)}, below the x axis (${axisBottom.toFixed(1)})`,
        );
      const seen = new Map<string, string>();
      for (const t of legend) {
        const other = seen.get(t.marker);
        if (other !== undefined) problems.push(`"${t.text}" looks like "${other}" (${t.marker})`);
        seen.set(t.marker, t.text);
      }
      return problems;
    });
    expect(found).toEqual([]);
  });

  it('gives no chart a title wider than the chart itself', () => {
    const found = each((chart) => {
      const title = chart.texts.find((t) => t.text === chart.title);
      const left = Math.min(...chart.content.map((b) => b.left));
      const right = Math.max(...chart.content.map((b) => b.right));
      return title && title.right - title.left > right - left + SLACK
        ? [
            `title ${(title.right - title.left).toFixed(1)} px wide, chart ${(right - left).toFixed(1)} px`,
          ]
        : [];
    });
    expect(found).toEqual([]);
  });

  it('gives each axis at most 8 distinct tick labels with room between them', () => {
    const found = each((chart) => {
      const problems: string[] = [];
      const ticks = chart.texts.filter((t) => t.cls === 'tick');
      for (const [axis, list, gap] of [
        ['x', ticks.filter((t) => t.anchor === 'middle'), (a: Box, b: Box) => b.left - a.right],
        ['y', ticks.filter((t) => t.anchor === 'end'), (a: Box, b: Box) => a.top - b.bottom],
      ] as const) {
        const labels = list.map((t) => t.text);
        if (list.length > 8) problems.push(`${list.length} ${axis} ticks: ${labels.join(' ')}`);
        if (new Set(labels).size < labels.length)
          problems.push(`repeated ${axis} tick labels: ${labels.join(' ')}`);
        for (let i = 1; i < list.length; i++)
          if (gap(list[i - 1], list[i]) < 4)
            problems.push(
              `${axis} ticks "${labels[i - 1]}" and "${labels[i]}" ${gap(list[i - 1], list[i]).toFixed(1)} px apart`,
            );
      }
      return problems;
    });
    expect(found).toEqual([]);
  });

  it('shows no number in a chart with more digits than it means', () => {
    const found = each((chart) =>
      chart.texts.flatMap((t) =>
        overPrecise(t.text, t.cls === 'tick').map((n) => `${n} in "${t.text}"`),
      ),
    );
    expect(found).toEqual([]);
  });

  it('shows no number in a table or paragraph with more digits than it means', () => {
    const found = Object.entries(pages).flatMap(([name, page]) =>
      [...page.cells, ...page.paragraphs].flatMap((c) =>
        [...overPrecise(c), ...finerThanSpread(c)].map((n) => `${name}: ${n} in "${c}"`),
      ),
    );
    expect(found).toEqual([]);
  });

  it('tells numbers that show too many digits from those that do not', () => {
    expect(overPrecise('0.0123 1.23 12.3 123 1234 −0.5 2.8e-42 1,234,567 PC1 12.3 %')).toEqual([]);
    expect(overPrecise('0.01234 12.34 1234.5 3.142e-5')).toEqual([
      '0.01234',
      '12.34',
      '1234.5',
      '3.142e-5',
    ]);
    expect(overPrecise('p = 0.0, −0, 0.10, 9.60e-29.')).toEqual(['0.0', '−0', '0.10', '9.60e-29']);
    expect(overPrecise('1.0', true)).toEqual([]);
    expect(overPrecise('0.0', true)).toEqual(['0.0']);
    // A hash, a version, a word with digits: not numbers.
    expect(overPrecise('1e5a3b9c0d2f4e61 0.1.23 run-12.345x sqrtk-0.12345')).toEqual([]);
    expect(finerThanSpread('0.666 ± 0.0132, 0 ± 0.0382, −0.0001 ± 0.0152, 12 ± 3')).toEqual([]);
    expect(finerThanSpread('-0.000129 ± 0.0152, -8.41e-19 ± 0.0382')).toEqual([
      '-0.000129 ± 0.0152',
      '-8.41e-19 ± 0.0382',
    ]);
  });

  it('is self-contained: no script, no request but its own file', () => {
    for (const name of Object.keys(RUNS)) {
      const html = readFileSync(join(tmp, name, 'report.html'), 'utf8');
      expect(html).not.toMatch(/<script|javascript:|\son[a-z]+=/i);
      expect(pages[name].scripts).toBe(0);
    }
    expect(requests).toEqual([]);
  });
});
