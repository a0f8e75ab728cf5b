/**
 * What every browser suite stands on: the dashboard built from web/, a real server serving it,
 * headless Chromium and one desktop page that records the page's uncaught errors; more pages, each
 * in a browser context of its own (its own storage: another person at another browser), on demand.
 */
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { buildDashboard } from './dashboard-build.js';
import { startDashboardServer, type DashboardServer, type DashboardServerOptions } from './dashboard-server.js';
import { DESKTOP } from './screens.js';

export interface DashboardPage {
  page: Page;
  /** Uncaught errors thrown in the page so far; a suite expects none. */
  pageErrors: string[];
}

export interface DashboardSession extends DashboardPage {
  server: DashboardServer;
  /** A desktop page in a new browser context: nothing shared with the other pages (no token, no session). */
  openPage(): Promise<DashboardPage>;
  close(): Promise<void>;
}

async function newDashboardPage(browser: Browser): Promise<DashboardPage> {
  const page = await (await browser.newContext({ viewport: DESKTOP, reducedMotion: 'reduce' })).newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { page, pageErrors };
}

export async function openDashboard(options: DashboardServerOptions = {}): Promise<DashboardSession> {
  const [build, browser] = await Promise.all([buildDashboard(), launchChromium()]);
  const server = await startDashboardServer({ webRoot: build.dir, ...options });
  const { page, pageErrors } = await newDashboardPage(browser);
  return {
    server,
    page,
    pageErrors,
    openPage: () => newDashboardPage(browser),
    async close() {
      await browser.close();
      await server.close();
      build.remove();
    },
  };
}
