/**
 * `baton demo`: the season-planning story end to end on the embedded store. Generates synthetic
 * data when the database has none, extracts the season from a sentence, runs the whole season with
 * simulated weekly actuals (approving the buy and any markdown itself, and saying so), and prints
 * what happened and the plan's figures.
 */
import { Engine, type RunStatus } from '../engine/index.js';
import { extractParameters, llmSettingsFromEnv, PARAMETER_FIELDS } from '../llm/index.js';
import type { BatonStore, EventRecord, RunStore } from '../store/index.js';
import { seasonData } from '../workflows/season-planning/data/index.js';
import type { DemandOutput } from '../workflows/season-planning/agents/demand.js';
import { DEFAULT_SYNTHETIC, DEMO_SHIFT, loadSyntheticData } from '../workflows/season-planning/data/load-synthetic.js';
import { addDays } from '../workflows/season-planning/data/weeks.js';
import { SEASON_PLANNING, seasonPlanning } from '../workflows/season-planning/workflow.js';

export const DEMO_SENTENCE =
  'Plan a 12-week spring season starting next Monday with weekly replenishment, hold back 15% at the DC, and check markdowns at week 8 if sell-through is below 60%.';

/**
 * The demo's history ends with the last week of 2025 whatever the date, so "starting next Monday"
 * is 5 January 2026 and every run of the demo tells the same story.
 */
export const DEMO_LAST_WEEK = '2025-12-29';

type Print = (line: string) => void;

const units = (n: unknown): string => (typeof n === 'number' ? Math.round(n).toLocaleString('en-US') : String(n));

