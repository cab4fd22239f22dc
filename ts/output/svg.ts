/**
 * Small self-contained SVG charts for the HTML report (no scripts, no network). Each chart is a
 * standalone SVG document (namespace, size, font), so it can also be saved as a file on its own.
 *
 * Axes come from d3-scale: "nice" round ticks, integer ticks only on integer axes (epochs,
 * steps, degrees), powers of ten on a log axis. Labels are formatted to the precision of the tick
 * step (d3-format). The layout is measured from the labels: the y title sits left of the widest
 * tick label, the legend right of the plot, so neither covers data or is clipped.
 */
import { scaleLinear, scaleLog, type ScaleLinear } from 'd3-scale';

export interface Series {
  /** Shown in the legend (an empty name is left out of it). */
  name: string;
  /** [x, y] pairs; a non-finite y breaks the line. */
  points: [number, number][];
  color?: string;
  /** A dashed line (e.g. a target beside the output it is compared with). */
  dashed?: boolean;
}

/** How an axis maps its values: `integer` ticks only at whole numbers, `log` base 10. */
export interface AxisOptions {
  integer?: boolean;
  log?: boolean;
}

/**
 * Okabe & Ito's colour-blind-safe palette (Okabe and Ito 2008, "Color Universal Design"),
 * without its yellow (too pale on white) and black (kept for axes).
 */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'];
const color = (k: number) => PALETTE[k % PALETTE.length];

/**
 * `count` colours for the ordered values of a variable: the palette while it lasts, beyond that
 * a diverging ramp from its blue through grey to its vermillion, so that neighbouring values
 * get neighbouring colours and none repeats.
 */
export function orderedColors(count: number): string[] {
  if (count <= PALETTE.length) return PALETTE.slice(0, count);
  const stops = [
    [0x00, 0x72, 0xb2],
    [0xbb, 0xbb, 0xbb],
    [0xd5, 0x5e, 0x00],
  ];
  return Array.from({ length: count }, (_, k) => {
    const t = (2 * k) / (count - 1);
    const [a, b] = t <= 1 ? [stops[0], stops[1]] : [stops[1], stops[2]];
    const f = t <= 1 ? t : t - 1;
    const hex = a.map((v, c) =>
      Math.round(v + (b[c] - v) * f)
        .toString(16)
        .padStart(2, '0'),
    );
    return `#${hex.join('')}`;
  });
}

const PLOT = { width: 340, height: 180 };
const FONT = { tick: 11, label: 12, title: 13 };
/** A generous width per character of system-ui at size 1: boxes estimated from it never overlap. */
const CHAR = 0.62;
const textWidth = (text: string, size: number) => text.length * size * CHAR;

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * A coordinate in pixels, to 1/100 px: finer cannot be seen, and the last bits of Math.log /
 * Math.exp (the Binomial curves) differ between Node and browsers, which would change the bytes.
 */
const px = (v: number) => String(+v.toFixed(2));

