/** Builds the dashboard from web/ into a temporary folder, so the browser tests run the code as it is now (not a stale web/dist). */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const VITE = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');

export interface DashboardBuild {
  dir: string;
  remove(): void;
}

export async function buildDashboard(): Promise<DashboardBuild> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-web-'));
  await promisify(execFile)(process.execPath, [VITE, 'build', join(ROOT, 'web'), '--outDir', dir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