/** Keeps the data a previous demo (or an import) left, so every run of the demo tells the same story. */
async function ensureData(store: BatonStore, print: Print): Promise<string> {
  const summary = await seasonData(store).salesSummary();
  if (summary.rows > 0 && summary.lastWeek) {
    print(
      `data: ${summary.stores} stores × ${summary.categories} categories, ${summary.weeks} weeks of history to ${summary.lastWeek} (already in the database)`,
    );
    return summary.lastWeek;
  }
  const lastWeek = DEMO_LAST_WEEK;
  const started = performance.now();
  const load = await loadSyntheticData(store, { ...DEFAULT_SYNTHETIC, lastWeek, inSeasonShift: DEMO_SHIFT });
  print(
    `data: generated ${load.stores.rows} stores × ${load.categories.rows} categories, ${DEFAULT_SYNTHETIC.weeks} weeks of history to ${lastWeek} ` +
      `(seed ${DEFAULT_SYNTHETIC.seed}; in-season demand for ${load.data.categories[0]?.name ?? 'the first category'} runs ${Math.round((DEMO_SHIFT.factor - 1) * 100)}% above its pattern from week ${DEMO_SHIFT.fromWeek}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return lastWeek;
}

function narrate(event: EventRecord, print: Print): void {
  const p = event.payload;
  const result = p.result as { explanation?: string } | undefined;
  switch (event.type) {
    case 'complete':
      if (p.agent_name === 'season_clock' || p.agent_name === 'actuals_simulator') return;
      if (result?.explanation) print(`  [${String(p.phase)}] ${result.explanation}`);
      return;
    case 'variance_alert':
      print(`  ! variance alert in week ${String(p.week)}: ${JSON.stringify(p.categories)}`);
      return;
    case 'phase_skipped':
      if (p.phase === 'week_actuals') return;
      print(`  [${String(p.phase)}] skipped: ${String(p.reason)}`);
      return;
    case 'error':
      print(`  error ${String(p.error_type)}: ${String(p.error_message)}`);
      return;
    default:
  }
}

export async function runSeasonDemo(store: BatonStore, print: Print): Promise<RunStatus> {
  print(`store: ${store.durability}`);
  const lastWeek = await ensureData(store, print);
  const referenceDate = addDays(lastWeek, 1);
  const parameters = await extractParameters(DEMO_SENTENCE, { referenceDate, mode: 'rules', llm: null });
  print(`\nplanner: "${DEMO_SENTENCE}" (as of ${referenceDate})`);
  print(
    `parameters: ${parameters.forecast_horizon_weeks} weeks ${parameters.season_start_date} → ${parameters.season_end_date}, ` +
      `${parameters.replenishment_strategy} replenishment, DC holdback ${parameters.dc_holdback_percentage * 100}%, ` +
      `markdown check week ${parameters.markdown_checkpoint_week} below ${(parameters.markdown_threshold ?? 0) * 100}% sell-through (confidence ${parameters.confidence_score})`,
  );
  // Extraction stays offline (rules) so the demo runs anywhere; a configured model words the explanations.
  const { workflow, agents } = seasonPlanning(store, { llm: llmSettingsFromEnv() ?? null });
  const engine = new Engine({ store, agents, workflows: [workflow] });
  await engine.start();
  try {
    const seasonParameters = Object.fromEntries(PARAMETER_FIELDS.map((field) => [field, parameters[field]]));
    const run = await engine.startRun(SEASON_PLANNING, { ...seasonParameters, actuals: 'simulated' }, { sessionId: 'demo' });
    print(`\nrun ${run.id} started (session "demo")`);
    const subscription = await engine.follow(run.id, 0, (event) => narrate(event, print));
    let status = await engine.settled(run.id);
    while (status.state === 'waiting' && status.waitingFor) {
      const waiting = status.waitingFor;
      const what =
        waiting.phase === 'manufacturing_approval'
          ? `the buy of ${units((waiting.data as { manufacturing_quantity?: number }).manufacturing_quantity)} units`
          : `the markdown`;
      print(`  [${waiting.phase}] the demo approves ${what} itself (a planner would: POST /api/runs/${run.id}/approvals/${waiting.id})`);
      await engine.resolveWait(run.id, waiting.id, { action: 'accept', comment: 'approved by the demo' });
      status = await engine.settled(run.id);
    }
    subscription.unsubscribe();
    await printSummary(engine, store, status, print);
    return status;
  } finally {
    await engine.close();
  }
}

async function printSummary(engine: Engine, store: RunStore, status: RunStatus, print: Print): Promise<void> {
  const steps = await store.listSteps(status.id);
  const output = (phase: string) => steps.filter((s) => s.phase === phase).at(-1)?.output as Record<string, unknown> | undefined;
  const demand = output('demand') as DemandOutput | undefined;
  const allocation = output('allocation');
  const close = output('season_close');
  print(`\nrun ${status.state} (${status.percent}%)`);
  if (demand) {
    print(
      `forecast: ${units(demand.season_total)} units over ${demand.weeks_planned} weeks (${demand.by_category.map((c) => `${c.name ?? c.category_id} ${units(c.total)}`).join(', ')})`,
    );
    print(`buy: ${units(demand.manufacturing_quantity)} units (safety stock ${units(demand.safety_stock)})`);
  }
  if (allocation) {
    const clusters = allocation.clusters as { label: string; stores: number; units: number }[];
    print(`clusters: ${clusters.map((c) => `${c.label} (${c.stores} stores)`).join('; ')}`);
    print(`allocation: ${units(allocation.store_units)} units to ${String(allocation.stores)} stores, ${units(allocation.dc_units)} held at the DC`);
  }
  if (close) {
    print(`variance alerts: ${String(close.variance_alerts)}, re-forecasts: ${String(close.reforecasts)}`);
    print(`replenishment: ${units(close.replenished_units)} units in ${String(close.replenishments)} moves`);
    print(`markdown: ${(close.markdown as number) > 0 ? `${(close.markdown as number) * 100}%` : 'none'}`);
    print(`sold ${units(close.units_sold)} units (${((close.sell_through as number) * 100).toFixed(1)}% sell-through), revenue ${units(close.revenue)}`);
  }
  const events = await engine.readEvents(status.id);
  print(
    `\n${events.length} events in the run's log. Watch runs live: npx baton serve, then http://127.0.0.1:8000/docs (GET /api/runs/${status.id}, WS /ws/runs/${status.id}?since=0)`,
  );
}
