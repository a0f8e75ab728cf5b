// Explanations worded by a language model when one is configured (a local chat-completions server), from the numbers otherwise.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine/index.js';
import { openStore, type BatonStore } from '../../../src/store/index.js';
import { startChatCompletionsServer, type ChatCompletionsServer } from '../../llm/support/chat-completions-server.js';
import { completeOf, driveToEnd, loadSmallChain, season, SEASON_PLANNING, seasonEngine } from './support.js';
import { seasonTables } from '../../../src/workflows/season-planning/data/index.js';

let model: ChatCompletionsServer;
let store: BatonStore;
let engine: Engine;
let dir: string;
beforeEach(async () => {
  model = await startChatCompletionsServer();
  dir = mkdtempSync(join(tmpdir(), 'baton-narration-'));
  store = await openStore({ sqlitePath: join(dir, 'b.db'), origin: 'narration', modules: [seasonTables] });
  await loadSmallChain(store);
});
afterEach(async () => {
  await engine.close();
  await store.close();
  await model.close();
  rmSync(dir, { recursive: true, force: true });
});

const llm = () => ({ provider: 'openai' as const, apiKey: 'test', baseURL: `${model.url}/v1`, model: 'stub' });

it('has the model word each decision from the numbers it is given', async () => {
  model.answer((request) => ({ content: `Worded for ${(JSON.parse(request.body.messages?.[1]?.content ?? '{}') as { decision: string }).decision}.` }));
  engine = seasonEngine(store, [], { llm: llm() });
  await engine.start();
  const run = await engine.startRun(SEASON_PLANNING, season(4));
  expect((await driveToEnd(engine, run.id)).state).toBe('completed');
  const events = await engine.readEvents(run.id);
  expect(completeOf(events, 'demand')[0]).toMatchObject({ explanation: 'Worded for demand forecast and manufacturing quantity.', explained_by: 'llm' });
  expect(completeOf(events, 'allocation')[0]).toMatchObject({ explanation: 'Worded for store clusters and allocation.', explained_by: 'llm' });
  const asked = JSON.parse(model.requests[0]!.body.messages![1]!.content) as { facts: Record<string, unknown>; draft: string };
  expect(asked.facts.manufacturing_quantity).toBe(completeOf(events, 'demand')[0]!.manufacturing_quantity);
  expect(asked.draft).toMatch(/^Forecast 16 store × category series/);
  expect(model.requests[0]!.body.messages![0]!.content).toMatch(/never invent or change a number/);
});

it('keeps the explanation written from the numbers when the model fails, and the run goes on', async () => {
  model.answer({ status: 500, error: 'down' });
  engine = seasonEngine(store, [], { llm: llm() });
  await engine.start();
  const run = await engine.startRun(SEASON_PLANNING, season(4));
  expect((await driveToEnd(engine, run.id)).state).toBe('completed');
  const [demand] = completeOf(await engine.readEvents(run.id), 'demand');
  expect(demand).toMatchObject({ explained_by: 'numbers' });
  expect(demand!.explanation).toMatch(/^Forecast 16 store × category series/);
  expect(model.requests.length).toBeGreaterThan(0);
});
