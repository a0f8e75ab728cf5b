/** Screenshots of each page at the two sizes the dashboard must serve, under test-results/ (gitignored) for a person to look at. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

const DIR = fileURLToPath(new URL('../../../test-results/e2e/', import.meta.url));

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(DIR, { recursive: true });
  const size = page.viewportSize();
  const path = join(DIR, `${name}-${size?.width ?? 0}x${size?.height ?? 0}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
