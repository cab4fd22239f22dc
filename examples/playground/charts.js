// Small SVG charts for the live plots: a line chart, a bar chart with an overlaid curve, and a
// connectivity grid. Each returns an SVG string that the page puts into a container.
//
// Why our own code and not a charting library (uPlot, Chart.js, ...): the page must work offline
// from static files with no npm dependency added, the charts are few and simple, and they are
// redrawn a few times a second at most (a few hundred points), which string-built SVG handles
// easily. The axis and tick logic follows ts/output/svg.ts (the report's charts), copied here
// because the browser bundle exports the report as a whole, not its chart helpers.

const W = 460;
const H = 240;
const M = { left: 52, right: 12, top: 26, bottom: 38 };
export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b'];

const escape = (s) =>
  String(s).replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c],
  );

/** The [lo, hi] range of the finite values (a flat range is widened so it can be drawn). */
function extent(values) {
  let [lo, hi] = [Infinity, -Infinity];
  for (const v of values) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  return [lo, hi];
}

function tickLabel(v) {
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0)
    ? v.toExponential(1)
    : String(+v.toPrecision(3));
}

/** Axes, ticks, labels and title around `body(sx, sy)`, which draws in data coordinates. */
function frame({ title, xLabel, yLabel, x: [x0, x1], y: [y0, y1] }, body) {
  const sx = (x) => M.left + ((x - x0) / (x1 - x0)) * (W - M.left - M.right);
  const sy = (y) => H - M.bottom - ((y - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const ticks = (lo, hi) => [0, 0.25, 0.5, 0.75, 1].map((f) => lo + f * (hi - lo));
  const bottom = H - M.bottom;
  const parts = [
    `<line x1="${M.left}" y1="${bottom}" x2="${W - M.right}" y2="${bottom}" stroke="#333"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${bottom}" stroke="#333"/>`,
    ...ticks(x0, x1).map(
      (v) =>
        `<text x="${sx(v)}" y="${bottom + 14}" font-size="10" text-anchor="middle">${tickLabel(v)}</text>`,
    ),
    ...ticks(y0, y1).map(
      (v) =>
        `<text x="${M.left - 4}" y="${sy(v) + 3}" font-size="10" text-anchor="end">${tickLabel(v)}</text>`,
    ),
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${escape(xLabel)}</text>`,
    `<text x="12" y="${(M.top + bottom) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${(M.top + bottom) / 2})">${escape(yLabel)}</text>`,
    `<text x="${W / 2}" y="15" font-size="13" font-weight="bold" text-anchor="middle">${escape(title)}</text>`,
  ];
  return svg(title, parts.join('') + body(sx, sy));
}

function svg(title, content) {
  return `<svg class="chart" role="img" aria-label="${escape(title)}" viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg">${content}</svg>`;
}

function legend(series) {
  const named = series.filter((s) => s.name);
  if (named.length === 0) return '';
  const x = W - M.right - 124;
  // A translucent backing keeps the legend readable where a curve passes under it.
  const backing = `<rect x="${x}" y="${M.top - 4}" width="122" height="${named.length * 13 + 4}" fill="#fff" fill-opacity="0.8"/>`;
  return (
    backing +
    named
      .map((s, i) => {
        const y = M.top + 4 + i * 13;
        const dash = s.dashed ? ' stroke-dasharray="4 3"' : '';
        return `<line x1="${x + 4}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${s.color}" stroke-width="2"${dash}/><text x="${x + 22}" y="${y + 3}" font-size="10">${escape(s.name)}</text>`;
      })
      .join('')
  );
}

/**
 * Lines through `series` ({ name, points: [x, y][], color?, dashed?, dots? }); a non-finite y
 * breaks a line. `dots` marks every point (useful while a curve has one point per epoch).
 */
export function lineChart(title, xLabel, yLabel, series, { y } = {}) {
  const colored = series.map((s, i) => ({ ...s, color: s.color ?? COLORS[i % COLORS.length] }));
  const all = colored.flatMap((s) => s.points);
  const box = {
    title,
    xLabel,
    yLabel,
    x: extent(all.map((p) => p[0])),
    y: y ?? extent(all.map((p) => p[1])),
  };
  return frame(box, (sx, sy) => {
    const lines = colored.map((s) => {
      const runs = [[]];
      for (const [px, py] of s.points) {
        if (Number.isFinite(py)) runs.at(-1).push(`${sx(px).toFixed(1)},${sy(py).toFixed(1)}`);
        else if (runs.at(-1).length) runs.push([]);
      }
      const dash = s.dashed ? ' stroke-dasharray="4 3"' : '';
      const path = runs
        .filter((r) => r.length > 1)
        .map(
          (r) =>
            `<polyline class="series" fill="none" stroke="${s.color}" stroke-width="1.5"${dash} points="${r.join(' ')}"/>`,
        )
        .join('');
      const dots = s.dots
        ? s.points
            .filter(([, py]) => Number.isFinite(py))
            .map(
              ([px, py]) =>
                `<circle class="dot" cx="${sx(px)}" cy="${sy(py)}" r="2.5" fill="${s.color}"/>`,
            )
            .join('')
        : '';
      return path + dots;
    });
    return lines.join('') + legend(colored);
  });
}

/** Bars ({ x, width, height }) with optional overlaid curves (e.g. the Binomial expectation). */
export function barChart(title, xLabel, yLabel, bars, curves = []) {
  const colored = curves.map((s, i) => ({
    ...s,
    color: s.color ?? COLORS[(i + 1) % COLORS.length],
  }));
  const xs = bars.flatMap((b) => [b.x, b.x + b.width]);
  const ys = [
    0,
    ...bars.map((b) => b.height),
    ...colored.flatMap((c) => c.points.map((p) => p[1])),
  ];
  const box = { title, xLabel, yLabel, x: extent(xs), y: extent(ys) };
  return frame(box, (sx, sy) => {
    const rects = bars.map(
      (b) =>
        `<rect class="bar" x="${sx(b.x)}" y="${sy(b.height)}" width="${Math.max(0.5, sx(b.x + b.width) - sx(b.x) - 0.5)}" height="${Math.max(0, sy(0) - sy(b.height))}" fill="#9ecae1"/>`,
    );
    const lines = colored.map(
      (c) =>
        `<polyline class="series" fill="none" stroke="${c.color}" stroke-width="1.5" points="${c.points.map(([px, py]) => `${sx(px).toFixed(1)},${sy(py).toFixed(1)}`).join(' ')}"/>`,
    );
    return rects.join('') + lines.join('') + legend(colored);
  });
}

/** Expected neuron counts per degree under Binomial(n, p) for degrees lo..hi (as in report.ts). */
export function binomialCurve(neurons, n, p, lo, hi) {
  const points = [];
  let logPmf = n * Math.log1p(-p); // log P(X = 0)
  for (let k = 0; k <= hi; k++) {
    if (k >= lo) points.push([k + 0.5, neurons * Math.exp(logPmf)]);
    logPmf += Math.log(n - k) - Math.log(k + 1) + Math.log(p) - Math.log1p(-p);
  }
  return points;
}

/** A histogram of integer degrees against Binomial(N − 1, K/N). */
export function degreeChart(title, axis, degrees, neurons, k) {
  let [lo, hi] = [Infinity, -Infinity];
  for (const d of degrees) [lo, hi] = [Math.min(lo, d), Math.max(hi, d)];
  const counts = new Map();
  for (const d of degrees) counts.set(d, (counts.get(d) ?? 0) + 1);
  const bars = Array.from({ length: hi - lo + 1 }, (_, i) => ({
    x: lo + i,
    width: 1,
    height: counts.get(lo + i) ?? 0,
  }));
  const curve = binomialCurve(neurons, neurons - 1, k / neurons, lo, hi);
  return barChart(title, axis, 'neurons', bars, [
    { name: `Binomial(${neurons - 1}, ${k}/${neurons})`, points: curve, color: '#d62728' },
  ]);
}

/**
 * Who connects to whom among the first `size` neurons: a dot at (column j, row i) for each
 * synapse j → i, grey for the random backbone, red for a learned synapse.
 */
export function connectivityChart(title, { size, rows }) {
  const side = Math.min(W - M.left - M.right, H - M.top - M.bottom);
  const cell = side / size;
  const x0 = (W - side) / 2;
  const y0 = M.top;
  const dots = [];
  rows.forEach((row, i) => {
    for (const [j, learned] of row)
      dots.push(
        `<rect class="${learned ? 'learned' : 'backbone'}" x="${(x0 + j * cell).toFixed(1)}" y="${(y0 + i * cell).toFixed(1)}" width="${Math.max(1, cell - 0.3).toFixed(2)}" height="${Math.max(1, cell - 0.3).toFixed(2)}" fill="${learned ? '#d62728' : '#999'}"/>`,
      );
  });
  const outline = `<rect x="${x0}" y="${y0}" width="${side}" height="${side}" fill="none" stroke="#333"/>`;
  const labels = [
    `<text x="${W / 2}" y="15" font-size="13" font-weight="bold" text-anchor="middle">${escape(title)}</text>`,
    `<text x="${W / 2}" y="${y0 + side + 14}" font-size="11" text-anchor="middle">from neuron j (0–${size - 1})</text>`,
    `<text x="${x0 - 6}" y="${y0 + side / 2}" font-size="11" text-anchor="end">to i</text>`,
    `<rect x="${x0 + side + 10}" y="${y0 + 4}" width="8" height="8" fill="#999"/><text x="${x0 + side + 22}" y="${y0 + 12}" font-size="10">backbone</text>`,
    `<rect x="${x0 + side + 10}" y="${y0 + 20}" width="8" height="8" fill="#d62728"/><text x="${x0 + side + 22}" y="${y0 + 28}" font-size="10">learned</text>`,
  ];
  return svg(title, outline + dots.join('') + labels.join(''));
}
