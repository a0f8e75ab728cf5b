/**
 * Season planning, as the business runs it: forecast demand, a person approves the buy, allocate
 * it to stores (the DC keeps a share), then week by week: actuals arrive, variance is checked (and
 * the rest of the season re-forecast when it is off), stores are replenished, and at the markdown
 * checkpoint pricing recommends a markdown for a person to approve. Then the season is summarised.
 */
import type { z } from 'zod';
import { defineWorkflow, type WorkflowContext } from '../../engine/index.js';
import { InvalidParametersError } from '../../errors/index.js';
import { actualsSimulator } from './agents/actuals.js';
import { demandAgent } from './agents/demand.js';
import { inventoryAgent } from './agents/inventory.js';
import { monitorAgent } from './agents/monitor.js';
import { pricingAgent } from './agents/pricing.js';
import { replenishmentAgent } from './agents/replenishment.js';
import { seasonClock } from './agents/season-clock.js';
import { seasonClose } from './agents/season-close.js';
import type { LlmSettings } from '../../llm/index.js';
import type { DatabaseHost } from '../../store/index.js';
import { seasonData } from './data/index.js';
import { ContextAssembler } from './context.js';
import { narrated, narratorFor } from './narrator.js';
import { deadlineMsOf, PlanParameters, strandedStock } from './parameters.js';
import { currentWeek } from './season.js';
import { seasonRollback } from './rollback.js';
import { DEFAULT_APPROVERS, withApprovers, type SeasonApprovers } from './approvers.js';
import { phaseOutput, phaseResult } from './checked.js';
import { BuyModification, buyModificationAgainst, MarkdownModification, PostedWeek } from './contracts.js';

export const SEASON_PLANNING = 'season-planning';
/** The one intake that resolves a week's actuals wait (the actuals route's checks cannot be bypassed). */
export const ACTUALS_INTAKE = 'season-actuals';

type Context = WorkflowContext<PlanParameters>;

/** Whether this week's actuals were posted without every series (the intake marked them partial). */
function postedPartial(context: Context): boolean {
  const posted = phaseResult(context, 'week_actuals')?.data;
  return posted?.week === currentWeek(context) && posted.partial === true;
}

/** What a planner may change when modifying the buy or the markdown: closed, so a misspelled field is refused, not dropped. */
export const buyModification = BuyModification;
export const markdownModification = MarkdownModification;

const demandOf = (context: Context) => phaseResult(context, 'demand');
/** The parameters in force: the run's, with what a planner changed at the buy approval (the Demand output records them). */
const effective = (context: Context): PlanParameters => demandOf(context)?.parameters ?? context.parameters;
const modified = <T>(context: Context, phase: 'manufacturing_approval' | 'markdown_approval', schema: z.ZodType<T>): T | undefined => {
  const resolution = phaseResult(context, phase);
  if (resolution?.action !== 'modify') return undefined;
  const parsed = schema.safeParse(resolution.data);
  return parsed.success ? parsed.data : undefined;
};
const revisionOf = (context: Context) => (context.visits.demand ?? 0) + (context.visits.reforecast ?? 0) + 1;

/**
 * The markdown in force: one a person accepted at the checkpoint. The pricing phase runs every
 * week, so after the checkpoint its output carries the accepted markdown forward (`in_force`).
 */
function activeMarkdown(context: Context): { rate: number; fromWeek: number } | null {
  const pricing = phaseResult(context, 'markdown_check');
  if (!pricing) return null;
  if (!pricing.due) return pricing.in_force ?? null;
  const approval = phaseResult(context, 'markdown_approval');
  if (approval?.action !== 'accept' || pricing.markdown <= 0) return pricing.in_force ?? null;
  return { rate: pricing.markdown, fromWeek: pricing.week };
}

