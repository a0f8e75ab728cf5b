// The CLI's one list of workflow modules: every command opens the database with the same tables the tests migrate.
import { expect, it } from 'vitest';
import { WORKFLOW_MODULES } from '../../src/cli/modules.js';
import { storeModules } from '../../src/server/modules.js';
import { storeKinds, TEST_STORE_MODULES } from '../support/stores.js';

it('migrates for the tests the tables of every module the CLI registers, in the same order', () => {
  expect(storeModules(WORKFLOW_MODULES).map((m) => m.name)).toEqual(TEST_STORE_MODULES.map((m) => m.name));
});

it('names each workflow of the list once, with its dashboard view', async () => {
  const t = await storeKinds[0]!.create();
  try {
    const opened = WORKFLOW_MODULES.map((m) => m.open(t.store, { llm: null }));
    const names = opened.flatMap((m) => m.workflows.map((w) => w.name));
    expect(new Set(names).size).toBe(names.length);
    expect(
      opened
        .flatMap((m) => m.views ?? [])
        .map((v) => v.workflow)
        .sort(),
    ).toEqual([...names].sort());
  } finally {
    await t.dispose();
  }
});
