/** Small self-contained SVG charts for the HTML report (no scripts, no network). */

export interface Series {
  /** Shown in the legend (an empty name is left out of it). */
  name: string;
  /** [x, y] pairs; a non-finite y breaks the line. */
  points: [number, number][];
  color?: string;
  /** A dashed line (e.g. a target beside the output it is compared with). */
  dashed?: boolean;
}

const W = 460;
const H = 260;
const M = { left: 52, right: 12, top: 28, bottom: 40 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b'];

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * A coordinate in pixels, to 1/100 px: finer cannot be seen, and the last bits of Math.log /
 * Math.exp (the Binomial curves) differ between Node and browsers, which would change the bytes.
 */
const px = (v: number) => String(+v.toFixed(2));

function extent(values: number[]): [number, number] {
  let [lo, hi] = [Infinity, -Infinity];
  for (const v of values) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  if (lo === Infinity) return [0, 1];
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
  return [lo, hi];
}

function frame(
  title: string,
  xLabel: string,
  yLabel: string,
  [x0, x1]: [number, number],
  [y0, y1]: [number, number],
  body: string,
  xTicks?: [number, string][],
): string {
  const sx = (x: number) => M.left + ((x - x0) / (x1 - x0)) * (W - M.left - M.right);
  const sy = (y: number) => H - M.bottom - ((y - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const ticks = (lo: number, hi: number) => [0, 0.25, 0.5, 0.75, 1].map((f) => lo + f * (hi - lo));
  const fmt = (v: number) =>
    Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0)
      ? v.toExponential(1)
      : +v.toPrecision(3) + '';
  const axes = [
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#333"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="#333"/>`,
    ...(xTicks ?? ticks(x0, x1).map((v): [number, string] => [v, fmt(v)])).map(
      ([v, text]) =>
        `<text x="${sx(v)}" y="${H - M.bottom + 14}" font-size="10" text-anchor="middle">${escape(text)}</text>`,
    ),
    ...ticks(y0, y1).map(
      (v) =>
        `<text x="${M.left - 4}" y="${sy(v) + 3}" font-size="10" text-anchor="end">${fmt(v)}</text>`,
    ),
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${escape(xLabel)}</text>`,
    `<text x="12" y="${(M.top + H - M.bottom) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${(M.top + H - M.bottom) / 2})">${escape(yLabel)}</text>`,
    `<text x="${W / 2}" y="16" font-size="13" font-weight="bold" text-anchor="middle">${escape(title)}</text>`,
  ];
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${axes.join('')}${body.replace(/X\(([^)]*)\)/g, (_, v) => px(sx(+v))).replace(/Y\(([^)]*)\)/g, (_, v) => px(sy(+v)))}</svg>`;
}

function legend(series: Series[], color = (k: number) => COLORS[k % COLORS.length]): string {
  return series
    .map((s, k) => ({ s, fill: s.color ?? color(k) }))
    .filter(({ s }) => s.name !== '' && !s.dashed)
    .map(
      ({ s, fill }, row) =>
        `<rect x="${W - M.right - 120}" y="${M.top + 4 + 14 * row}" width="10" height="3" fill="${fill}"/><text x="${W - M.right - 106}" y="${M.top + 8 + 14 * row}" font-size="10">${escape(s.name)}</text>`,
    )
    .join('');
}

/** The runs of consecutive finite points of `points` (a NaN ends a run). */
function segments(points: [number, number][]): [number, number][][] {
  const runs: [number, number][][] = [[]];
  for (const p of points) {
    if (Number.isFinite(p[1])) runs[runs.length - 1].push(p);
    else if (runs[runs.length - 1].length > 0) runs.push([]);
  }
  return runs.filter((run) => run.length > 0);
}

/**
 * Lines through points, one per series (broken where y is not finite). With `pairColors`,
 * series 2k and 2k + 1 share a colour (e.g. an output and its dashed target).
 */
export function lineChart(
  title: string,
  xLabel: string,
  yLabel: string,
  series: Series[],
  options: { pairColors?: boolean } = {},
): string {
  const color = (k: number) => COLORS[(options.pairColors ? k >> 1 : k) % COLORS.length];
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const body = series
    .flatMap((s, k) =>
      segments(s.points).map((run) => {
        if (run.length === 1)
          return `<circle class="series" r="2.5" fill="${s.color ?? color(k)}" cx="X(${run[0][0]})" cy="Y(${run[0][1]})"/>`;
        const pts = run.map(([x, y]) => `X(${x}),Y(${y})`).join(' ');
        const dash = s.dashed ? ' stroke-dasharray="4 3"' : '';
        return `<polyline class="series" fill="none" stroke-width="1.6"${dash} stroke="${s.color ?? color(k)}" points="${pts}"/>`;
      }),
    )
    .join('');
  return frame(
    title,
    xLabel,
    yLabel,
    extent(xs),
    extent(ys),
    body + (series.length > 1 ? legend(series, color) : ''),
  );
}

/** Bars (x = left edge, width, height), with optional overlay lines. */
export function barChart(
  title: string,
  xLabel: string,
  yLabel: string,
  bars: { x: number; width: number; height: number }[],
  overlays: Series[] = [],
): string {
  const xs = bars
    .flatMap((b) => [b.x, b.x + b.width])
    .concat(overlays.flatMap((s) => s.points.map((p) => p[0])));
  const ys = [
    0,
    ...bars.map((b) => b.height),
    ...overlays.flatMap((s) => s.points.map((p) => p[1])),
  ];
  const [x0, x1] = extent(xs);
  const [, y1] = extent(ys);
  const width = (w: number) => Math.max(0.5, (w / (x1 - x0)) * (W - M.left - M.right));
  const height = (h: number) => (h / y1) * (H - M.top - M.bottom);
  const body = bars
    .map(
      (b) =>
        `<rect class="bar" fill="#9ecae1" stroke="#6baed6" stroke-width="0.5" x="X(${b.x})" y="Y(${b.height})" width="${px(width(b.width))}" height="${px(height(b.height))}"/>`,
    )
    .join('');
  const lines = overlays
    .map(
      (s, k) =>
        `<polyline class="series" fill="none" stroke-width="1.8" stroke="${s.color ?? COLORS[(k + 1) % COLORS.length]}" points="${s.points.map(([x, y]) => `X(${x}),Y(${y})`).join(' ')}"/>`,
    )
    .join('');
  return frame(
    title,
    xLabel,
    yLabel,
    [x0, x1],
    [0, y1],
    body + lines + (overlays.length ? legend(overlays) : ''),
  );
}

/** A histogram of `values` with `bins` equal bins. */
export function histogram(
  values: ArrayLike<number>,
  bins: number,
): { x: number; width: number; height: number }[] {
  const list = Array.from(values);
  const [lo, hi] = extent(list);
  const width = (hi - lo) / bins;
  const counts = new Array(bins).fill(0);
  for (const v of list) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  return counts.map((height, k) => ({ x: lo + k * width, width, height }));
}

/**
 * One column of points per category (e.g. one point per seed), with a bar at each column's
 * mean: how far the seeds spread, next to the difference between the categories.
 */
export function dotChart(
  title: string,
  yLabel: string,
  columns: { label: string; values: number[] }[],
): string {
  const ys = columns.flatMap((c) => c.values);
  const [y0, y1] = extent(ys);
  const pad = (y1 - y0) * 0.05;
  const body = columns
    .map((c, i) => {
      const finite = c.values.filter(Number.isFinite);
      // Points spread sideways in a fixed pattern, so that equal values stay visible.
      const dots = finite
        .map((v, j) => {
          const dx = ((j % 5) - 2) * 0.05;
          return `<circle class="series" r="3" fill="${COLORS[i % COLORS.length]}" fill-opacity="0.7" cx="X(${i + dx})" cy="Y(${v})"/>`;
        })
        .join('');
      const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
      const bar = finite.length
        ? `<line stroke="#333" stroke-width="2" x1="X(${i - 0.25})" x2="X(${i + 0.25})" y1="Y(${mean})" y2="Y(${mean})"/>`
        : '';
      return dots + bar;
    })
    .join('');
  const ticks = columns.map((c, i): [number, string] => [i, c.label]);
  return frame(title, '', yLabel, [-0.5, columns.length - 0.5], [y0 - pad, y1 + pad], body, ticks);
}