export const seasonPlanningWorkflow = defineWorkflow({
  name: SEASON_PLANNING,
  description: 'demand → buy approval → allocation → weekly: actuals, variance (re-forecast), replenishment, markdown (approval) → summary',
  parameters: PlanParameters,
  phases: [
    {
      name: 'demand',
      description: 'Forecast every store × category series; propose the manufacturing quantity.',
      agent: 'demand',
      input: (context) => {
        const modification = modified(context, 'manufacturing_approval', buyModification);
        return {
          runId: context.runId,
          parameters: { ...effective(context), ...modification?.parameters },
          fromWeek: 1,
          revision: revisionOf(context),
          plannerQuantity: modification?.manufacturing_quantity,
        };
      },
    },
    {
      name: 'manufacturing_approval',
      description: 'A person approves the manufacturing quantity (modify sets another; reject ends the run).',
      wait: {
        kind: 'approval',
        // Checked against the proposal shown: a buy of 1,000 against a forecast in the billions is a slip to ask about.
        schema: buyModificationAgainst,
        data: (context) => {
          const demand = demandOf(context);
          return {
            manufacturing_quantity: demand?.manufacturing_quantity,
            quantity: demand?.quantity,
            season_total: demand?.season_total,
            safety_stock: demand?.safety_stock,
            safety_reason: demand?.safety_reason,
            by_category: demand?.by_category,
            explanation: demand?.explanation,
          };
        },
        deadlineMs: (parameters) => deadlineMsOf(parameters.buy_approval_deadline_hours),
        // Nothing is bought on nobody's word: an unanswered buy ends the run `expired` (roll back to demand to ask again).
        onDeadline: 'expire',
      },
      onModify: 'demand',
      // A modified holdback is checked against the run's replenishment here, so it is refused to the planner (422) instead of failing the Demand agent's input.
      decide: (context, resolution) => {
        if (resolution.action !== 'modify') return undefined;
        const overrides = buyModification.safeParse(resolution.data).data?.parameters;
        const stranded = strandedStock({ ...effective(context), ...overrides });
        if (stranded)
          throw new InvalidParametersError('the modified buy would strand stock at the DC', [
            { path: 'data.parameters.dc_holdback_percentage', message: stranded },
          ]);
        return undefined;
      },
    },
    {
      name: 'allocation',
      description: 'Cluster stores; allocate the approved quantity to stores and the DC.',
      agent: 'inventory',
      input: (context) => ({
        runId: context.runId,
        parameters: effective(context),
        approvedQuantity: demandOf(context)?.manufacturing_quantity,
        revision: context.visit,
      }),
    },
    {
      name: 'simulate_actuals',
      description: "Simulate the week's sales (runs with simulated actuals).",
      agent: 'actuals_simulator',
      skip: (parameters) => (parameters.actuals === 'manual' ? 'actuals are posted to the run each week' : undefined),
      input: (context) => ({ runId: context.runId, parameters: effective(context), week: currentWeek(context), markdown: activeMarkdown(context)?.rate ?? 0 }),
    },
    {
      name: 'week_actuals',
      description: "Wait for the week's actual sales (POST /api/runs/{id}/actuals).",
      skip: (parameters) => (parameters.actuals === 'simulated' ? 'actuals are simulated' : undefined),
      wait: {
        kind: 'actuals',
        schema: PostedWeek,
        data: (context) => ({ week: currentWeek(context) }),
        intake: { name: ACTUALS_INTAKE, route: 'POST /api/runs/{run_id}/actuals' },
      },
    },
    {
      name: 'monitor',
      description: 'Actuals against forecast; above the threshold, alert and re-forecast.',
      agent: 'monitor',
      input: (context) => ({
        runId: context.runId,
        parameters: effective(context),
        week: currentWeek(context),
        markdown: activeMarkdown(context)?.rate ?? 0,
        partial: postedPartial(context),
        // Categories last week's monitor found off plan for a first week: a second such week alerts.
        watching: phaseResult(context, 'monitor')?.week === currentWeek(context) - 1 ? (phaseResult(context, 'monitor')?.watch ?? []) : [],
      }),
      transitions: ['replenishment'],
      next: (context, output) =>
        phaseOutput('monitor', output, context.runId).reforecast ? undefined : { goto: 'replenishment', reason: 'variance within the threshold' },
    },
    {
      name: 'reforecast',
      description: 'Re-forecast the remaining weeks from history plus actuals.',
      agent: 'demand',
      input: (context) => ({
        runId: context.runId,
        parameters: effective(context),
        fromWeek: currentWeek(context) + 1,
        revision: revisionOf(context),
        // Only the categories that alerted, or every one when the chain did (null).
        categories: phaseResult(context, 'monitor')?.replan_categories ?? undefined,
        // Marked-down weeks sold more than full-price demand: the re-forecast learns them without the lift.
        markdown: activeMarkdown(context),
      }),
    },
    {
      name: 'replenishment',
      description: 'Move units from the DC to stores by sell-through against plan.',
      agent: 'replenishment',
      skip: (parameters) => (parameters.replenishment_strategy === 'none' ? 'replenishment strategy is none: stores keep what they were allocated' : undefined),
      input: (context) => ({ runId: context.runId, parameters: effective(context), week: currentWeek(context), markdown: activeMarkdown(context) }),
    },
    {
      name: 'markdown_check',
      description: 'At the checkpoint: sell-through against the threshold; recommend a markdown.',
      agent: 'pricing',
      skip: (parameters) => (parameters.markdown_checkpoint_week === null ? 'no markdown checkpoint in this season' : undefined),
      input: (context) => ({
        runId: context.runId,
        parameters: effective(context),
        week: currentWeek(context),
        plannerMarkdown: modified(context, 'markdown_approval', markdownModification)?.markdown,
        revision: context.visit,
        inForce: activeMarkdown(context),
      }),
      transitions: ['week_end'],
      next: (context, output) => {
        const pricing = phaseOutput('markdown_check', output, context.runId);
        if (!pricing.due) return { goto: 'week_end', reason: 'not the markdown checkpoint' };
        return pricing.markdown > 0 ? undefined : { goto: 'week_end', reason: 'no markdown needed' };
      },
    },
    {
      name: 'markdown_approval',
      description: 'A person approves the markdown (modify sets another depth; reject keeps full price).',
      skip: (parameters) => (parameters.markdown_checkpoint_week === null ? 'no markdown checkpoint in this season' : undefined),
      wait: {
        kind: 'approval',
        schema: markdownModification,
        data: (context) => context.results.markdown_check,
        deadlineMs: (parameters) => deadlineMsOf(parameters.markdown_approval_deadline_hours),
        // An unanswered markdown is no markdown: the season goes on at full price.
        onDeadline: 'reject',
      },
      onModify: 'markdown_check',
      transitions: ['week_end'],
      decide: (_context, resolution) => {
        if (resolution.action !== 'reject') return undefined;
        return {
          goto: 'week_end',
          reason: resolution.expired ? 'markdown approval deadline passed unanswered: no markdown, prices stay' : 'markdown rejected: prices stay',
        };
      },
    },
    {
      name: 'week_end',
      description: 'Close the week; loop while weeks are left.',
      agent: 'season_clock',
      input: (context) => ({ week: currentWeek(context), horizon: context.parameters.forecast_horizon_weeks }),
      transitions: ['simulate_actuals'],
      next: (context) =>
        currentWeek(context) < context.parameters.forecast_horizon_weeks ? { goto: 'simulate_actuals', reason: 'next season week' } : undefined,
    },
    {
      name: 'season_close',
      description: 'Summarise the season.',
      agent: 'season_close',
      input: (context) => {
        const reforecasts = context.visits.reforecast ?? 0;
        const monitor = phaseResult(context, 'monitor');
        const lastAlert = monitor?.alert === true && !monitor.reforecast;
        return {
          runId: context.runId,
          parameters: effective(context),
          markdown: activeMarkdown(context),
          reforecasts,
          varianceAlerts: reforecasts + (lastAlert ? 1 : 0),
        };
      },
    },
  ],
});

