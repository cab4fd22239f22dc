// Takes docs/playground.png: the playground after a finished run, at a laptop's screen size.
// Usage (after `npm run build`): node examples/playground/screenshot.mjs
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';

const server = await serve(0, { isolated: true });
const url = `http://127.0.0.1:${server.address().port}/examples/playground/`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  // The page's defaults: 300 neurons, K = 30, sampled growth rewiring every 25 steps, 5 epochs.
  await page.goto(url);
  await page.getByTestId('train').click();
  await page.waitForFunction(
    () => /done$/.test(document.querySelector('#status').textContent),
    null,
    {
      timeout: 120_000,
    },
  );
  await page.evaluate(() => window.scrollTo(0, 0)); // clicking Train scrolled to the button
  await page.screenshot({ path: new URL('../../docs/playground.png', import.meta.url).pathname });
  console.log(await page.getByTestId('status').textContent());
} finally {
  await browser.close();
  server.close();
}