function extent(values: number[], log = false): [number, number] {
  let [lo, hi] = [Infinity, -Infinity];
  for (const v of values)
    if (Number.isFinite(v) && (!log || v > 0)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  if (lo === Infinity) return log ? [0.1, 1] : [0, 1];
  if (lo === hi) [lo, hi] = log ? [lo / 10, hi * 10] : [lo - 1, hi + 1];
  return [lo, hi];
}

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
/** 10⁻⁴ for 0.0001; 0.01 … 100 as they are. */
function powerOfTen(v: number): string {
  const e = Math.round(Math.log10(v));
  if (Math.abs(e) <= 2) return String(+v.toPrecision(1));
  const digits = [...String(Math.abs(e))].map((d) => SUPERSCRIPT[+d]).join('');
  return `10${e < 0 ? '⁻' : ''}${digits}`;
}

/** A mapped axis: position in 0..1 (NaN off the axis), its ticks and their labels. */
export interface Axis {
  at: (v: number) => number;
  ticks: [number, string][];
}

/** Estimated px between neighbouring tick labels drawn side by side over `room` px. */
function tickGap(axis: Axis, room: number): number {
  let gap = Infinity;
  for (let i = 1; i < axis.ticks.length; i++) {
    const [[a, ta], [b, tb]] = [axis.ticks[i - 1], axis.ticks[i]];
    const half = (textWidth(ta, FONT.tick) + textWidth(tb, FONT.tick)) / 2;
    gap = Math.min(gap, (axis.at(b) - axis.at(a)) * room - half);
  }
  return gap;
}

/**
 * The axis over `values` (non-finite ones ignored), with about `count` ticks: fewer when their
 * labels, side by side along `room` px (an x axis: the plot's width), would come closer than 8 px.
 */
export function makeAxis(values: number[], o: AxisOptions = {}, count = 5, room = Infinity): Axis {
  const [lo, hi] = extent(values, o.log);
  // A log axis needs a decade to be worth it; below that a linear axis reads better.
  if (o.log && hi / lo >= 10) {
    const s = scaleLog().domain([lo, hi]).nice();
    const [d0, d1] = s.domain();
    const decades = Math.round(Math.log10(d1 / d0));
    const step = Math.max(1, Math.ceil(decades / 6));
    const ticks: [number, string][] = [];
    for (let e = Math.round(Math.log10(d0)); e <= Math.log10(d1) + 1e-9; e += step)
      ticks.push([10 ** e, powerOfTen(10 ** e)]);
    return { at: (v) => (v > 0 ? (Math.log10(v) - Math.log10(d0)) / decades : NaN), ticks };
  }
  const s = scaleLinear().domain([lo, hi]).nice(count);
  const [d0, d1] = s.domain();
  const at = (v: number) => (v - d0) / (d1 - d0);
  // Fewer ticks over the same domain while their labels would crowd the room.
  let axis: Axis = { at, ticks: linearTicks(s, o, count) };
  for (let fewer = count - 1; fewer >= 2 && tickGap(axis, room) < 8; fewer--)
    axis = { at, ticks: linearTicks(s, o, fewer) };
  return axis;
}

/** About `count` round ticks of a linear scale and their labels, to the precision of the step. */
function linearTicks(
  s: ScaleLinear<number, number>,
  o: AxisOptions,
  count: number,
): [number, string][] {
  const [d0, d1] = s.domain();
  let values = s.ticks(count);
  // d3 may give twice the count asked for; more than 8 labels crowd a 340 px axis.
  if (values.length > 8) values = s.ticks(Math.max(2, Math.floor(count / 2)));
  if (o.integer) {
    values = values.filter(Number.isInteger);
    if (values.length < 2)
      values = [Math.ceil(d0), Math.floor(d1)].filter((v, i, a) => a.indexOf(v) === i);
  }
  const format = s.tickFormat(count, o.integer ? ',d' : undefined);
  return values.map((v) => [v, v === 0 ? '0' : format(v)]);
}

export interface Frame {
  title: string;
  xLabel: string;
  yLabel: string;
  x: Axis;
  y: Axis;
  /** Names and colours (and dashes) of the legend, drawn right of the plot. */
  legend?: { name: string; color: string; dashed?: boolean; dot?: 'filled' | 'hollow' }[];
  /** Plot width (default 340 px). */
  width?: number;
}

/**
 * The chart around `body`, where X(v) and Y(v) stand for the pixel position of data value v
 * on each axis. Sized to fit its labels, title and legend.
 */
export function frame(f: Frame, body: string): string {
  const plotW = f.width ?? PLOT.width;
  const yTickW = Math.max(0, ...f.y.ticks.map(([, t]) => textWidth(t, FONT.tick)));
  const left = 8 + (f.yLabel ? FONT.label + 8 : 0) + yTickW + 6;
  const top = 30;
  const bottom = 6 + FONT.tick + (f.xLabel ? 8 + FONT.label : 0) + 8;
  const entries = (f.legend ?? []).filter((e) => e.name !== '');
  const legendW = entries.length
    ? 30 + Math.max(...entries.map((e) => textWidth(e.name, FONT.tick)))
    : 0;
  const lastX = f.x.ticks.at(-1);
  const tickOverhang = lastX ? textWidth(lastX[1], FONT.tick) / 2 : 0;
  const plotH = PLOT.height;
  const width = Math.ceil(
    Math.max(
      left + plotW + Math.max(12, tickOverhang) + legendW,
      textWidth(f.title, FONT.title) + 16,
    ),
  );
  // Rows of 16 px, closer (down to 14) to keep the legend beside the plot and its x axis; a
  // longer legend makes the chart taller, not the plot (bars are sized in plot pixels).
  const row = Math.max(14, Math.min(16, (plotH + bottom - 8) / entries.length));
  const height = Math.max(top + plotH + bottom, Math.ceil(top + entries.length * row + 8));
  const sx = (v: number) => left + f.x.at(v) * plotW;
  const sy = (v: number) => top + plotH - f.y.at(v) * plotH;
  const bottomY = top + plotH;
  const text = (x: number, y: number, size: number, anchor: string, s: string, extra = '') =>
    `<text x="${px(x)}" y="${px(y)}" font-size="${size}" text-anchor="${anchor}"${extra}>${escape(s)}</text>`;
  const parts = [
    `<line class="axis" x1="${px(left)}" y1="${px(bottomY)}" x2="${px(left + plotW)}" y2="${px(bottomY)}" stroke="#333"/>`,
    `<line class="axis" x1="${px(left)}" y1="${top}" x2="${px(left)}" y2="${px(bottomY)}" stroke="#333"/>`,
    ...f.x.ticks.map(
      ([v, t]) =>
        `<line x1="${px(sx(v))}" x2="${px(sx(v))}" y1="${px(bottomY)}" y2="${px(bottomY + 4)}" stroke="#333"/>` +
        text(sx(v), bottomY + 6 + FONT.tick, FONT.tick, 'middle', t, ' class="tick"'),
    ),
    ...f.y.ticks.map(
      ([v, t]) =>
        `<line x1="${px(left - 4)}" x2="${px(left)}" y1="${px(sy(v))}" y2="${px(sy(v))}" stroke="#333"/>` +
        text(left - 6, sy(v) + FONT.tick * 0.35, FONT.tick, 'end', t, ' class="tick"'),
    ),
    f.xLabel ? text(left + plotW / 2, bottomY + bottom - 8, FONT.label, 'middle', f.xLabel) : '',
    f.yLabel
      ? text(
          8 + FONT.label * 0.8,
          top + plotH / 2,
          FONT.label,
          'middle',
          f.yLabel,
          ` transform="rotate(-90 ${px(8 + FONT.label * 0.8)} ${px(top + plotH / 2)})"`,
        )
      : '',
    text(width / 2, 18, FONT.title, 'middle', f.title, ' font-weight="bold"'),
    ...entries.map((e, k) => {
      const [x, y] = [left + plotW + Math.max(12, tickOverhang) + 4, top + 6 + row * k];
      const dash = e.dashed ? ' stroke-dasharray="4 3"' : '';
      const fill = e.dot === 'hollow' ? '#fff' : e.color;
      const marker = e.dot
        ? `<circle cx="${px(x + 8)}" cy="${px(y)}" r="4" fill="${fill}" stroke="${e.color}" stroke-width="1.2"/>`
        : `<line x1="${px(x)}" x2="${px(x + 16)}" y1="${px(y)}" y2="${px(y)}" stroke="${e.color}" stroke-width="2"${dash}/>`;
      return (
        marker + text(x + 22, y + FONT.tick * 0.35, FONT.tick, 'start', e.name, ' class="legend"')
      );
    }),
  ];
  const placed = body
    .replace(/X\(([^)]*)\)/g, (_, v) => px(sx(+v)))
    .replace(/Y\(([^)]*)\)/g, (_, v) => px(sy(+v)));
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}${placed}</svg>`;
}

/** The runs of consecutive drawable points of `points` (a NaN, or a value off a log axis, ends a run). */
function segments(points: [number, number][], on: (y: number) => boolean): [number, number][][] {
  const runs: [number, number][][] = [[]];
  for (const p of points) {
    if (Number.isFinite(p[1]) && on(p[1])) runs[runs.length - 1].push(p);
    else if (runs[runs.length - 1].length > 0) runs.push([]);
  }
  return runs.filter((run) => run.length > 0);
}

export interface LineChartOptions {
  /** Series 2k and 2k + 1 share a colour (e.g. an output and its dashed target). */
  pairColors?: boolean;
  x?: AxisOptions;
  y?: AxisOptions;
}

/** Lines through points, one per series (broken where y is not finite). */
export function lineChart(
  title: string,
  xLabel: string,
  yLabel: string,
  series: Series[],
  options: LineChartOptions = {},
): string {
  const colorOf = (s: Series, k: number) => s.color ?? color(options.pairColors ? k >> 1 : k);
  const x = makeAxis(
    series.flatMap((s) => s.points.map((p) => p[0])),
    options.x,
    5,
    PLOT.width,
  );
  const y = makeAxis(
    series.flatMap((s) => s.points.map((p) => p[1])),
    options.y,
  );
  const on = (v: number) => Number.isFinite(y.at(v));
  const body = series
    .flatMap((s, k) =>
      segments(s.points, on).map((run) => {
        if (run.length === 1)
          return `<circle class="series" r="2.5" fill="${colorOf(s, k)}" cx="X(${run[0][0]})" cy="Y(${run[0][1]})"/>`;
        const pts = run.map(([px_, py]) => `X(${px_}),Y(${py})`).join(' ');
        const dash = s.dashed ? ' stroke-dasharray="4 3"' : '';
        return `<polyline class="series" fill="none" stroke-width="1.6"${dash} stroke="${colorOf(s, k)}" points="${pts}"/>`;
      }),
    )
    .join('');
  const legend =
    series.length > 1
      ? series.map((s, k) => ({ name: s.name, color: colorOf(s, k), dashed: s.dashed }))
      : [];
  return frame({ title, xLabel, yLabel, x, y, legend }, body);
}

/** Bars (x = left edge, width, height), with optional overlay lines. */
export function barChart(
  title: string,
  xLabel: string,
  yLabel: string,
  bars: { x: number; width: number; height: number }[],
  overlays: Series[] = [],
  options: { x?: AxisOptions } = {},
): string {
  const xs = bars
    .flatMap((b) => [b.x, b.x + b.width])
    .concat(overlays.flatMap((s) => s.points.map((p) => p[0])));
  const ys = [
    0,
    ...bars.map((b) => b.height),
    ...overlays.flatMap((s) => s.points.map((p) => p[1])),
  ];
  const x = makeAxis(xs, options.x, 5, PLOT.width);
  const y = makeAxis(ys, { integer: true });
  const body = bars
    .map(
      (b) =>
        `<rect class="bar" fill="${PALETTE[5]}" fill-opacity="0.55" stroke="${PALETTE[0]}" stroke-width="0.5" x="X(${b.x})" y="Y(${b.height})" width="${px(Math.max(0.5, (x.at(b.x + b.width) - x.at(b.x)) * PLOT.width))}" height="${px((y.at(b.height) - y.at(0)) * PLOT.height)}"/>`,
    )
    .join('');
  const lineColor = (s: Series, k: number) => s.color ?? color(k + 1);
  const lines = overlays
    .map(
      (s, k) =>
        `<polyline class="series" fill="none" stroke-width="1.8" stroke="${lineColor(s, k)}" points="${s.points.map(([px_, py]) => `X(${px_}),Y(${py})`).join(' ')}"/>`,
    )
    .join('');
  const legend = overlays.map((s, k) => ({ name: s.name, color: lineColor(s, k) }));
  return frame({ title, xLabel, yLabel, x, y, legend }, body + lines);
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
          return `<circle class="series" r="3" fill="${color(i)}" fill-opacity="0.7" cx="X(${i + dx})" cy="Y(${v})"/>`;
        })
        .join('');
      const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
      const bar = finite.length
        ? `<line stroke="#333" stroke-width="2" x1="X(${i - 0.25})" x2="X(${i + 0.25})" y1="Y(${mean})" y2="Y(${mean})"/>`
        : '';
      return dots + bar;
    })
    .join('');
  // Columns wide enough for their labels.
  const columnW = Math.max(60, ...columns.map((c) => textWidth(c.label, FONT.tick) + 12));
  const width = Math.max(PLOT.width, columnW * columns.length);
  const x: Axis = {
    at: (v) => (v + 0.5) / columns.length,
    ticks: columns.map((c, i) => [i, c.label]),
  };
  const y = makeAxis([y0 - pad, y1 + pad]);
  return frame({ title, xLabel: '', yLabel, x, y, width }, body);
}

/** A set of points drawn as dots in one colour. */
export interface PointSet {
  name: string;
  points: [number, number][];
  color?: string;
  /** Dot radius in px (default 2, translucent; larger dots are opaque with an outline). */
  radius?: number;
  /** An outlined dot with a white centre (e.g. an unstable fixed point). */
  hollow?: boolean;
}

/**
 * Dots, one colour per set, with optional lines over them (e.g. a circle of reference). With
 * `equal`, both axes span the same range so that a circle looks round.
 */
export function scatterChart(
  title: string,
  xLabel: string,
  yLabel: string,
  sets: PointSet[],
  lines: Series[] = [],
  options: { equal?: boolean } = {},
): string {
  const all = [...sets.flatMap((s) => s.points), ...lines.flatMap((s) => s.points)];
  let xs = all.map((p) => p[0]);
  let ys = all.map((p) => p[1]);
  if (options.equal) {
    const bound = Math.max(...[...xs, ...ys].filter(Number.isFinite).map(Math.abs), 1e-9);
    xs = ys = [-bound, bound];
  }
  const width = options.equal ? PLOT.height : undefined;
  const x = makeAxis(xs, {}, 5, width ?? PLOT.width);
  const y = options.equal ? x : makeAxis(ys); // the same ticks when equal, however few fit
  const colorOf = (s: { color?: string }, k: number) => s.color ?? color(k);
  const dots = sets
    .map((s, k) =>
      s.points
        .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b))
        .map(([a, b]) => {
          const look =
            s.radius === undefined
              ? `r="2" fill="${colorOf(s, k)}" fill-opacity="0.6"`
              : `r="${s.radius}" fill="${s.hollow ? '#fff' : colorOf(s, k)}" stroke="${colorOf(s, k)}" stroke-width="1.2"`;
          return `<circle class="series" ${look} cx="X(${a})" cy="Y(${b})"/>`;
        })
        .join(''),
    )
    .join('');
  const lineColor = (s: Series, k: number) => s.color ?? color(sets.length + k);
  // Lines first, so that dots (a few marked points) are drawn over them.
  const drawn = lines
    .map((s, k) => {
      const dash = s.dashed ? ' stroke-dasharray="4 3"' : '';
      const pts = s.points.map(([a, b]) => `X(${a}),Y(${b})`).join(' ');
      return `<polyline class="series" fill="none" stroke-width="1.4"${dash} stroke="${lineColor(s, k)}" points="${pts}"/>`;
    })
    .join('');
  const legend = [
    ...sets.map((s, k) => ({
      name: s.name,
      color: colorOf(s, k),
      dot: s.hollow ? ('hollow' as const) : ('filled' as const),
    })),
    ...lines.map((s, k) => ({ name: s.name, color: lineColor(s, k), dashed: s.dashed })),
  ];
  return frame({ title, xLabel, yLabel, x, y, legend, width }, drawn + dots);
}
