/**
 * The report's charts as files of their own: each chart is a standalone SVG document (see
 * svg.ts), so it is written as it stands, named after its title.
 */

export interface Figure {
  /** `NN-title-in-lower-case`, NN its place in the report (from 01). */
  name: string;
  svg: string;
  width: number;
  height: number;
}

/** Every chart of a report's HTML, in the report's order. */
export function figuresOf(html: string): Figure[] {
  const charts = html.match(/<svg class="chart"[\s\S]*?<\/svg>/g) ?? [];
  return charts.map((svg, k) => {
    const title = /font-weight="bold">([^<]*)<\/text>/.exec(svg)?.[1] ?? 'chart';
    const size = /width="(\d+)" height="(\d+)"/.exec(svg);
    // A parenthesis with a value in it ("(χ² p = 0.3)") is left out of the name.
    const slug = unescape(title)
      .replace(/\s*\([^)]*[=<>][^)]*\)/g, '')
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60);
    return {
      name: `${String(k + 1).padStart(2, '0')}-${slug || 'chart'}`,
      svg: `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`,
      width: Number(size?.[1] ?? 400),
      height: Number(size?.[2] ?? 300),
    };
  });
}

function unescape(s: string): string {
  return s.replace(
    /&(amp|lt|gt|quot);/g,
    (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"' })[e]!,
  );
}
