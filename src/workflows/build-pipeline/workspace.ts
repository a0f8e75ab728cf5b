/**
 * Where a build's files live on this machine: one directory per build (its working repository and its protected
 * origin) under the build root, and the local deploy target's state beside them. The root is `BATON_BUILD_DIR`
 * (default `./data/builds`, next to the default SQLite file).
 */
import { resolve, join } from 'node:path';

export const DEFAULT_BUILD_DIR = './data/builds';

export interface BuildWorkspace {
  root: string;
  /** The working repository the stages commit in. */
  repoDir(buildId: string): string;
  /** The bare origin with branch protection (what is merged and deployed from). */
  originDir(buildId: string): string;
  /** The local target's recorded state, releases and app databases. */
  targetDir: string;
}

/** The workspace under `root` (made absolute: git and child processes run in other directories). */
export function buildWorkspace(root: string = process.env.BATON_BUILD_DIR ?? DEFAULT_BUILD_DIR): BuildWorkspace {
  const absolute = resolve(root);
  const safe = (buildId: string) => buildId.replace(/[^A-Za-z0-9_.-]/g, '_');
  return {
    root: absolute,
    repoDir: (buildId) => join(absolute, safe(buildId), 'repo'),
    originDir: (buildId) => join(absolute, safe(buildId), 'origin.git'),
    targetDir: join(absolute, 'targets', 'local'),
  };
}
