// The machine-wide mypy cache the gates share is this user's alone: made 0700, closed if mypy opened it, and never a
// link or a folder someone else owns (those are refused and mypy caches per checkout).
import { chownSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { mypyCacheDir } from '../../../../src/workflows/build-pipeline/app/toolchain.js';

const root = mkdtempSync(join(tmpdir(), 'baton-mypy-cache-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const at = (name: string) => ({ BATON_MYPY_CACHE_DIR: join(root, name) });

it('makes the folder 0700 for this user, and closes one mypy made 0755', () => {
  expect(mypyCacheDir(at('fresh'))).toBe(join(root, 'fresh'));
  expect(statSync(join(root, 'fresh')).mode & 0o777).toBe(0o700);
  mkdirSync(join(root, 'open'), { mode: 0o755 });
  expect(mypyCacheDir(at('open'))).toBe(join(root, 'open'));
  expect(statSync(join(root, 'open')).mode & 0o777).toBe(0o700);
});

it('refuses a link, a file, or a folder another account owns', () => {
  mkdirSync(join(root, 'elsewhere'));
  symlinkSync(join(root, 'elsewhere'), join(root, 'link'));
  expect(mypyCacheDir(at('link'))).toBeUndefined();
  writeFileSync(join(root, 'file'), '');
  expect(mypyCacheDir(at('file'))).toBeUndefined();
  // Only root can give a folder to another account; elsewhere the case above stands for it.
  if (process.getuid?.() === 0) {
    mkdirSync(join(root, 'theirs'), { mode: 0o700 });
    chownSync(join(root, 'theirs'), 65534, 65534);
    expect(mypyCacheDir(at('theirs'))).toBeUndefined();
  }
});
