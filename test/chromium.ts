// Debian's Chromium for the browser tests, driven by playwright-core. In CI it must be there
// (.ci/run installs it); elsewhere the browser tests are skipped with a note saying why.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const available = existsSync(CHROMIUM);
if (!available && process.env.CI)
  throw new Error(`${CHROMIUM} is missing: install Debian's chromium package`);
if (!available)
  console.warn(`browser tests skipped: ${CHROMIUM} not found (apt-get install chromium)`);

/** Headless Chromium without a sandbox, a GPU or any request of its own to the network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
