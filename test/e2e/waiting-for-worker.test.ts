// The dashboard in a real browser on a node with one slot (BATON_MAX_RUNS=1): a run started while another holds the
// slot says it waits for a worker, and stops saying so once a worker drives it.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent, defineWorkflow } from '../../src/engine/index.js';
import { CHROMIUM } from './support/chromium.js';
import { eventually } from './support/eventually.js';
import type { DashboardServer } from './support/dashboard-server.js';
import { openDashboard, type DashboardSession } from './support/dashboard-session.js';

/** An agent that works until the test lets it finish: it holds its run's slot as long as the test wants. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}
const held = gate();
const slowAgent = defineAgent({
  name: 'held_open',
  input: z.unknown(),
  output: z.object({ done: z.boolean() }),
  run: async () => {
    await held.opened;
    return { done: true };
  },
});
const slowWorkflow = defineWorkflow({
  name: 'held-open',
  parameters: z.object({}),
  phases: [{ name: 'work', agent: 'held_open', input: () => ({}) }],
});

describe.skipIf(!CHROMIUM)('dashboard: a run waiting for a worker with a free slot', () => {
  let dashboard: DashboardSession | undefined;
  let server: DashboardServer;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    dashboard = await openDashboard({ maxConcurrentRuns: 1, extra: { agents: [slowAgent], workflows: [slowWorkflow] } });
    ({ server, page, pageErrors } = dashboard);
  }, 60_000);
  afterAll(async () => {
    held.open();
    await dashboard?.close();
  }, 60_000);

  const start = async (session: string): Promise<string> => {
    const started = await fetch(`${server.url}/api/orchestrator/run-workflow`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session_id: session, workflow: 'held-open', parameters: {} }),
    });
    expect(started.status).toBe(202);
    return ((await started.json()) as { run_id: string }).run_id;
  };

  it('says the run waits for a worker while every slot is taken, and runs it when one frees', async () => {
    const holder = await start('holder');
    await eventually(async () => (await server.engine.status(holder)).drivenBy).toBe(server.engine.nodeId);
    const waiting = await start('waiting');
    expect((await server.engine.status(waiting)).drivenBy).toBeNull();

    await page.goto(`${server.url}/runs/${waiting}`);
    const notice = page.getByTestId('waiting-for-worker');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('Waiting for a worker');
    expect(await page.getByTestId('run-state').textContent()).toBe('running');
    // The run that holds the slot is driven: its page says nothing of the kind.
    await page.goto(`${server.url}/runs/${holder}`);
    await eventually(() => page.getByTestId('run-state').textContent()).toBe('running');
    expect(await page.getByTestId('waiting-for-worker').count()).toBe(0);

    await page.goto(`${server.url}/runs/${waiting}`);
    await notice.waitFor();
    held.open();
    await eventually(() => page.getByTestId('run-state').textContent(), 15_000).toBe('completed');
    expect(await page.getByTestId('waiting-for-worker').count()).toBe(0);
    expect((await server.engine.status(waiting)).state).toBe('completed');
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
