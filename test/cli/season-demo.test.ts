// The README's first command runs this: the whole season on a fresh embedded database, and again on the data it left.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runSeasonDemo } from '../../src/cli/season-demo.js';
import { openStore } from '../../src/store/index.js';
import { seasonTables } from '../../src/workflows/season-planning/data/index.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function demo(): Promise<{ state: string; lines: string[] }> {
  const store = await openStore({ sqlitePath: join(dir, 'baton.db'), origin: 'demo-test', modules: [seasonTables] });
  const lines: string[] = [];
  try {
    const status = await runSeasonDemo(store, (line) => lines.push(line));
    return { state: status.state, lines };
  } finally {
    await store.close();
  }
}

it('plans a whole season on generated data, approving and saying so, and prints the summary', { timeout: 120_000 }, async () => {
  const { state, lines } = await demo();
  expect(state).toBe('completed');
  const text = lines.join('\n');
  expect(text).toMatch(/data: generated 50 stores × 3 categories, 156 weeks of history to 2025-12-29/);
  expect(text).toMatch(/parameters: 12 weeks 2026-01-05 → 2026-03-30, weekly replenishment, DC holdback 15%, markdown check week 8 below 60% sell-through/);
  expect(text).toMatch(/the demo approves the buy of [\d,]+ units itself/);
  expect(text).toMatch(/! variance alert in week \d+/);
  expect(text).toMatch(/\[markdown_check\] Sell-through/);
  for (const heading of ['forecast:', 'buy:', 'clusters:', 'allocation:', 'variance alerts:', 'replenishment:', 'markdown:', 'sold ']) {
    expect(
      lines.some((line) => line.startsWith(heading)),
      heading,
    ).toBe(true);
  }
});

it('runs again on the data the first run left, telling the same story', { timeout: 120_000 }, async () => {
  const { state, lines } = await demo();
  expect(state).toBe('completed');
  expect(lines.join('\n')).toMatch(/data: 50 stores × 3 categories, 156 weeks of history to 2025-12-29 \(already in the database\)/);
});
