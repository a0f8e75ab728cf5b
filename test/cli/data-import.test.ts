// `baton data import` as a person runs it: a real process on a real SQLite file.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { seasonData } from '../../src/workflows/season-planning/data/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-data-import-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `baton data import` with `args`; resolves with its exit code and output (never rejects). */
async function dataImport(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: '' };
  return promisify(execFile)('node', ['bin/baton.js', 'data', 'import', '--db', join(dir, 'baton.db'), ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe('baton data import', () => {
  it('checks every path before importing any file: a missing sales file leaves the stores unimported', async () => {
    const stores = join(dir, 'stores.csv');
    writeFileSync(stores, 'Store,Type,Size\n1,A,150000\n2,B,90000\n');
    const missing = join(dir, 'train.csv');
    const failed = await dataImport('--stores', stores, '--sales', missing);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`error BAD_REQUEST: ${missing}: no such file`);
    expect(failed.stderr).not.toMatch(/Unhandled|at .*node:/);
    expect(existsSync(join(dir, 'baton.db'))).toBe(false);

    const done = await dataImport('--stores', stores);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('2 stores rows (2 new, 0 updated)');
    const store = await openStore({ sqlitePath: join(dir, 'baton.db'), origin: 'test' });
    try {
      expect((await seasonData(store).listStores()).map((s) => s.storeId)).toEqual(['1', '2']);
    } finally {
      await store.close();
    }
  });
});
