/**
 * What every browser suite stands on: the dashboard built from web/, a real server serving it,
 * headless Chromium and one desktop page that records the page's uncaught errors.
 */
import type { Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { buildDashboard } from './dashboard-build.js';
import { startDashboardServer, type DashboardServer } from './dashboard-server.js';
import { DESKTOP } from './screens.js';

export interface DashboardSession {
  server: DashboardServer;
  page: Page;
  /** Uncaught errors thrown in the page so far; a suite expects none. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openDashboard(options: { apiToken?: string } = {}): Promise<DashboardSession> {
  const [build, browser] = await Promise.all([buildDashboard(), launchChromium()]);
  const server = await startDashboardServer({ webRoot: build.dir, ...options });
  const page = await (await browser.newContext({ viewport: DESKTOP, reducedMotion: 'reduce' })).newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return {
    server,
    page,
    pageErrors,
    async close() {
      await browser.close();
      await server.close();
      build.remove();
    },
  };
}
