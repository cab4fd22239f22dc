/**
 * The report's "What did it learn?" section, drawn from DIR/analysis.json (`sqrtk analyze`):
 * population trajectories with the fixed points, psychometric curves, selectivity, the learned
 * structure against random placement, the fixed and slow points and the spectrum of W. Numbers are shown to 3 significant digits; the
 * JSON file keeps them whole.
 */
import type { Analysis } from '../analysis/index.js';
import { LEADING, type Spectrum } from '../analysis/spectrum.js';
import { lineChart, orderedColors, PALETTE, scatterChart, type Series } from './svg.js';

/** What analysis.json holds: every analysis, or for a network without a task the spectrum only. */
export type AnalysisFile = Partial<Omit<Analysis, 'spectrum'>> & {
  /** The state hash of the network analyzed. */
  state_hash: string;
  spectrum: { before: Spectrum | null; after: Spectrum | null };
};

const round = (v: number) => String(+v.toPrecision(3));
/**
 * A mean ± sd with the mean to the decimal place of the sd's last shown digit: −0.000129 ±
 * 0.0152 is shown as −0.0001 ± 0.0152 and a mean of 8e-19 as 0, since finer digits are noise.
 */
function meanSd(mean: number, sd: number): string {
  const spread = round(sd);
  if (!(sd > 0) || !Number.isFinite(sd)) return `${round(mean)} ± ${spread}`;
  const [digits, exponent = '0'] = spread.split('e'); // 0.075 → 3 places, 1.2e-7 → 8
  const places = (digits.split('.')[1]?.length ?? 0) - Number(exponent);
  return `${round(+mean.toFixed(Math.min(100, Math.max(0, places))))} ± ${spread}`;
}
/** p-values to 2 significant digits (the permutation test's resolution is 1/(P + 1)). */
const pShown = (p: number) => String(+p.toPrecision(2));

/** The section's HTML: a heading, charts and tables. */
export function analysisSection(a: AnalysisFile): string {
  const charts = [
    a.trajectories ? trajectoryChart(a) : '',
    ...(a.psychometric ?? []).map(psychometricChart),
    spectrumChart(a.spectrum),
  ].filter((c) => c !== '');
  const explained = a.trajectories?.explained
    .slice(0, 3)
    .map((e, k) => `PC${k + 1} ${round(100 * e)} %`)
    .join(', ');
  return `<h2>What did it learn?</h2>
${a.trials ? `<p>Analysis of ${a.trials} test trials${a.task ? ` of <b>${a.task}</b>` : ''} (sqrtk analyze).${explained ? ` Variance explained: ${explained}.` : ''}</p>` : ''}
<div class="charts">${charts.join('\n')}</div>
${a.selectivity?.length ? selectivityTable(a.selectivity) : ''}
${a.structure?.length ? structureTable(a.structure) : ''}
${a.psychometric?.length ? psychometricTable(a.psychometric) : ''}
${a.fixedPoints?.length ? fixedPointTable(a.fixedPoints) : ''}`;
}

function trajectoryChart(a: AnalysisFile): string {
  const t = a.trajectories!;
  const colors = orderedColors(t.groups.length);
  const lines: Series[] = t.groups.map((g, k) => ({
    name: t.condition
      ? g.range[0] === g.range[1]
        ? `${t.condition} = ${round(g.value)}`
        : `${t.condition} ${round(g.range[0])}…${round(g.range[1])}`
      : 'all trials',
    color: colors[k],
    points: g.mean.map((p) => [p[0], p[1] ?? 0] as [number, number]),
  }));
  // Fixed points (not slow ones) in the same plane: filled when stable, hollow when not; those
  // under a second input (the fixation cue) larger and grey. The legend names the input.
  const sets = (a.fixedPoints ?? []).flatMap((f, k) =>
    [true, false]
      .map((stable) => ({
        name: `${stable ? 'stable' : 'unstable'} fixed point (${f.input})`,
        color: k === 0 ? '#000' : '#666',
        radius: k === 0 ? 4.5 : 6,
        hollow: !stable,
        points: f.points
          .filter((p) => p.stable === stable && p.kind === 'fixed')
          .map((p) => [p.pcs[0], p.pcs[1] ?? 0] as [number, number]),
      }))
      .filter((s) => s.points.length > 0),
  );
  // Each axis says how much of the variance its component explains.
  const axis = (k: number) => `PC${k + 1} (${round(100 * (t.explained[k] ?? 0))} % of variance)`;
  return scatterChart('Population trajectories', axis(0), axis(1), sets, lines);
}