export interface SeasonPlanningOptions {
  /** A language model to word the decisions' explanations; none (the default): written from the numbers. */
  llm?: LlmSettings | null;
  /** The roles the buy and the markdown approvals need (default: `buyer` for each). */
  approvers?: SeasonApprovers;
}

/** The workflow with its agents, bound to a database (the agents read the retail tables and write plans through `SeasonData`, nothing else). */
export function seasonPlanning(host: DatabaseHost, options: SeasonPlanningOptions = {}) {
  const data = seasonData(host);
  const assembler = new ContextAssembler(data);
  const narrator = narratorFor(options.llm);
  return {
    workflow: {
      ...withApprovers(seasonPlanningWorkflow, options.approvers ?? DEFAULT_APPROVERS),
      rollback: seasonRollback(host),
      admit: (parameters: PlanParameters) => assembler.admit(parameters),
    },
    agents: [
      narrated(demandAgent(data, assembler), narrator, 'demand forecast and manufacturing quantity'),
      narrated(inventoryAgent(data, assembler), narrator, 'store clusters and allocation'),
      actualsSimulator(data),
      narrated(monitorAgent(data), narrator, 'weekly variance check'),
      narrated(replenishmentAgent(data), narrator, 'replenishment from the DC'),
      narrated(pricingAgent(data, assembler), narrator, 'markdown recommendation'),
      seasonClock,
      narrated(seasonClose(data), narrator, 'season summary'),
    ],
    assembler,
  };
}
