/**
 * `sqrtk report DIR --figures [--png]`: every chart of DIR/report.html as DIR/figures/NAME.svg,
 * and with --png as NAME.png too, rendered at 2× by headless Chromium (`--screenshot`; the one
 * in SQRTK_CHROMIUM, else the first of chromium, chromium-browser, google-chrome on the PATH).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { optionError, SqrtkError } from '../errors.js';
import { figuresOf } from '../output/figures.js';
import { writeError, writeFileAtomic } from '../node/atomic.js';
import { removeFigures } from './run-dir.js';

const BROWSERS = ['chromium', 'chromium-browser', 'google-chrome'];

/** The Chromium to render PNGs with, or null. */
export function findChromium(): string | null {
  const given = process.env.SQRTK_CHROMIUM;
  if (given) return existsSync(given) ? given : null;
  for (const dir of (process.env.PATH ?? '').split(delimiter))
    for (const name of BROWSERS) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return null;
}

/** The Chromium for --png, or E_OPTION naming --png when there is none. */
export function requireChromium(): string {
  const chromium = findChromium();
  if (chromium === null)
    throw optionError(
      '--png',
      true,
      process.env.SQRTK_CHROMIUM
        ? `needs Chromium, and SQRTK_CHROMIUM (=${process.env.SQRTK_CHROMIUM}) does not exist`
        : `needs Chromium, and none of ${BROWSERS.join(', ')} is on the PATH`,
      'install Chromium (Debian: apt-get install chromium), set SQRTK_CHROMIUM to its path, or leave out --png (the SVG files need nothing)',
    );
  return chromium;
}

/** Writes the figures of `html` into DIR/figures (replacing earlier ones); returns the files. */
export function writeFigures(dir: string, html: string, png: boolean): string[] {
  const chromium = png ? requireChromium() : null;
  const out = join(dir, 'figures');
  try {
    // The figures of an earlier report go first: the folder then matches this report.
    removeFigures(dir);
    mkdirSync(out, { recursive: true });
  } catch (cause) {
    throw writeError(out, cause);
  }
  const files: string[] = [];
  for (const figure of figuresOf(html)) {
    const svg = join(out, `${figure.name}.svg`);
    writeFileAtomic(svg, figure.svg);
    files.push(svg);
    if (chromium) {
      const target = join(out, `${figure.name}.png`);
      renderPng(chromium, figure, target);
      files.push(target);
    }
  }
  return files;
}

/** One SVG to PNG at 2× through Chromium's headless screenshot, written atomically. */
function renderPng(
  chromium: string,
  figure: { name: string; svg: string; width: number; height: number },
  target: string,
): void {
  // Chromium writes the screenshot itself: into a temporary folder, then moved into place.
  const work = mkdtempSync(join(tmpdir(), 'sqrtk-figure-'));
  try {
    const page = join(work, 'figure.svg');
    writeFileSync(page, figure.svg);
    const shot = join(work, 'figure.png');
    const r = spawnSync(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--hide-scrollbars',
        '--force-device-scale-factor=2',
        `--window-size=${figure.width},${figure.height}`,
        `--screenshot=${shot}`,
        pathToFileURL(page).href,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (!existsSync(shot))
      throw new SqrtkError(
        'E_IO',
        `${chromium} did not render ${figure.name}.png (exit ${r.status ?? r.signal}: ${(r.stderr || String(r.error ?? '')).trim().split('\n').pop()}); the SVG files are written, use those or check the Chromium install`,
      );
    writeFileAtomic(target, readFileSync(shot));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