function psychometricChart(c: NonNullable<AnalysisFile['psychometric']>[0]): string {
  const xs = c.levels.map((l) => l.x);
  const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
  const fit = c.fit;
  const series: Series[] = [
    { name: 'network', points: c.levels.map((l) => [l.x, l.choice1] as [number, number]) },
    fit
      ? {
          name: `logistic (threshold ${round(fit.threshold)})`,
          dashed: true,
          points: Array.from({ length: 41 }, (_, k) => {
            const x = lo + ((hi - lo) * k) / 40;
            return [x, 1 / (1 + Math.exp(-(x - fit.bias) / fit.scale))] as [number, number];
          }),
        }
      : null,
  ].filter((x): x is Series => x !== null);
  return lineChart(c.name, c.x, 'P(choice 1)', series, { pairColors: true });
}

function spectrumChart(s: AnalysisFile['spectrum']): string {
  const sets = [
    s.before && { name: 'before training', points: pairs(s.before), color: PALETTE[5] },
    s.after && { name: 'after training', points: pairs(s.after), color: PALETTE[1] },
  ].filter((x) => x !== null);
  if (sets.length === 0) return '';
  const radius = s.before?.circularLaw ?? s.after?.circularLaw ?? null;
  const circle: Series[] =
    radius === null
      ? []
      : [
          {
            name: `circular law (radius ${round(radius)})`,
            dashed: true,
            color: '#333',
            points: Array.from({ length: 73 }, (_, k) => {
              const angle = (2 * Math.PI * k) / 72;
              return [radius * Math.cos(angle), radius * Math.sin(angle)] as [number, number];
            }),
          },
        ];
  // Above 1,000 neurons only the leading eigenvalues are computed (Arnoldi): the title says so.
  const partial = [s.before, s.after].some((x) => x?.method === 'arnoldi');
  const title = partial ? `Leading ${LEADING} eigenvalues of W` : 'Eigenvalues of W';
  return scatterChart(title, 'Re λ', 'Im λ', sets, circle, { equal: true });
}

function pairs(s: Spectrum): [number, number][] {
  return s.re.map((re, k) => [re, s.im[k]]);
}

function selectivityTable(list: NonNullable<AnalysisFile['selectivity']>): string {
  const rows = list.flatMap((v) =>
    v.populations.map(
      (p) =>
        `<tr><td>${v.variable}</td><td>${p.population}</td><td>${p.neurons}</td><td>${round(p.mean)}</td><td>${round(p.median)}</td><td>${round(p.quartiles[0])}–${round(p.quartiles[1])}</td></tr>`,
    ),
  );
  return `<h3>Selectivity (η²: the fraction of a neuron's trial-to-trial variance a task variable explains)</h3>
<table><tr><th>variable</th><th>population</th><th>neurons</th><th>mean η²</th><th>median</th><th>quartiles</th></tr>${rows.join('')}</table>`;
}

function structureTable(list: NonNullable<AnalysisFile['structure']>): string {
  const rows = list.map(
    (t) =>
      `<tr><td>${t.statistic}</td><td>${round(t.learned)}</td><td>${meanSd(t.randomMean, t.randomSd)}</td><td>${pShown(t.pValue)}</td></tr>`,
  );
  return `<h3>Learned synapses against the same number placed at random</h3>
<table><tr><th>statistic</th><th>learned</th><th>random (mean ± sd)</th><th>p (two-sided)</th></tr>${rows.join('')}</table>`;
}

function psychometricTable(list: NonNullable<AnalysisFile['psychometric']>): string {
  const rows = list.map((c) =>
    c.fit
      ? `<tr><td>${c.name}</td><td>${round(c.fit.bias)}</td><td>${round(c.fit.slope)}</td><td>${round(c.fit.threshold)}${c.fit.undetermined ? ' (the levels cannot tell: too steep or too flat for them)' : ''}</td></tr>`
      : `<tr><td>${c.name}</td><td colspan="3">every level gave the same choice: no logistic</td></tr>`,
  );
  return `<h3>Psychometric fits</h3>
<table><tr><th>curve</th><th>bias μ</th><th>slope at μ</th><th>threshold (75 %)</th></tr>${rows.join('')}</table>`;
}

function fixedPointTable(list: NonNullable<AnalysisFile['fixedPoints']>): string {
  const rows = list.flatMap((f) =>
    f.points.length === 0
      ? [`<tr><td>${f.input}</td><td colspan="5">none found from these seeds</td></tr>`]
      : f.points.map((p) => {
          const largest = p.eigenvalues.length
            ? round(Math.max(...p.eigenvalues.map((e) => Math.hypot(e.re, e.im))))
            : '';
          const output = p.output.map(round).join(', ');
          return `<tr><td>${f.input}</td><td>${p.kind}${p.stable ? ', stable' : ', unstable'}</td><td>${p.count}</td><td>${String(+p.q.toPrecision(2))}</td><td>${largest}</td><td>${output}</td></tr>`;
        }),
  );
  return `<h3>Fixed and slow points (q = ½‖F(x) − x‖²; stable when every |λ| of the Jacobian is below 1)</h3>
<table><tr><th>input</th><th>kind</th><th>seeds</th><th>q</th><th>largest |λ|</th><th>readout</th></tr>${rows.join('')}</table>`;
}
