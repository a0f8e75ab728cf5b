/**
 * Headless Chromium from Debian's `chromium` package, driven by playwright-core (which downloads
 * no browser of its own). Absent → the browser suites skip with one line saying how to get it.
 */
import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

/** The flags the dashboard issue names: no sandbox (root in CI), no GPU, nothing phoning home. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function chromiumPath(): string | undefined {
  try {
    const path = execFileSync('which', ['chromium'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return path === '' ? undefined : path;
  } catch {
    return undefined;
  }
}

export const CHROMIUM = chromiumPath();
if (!CHROMIUM) console.log('Browser (e2e) suites skipped: no `chromium` on PATH (apt-get install chromium; .ci/run installs it).');

export function launchChromium(): Promise<Browser> {
  if (!CHROMIUM) throw new Error('chromium is not installed');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}
