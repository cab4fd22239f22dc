// Renders DIR/report.html in headless Chromium (Debian's package) and writes a PNG.
//   node scripts/screenshot-report.mjs DIR OUT.png
// The README's picture: sqrtk train --neurons 200 --k 20 --epochs 2 --growth gradient
//   --rewire-every 10 --out runs/report && sqrtk report runs/report && this script.
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [dir, out] = process.argv.slice(2);
if (!dir || !out) {
  console.error('usage: node scripts/screenshot-report.mjs DIR OUT.png');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: 1000, height: 1200 } });
await page.goto(`file://${resolve(dir, 'report.html')}`);
await page.screenshot({ path: out, fullPage: true });
await browser.close();
console.log(`wrote ${out}`);
