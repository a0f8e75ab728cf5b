/**
 * Reads an lcov coverage file (the line format node:test's lcov reporter and coverage.py's `lcov` both write) into
 * the gate's coverage figures, counting only the files the manifest names as the app's source. Small enough to
 * parse by hand: `SF:` opens a file's record, `DA:`/`LF`/`LH` give lines, `BRF`/`BRH` branches, `FNF`/`FNH`
 * functions, `end_of_record` closes it.
 */
import { isAbsolute, relative } from 'node:path';
import type { CoverageFigure, CoverageReport } from './contracts.js';

interface FileRecord {
  path: string;
  /** Line number → hits, from DA lines (a file listed twice merges here). */
  lines: Map<number, number>;
  lf: number;
  lh: number;
  brf: number;
  brh: number;
  fnf: number;
  fnh: number;
}

export const figure = (covered: number, total: number): CoverageFigure => ({
  covered,
  total,
  pct: total === 0 ? null : Math.round((covered / total) * 10_000) / 100,
});

const count = (value: string): number => {
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) && n >= 0 ? n : 0;
};

export function parseLcov(text: string): FileRecord[] {
  const files = new Map<string, FileRecord>();
  let current: FileRecord | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const colon = line.indexOf(':');
    const key = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1);
    if (key === 'SF') {
      current = files.get(value) ?? { path: value, lines: new Map(), lf: 0, lh: 0, brf: 0, brh: 0, fnf: 0, fnh: 0 };
      files.set(value, current);
    } else if (key === 'end_of_record') {
      current = undefined;
    } else if (current) {
      if (key === 'DA') {
        const [lineNo, hits] = value.split(',');
        const n = count(lineNo ?? '');
        current.lines.set(n, (current.lines.get(n) ?? 0) + count(hits ?? ''));
      } else if (key === 'LF') current.lf = Math.max(current.lf, count(value));
      else if (key === 'LH') current.lh = Math.max(current.lh, count(value));
      else if (key === 'BRF') current.brf = Math.max(current.brf, count(value));
      else if (key === 'BRH') current.brh = Math.max(current.brh, count(value));
      else if (key === 'FNF') current.fnf = Math.max(current.fnf, count(value));
      else if (key === 'FNH') current.fnh = Math.max(current.fnh, count(value));
    }
  }
  return [...files.values()];
}

/** The path relative to the checkout, with `/` separators: tools write it relative or absolute. */
export function checkoutPath(path: string, roots: readonly string[]): string {
  if (isAbsolute(path)) {
    for (const root of roots) {
      const rel = relative(root, path);
      if (!rel.startsWith('..') && !isAbsolute(rel)) return rel.split('\\').join('/');
    }
    return path;
  }
  return path.replace(/^\.\//, '').split('\\').join('/');
}

/**
 * The report over the files under one of `source` (prefixes relative to the checkout: a directory `dist/src/` or
 * a file `app/main.py`). `roots` are the checkout's path as given and as resolved, for absolute SF paths.
 */
export function coverageReport(text: string, source: readonly string[], roots: readonly string[]): CoverageReport {
  const counted = parseLcov(text)
    .map((file) => ({ ...file, path: checkoutPath(file.path, roots) }))
    .filter((file) => source.some((prefix) => file.path === prefix || file.path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`)))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const lineFigures = counted.map((file) => {
    // DA lines are the detail; LF/LH the tool's own totals when it wrote no detail.
    if (file.lines.size === 0) return figure(file.lh, file.lf);
    const hits = [...file.lines.values()];
    return figure(hits.filter((h) => h > 0).length, hits.length);
  });
  let [lc, lt, bc, bt, fc, ft] = [0, 0, 0, 0, 0, 0];
  counted.forEach((file, i) => {
    lc += lineFigures[i]?.covered ?? 0;
    lt += lineFigures[i]?.total ?? 0;
    bc += file.brh;
    bt += file.brf;
    fc += file.fnh;
    ft += file.fnf;
  });
  return {
    lines: figure(lc, lt),
    branches: figure(bc, bt),
    functions: figure(fc, ft),
    files: counted.map((file, i) => ({ path: file.path, lines: lineFigures[i] ?? figure(0, 0) })),
  };
}
