// The report's charts: round ticks, integer ticks on integer axes, powers of ten on a log axis,
// labels no longer than their precision, and text that stays inside the chart.
import { describe, expect, it } from 'vitest';
import { barChart, dotChart, lineChart, makeAxis } from '../ts/output/svg.js';
import { pValue } from '../ts/output/report.js';

const labels = (values: number[], o = {}) => makeAxis(values, o).ticks.map(([, t]) => t);

/** The x, y, size and text of every <text> of an SVG, and its width and height. */
function texts(svg: string) {
  const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
  const found = [
    ...svg.matchAll(
      /<text x="([\d.-]+)" y="([\d.-]+)" font-size="(\d+)" text-anchor="(\w+)"([^>]*)>([^<]*)<\/text>/g,
    ),
  ];
  return {
    width: w,
    height: h,
    texts: found.map(([, x, y, size, anchor, extra, text]) => ({
      x: +x,
      y: +y,
      size: +size,
      anchor,
      rotated: extra.includes('rotate'),
      text,
    })),
  };
}

describe('chart axes', () => {
  it('gives round ticks whose labels have the digits of the tick step, not of the data', () => {
    expect(labels([-0.0196, 0.031])).toEqual([
      '−0.02',
      '−0.01',
      '0',
      '0.01',
      '0.02',
      '0.03',
      '0.04',
    ]);
    expect(labels([0.3, 0.99])).toEqual(['0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1.0']);
    for (const t of labels([0.12345, 0.98765])) expect(t).toMatch(/^(0|\d\.\d)$/);
  });

  it('puts integer ticks only at whole numbers on integer axes', () => {
    expect(labels([1, 3], { integer: true })).toEqual(['1', '2', '3']);
    expect(labels([1, 2], { integer: true })).toEqual(['1', '2']);
    expect(labels([0, 2100], { integer: true })).toEqual([
      '0',
      '500',
      '1,000',
      '1,500',
      '2,000',
      '2,500',
    ]);
    // Without the option the same data gets fractional ticks (the old 2.75 epochs).
    expect(labels([1, 3]).some((t) => t.includes('.'))).toBe(true);
  });

  it('shows a loss over several decades on a log axis at powers of ten', () => {
    expect(labels([0.00012, 0.48], { log: true })).toEqual(['10⁻⁴', '10⁻³', '0.01', '0.1', '1']);
    const axis = makeAxis([0.00012, 0.48], { log: true });
    expect(axis.at(0.001) - axis.at(0.0001)).toBeCloseTo(axis.at(1) - axis.at(0.1), 12);
    expect(axis.at(0)).toBeNaN(); // off a log axis: not drawn
    // Less than a decade: a linear axis reads better.
    expect(labels([0.2, 0.5], { log: true })).toEqual(labels([0.2, 0.5]));
  });
});

describe('chart layout', () => {
  const loss = lineChart(
    'Loss',
    'epoch',
    'cross-entropy',
    [
      {
        name: 'train',
        points: [
          [1, 0.5],
          [2, 0.01],
          [3, 0.0001],
        ],
      },
      {
        name: 'a long legend entry: Binomial(999, 100/1000)',
        points: [
          [1, 0.4],
          [2, 0.02],
          [3, 0.001],
        ],
      },
    ],
    { x: { integer: true }, y: { log: true } },
  );

  it('keeps the legend right of the plot and every text inside the chart', () => {
    const { width, height, texts: all } = texts(loss);
    const widthOf = (t: { text: string; size: number }) => t.text.length * t.size * 0.62;
    for (const t of all) {
      const [lo, hi] =
        t.anchor === 'start'
          ? [t.x, t.x + widthOf(t)]
          : t.anchor === 'end'
            ? [t.x - widthOf(t), t.x]
            : [t.x - widthOf(t) / 2, t.x + widthOf(t) / 2];
      if (!t.rotated) {
        expect(lo, t.text).toBeGreaterThanOrEqual(0);
        expect(hi, t.text).toBeLessThanOrEqual(width);
      }
      expect(t.y, t.text).toBeLessThanOrEqual(height);
    }
    const legend = all.filter((t) => t.text.startsWith('a long legend'));
    const plotRight = Math.max(...all.filter((t) => t.text === '3').map((t) => t.x));
    expect(legend[0].x).toBeGreaterThan(plotRight);
  });

  it('keeps the y title clear of the widest tick label, and tick labels apart', () => {
    const chart = barChart(
      'Turnover',
      'optimizer step',
      'synapses swapped',
      [
        { x: 0, width: 4, height: 123456 },
        { x: 96, width: 4, height: 2100 },
      ],
      [],
      { x: { integer: true } },
    );
    const { texts: all } = texts(chart);
    const title = all.find((t) => t.rotated)!;
    const yTicks = all.filter((t) => t.anchor === 'end');
    for (const t of yTicks)
      expect(t.x - t.text.length * t.size * 0.62).toBeGreaterThan(title.x + title.size / 2);
    const xTicks = all.filter(
      (t) => t.anchor === 'middle' && !t.rotated && /^[\d,−.]+$/.test(t.text),
    );
    for (let i = 1; i < xTicks.length; i++) {
      const gap = xTicks[i].x - xTicks[i - 1].x;
      expect(gap).toBeGreaterThan(
        ((xTicks[i].text.length + xTicks[i - 1].text.length) / 2) * 11 * 0.62,
      );
    }
  });

  it('makes each chart a standalone SVG document with a readable font', () => {
    const chart = dotChart('Test accuracy by growth', 'accuracy', [
      { label: 'growth=random', values: [0.91, 0.92] },
      { label: 'growth=sampled', values: [0.93, 0.95] },
    ]);
    expect(chart).toMatch(
      /^<svg class="chart" xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+" viewBox="0 0 \d+ \d+" font-family="/,
    );
    for (const [, size] of chart.matchAll(/font-size="(\d+)"/g))
      expect(+size).toBeGreaterThanOrEqual(11);
    expect(chart).not.toMatch(/\d\.\d{3,}(?![\d.]*")/); // no long numbers shown as text
  });
});

describe('p-values as people read them', () => {
  it('shows 2 significant digits, and one that underflowed as below the smallest double', () => {
    expect(pValue(0.012345)).toBe('= 0.012');
    expect(pValue(9.6e-29)).toBe('= 9.6e-29');
    expect(pValue(0)).toBe('< 1e-300');
  });
});
