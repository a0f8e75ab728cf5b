/**
 * Season planning's contracts as zod schemas, declared once: the run's parameters, the plan bodies the
 * agents store (forecast, allocation, replenishment, markdown, summary), each phase's result, the
 * `variance_alert` event and the read endpoints' answers. Pure (zod and the parameter rules only), so
 * the agents, the reports and the dashboard check what they read against the same declarations.
 */
import { z } from 'zod';
import { SeasonParameterFields, SeasonParameters } from '../../llm/season-parameters.js';
import { WaitResolution } from '../../engine/contracts.js';

// ---------------------------------------------------------------------------------------------
// Parameters

const HOURS_PER_YEAR = 24 * 366;

export const PlanOptions = z.object({
  /** Weekly variance (|actual − forecast| ÷ forecast) above which the season is re-forecast. */
  variance_threshold: z.number().gt(0).max(5).default(0.2),
  /** Full price per unit, for revenue figures (currency units). */
  full_price: z.number().positive().default(50),
  /** Price elasticity of demand for markdowns (negative); default: the pricing library's. */
  price_elasticity: z.number().lt(0).optional(),
  /** `manual`: weekly actuals are posted to the run; `simulated`: the run simulates them (demo, tests). */
  actuals: z.enum(['manual', 'simulated']).default('manual'),
  /** Seed for simulated actuals' noise where the data has no hidden demand. */
  simulation_seed: z.number().int().default(1),
  /** Hours the buy approval stays open; when they pass unanswered the run ends `expired`. Unset: it waits. */
  buy_approval_deadline_hours: z.number().positive().max(HOURS_PER_YEAR).optional(),
  /** Hours the markdown approval stays open; when they pass unanswered the season goes on at full price. Unset: it waits. */
  markdown_approval_deadline_hours: z.number().positive().max(HOURS_PER_YEAR).optional(),
});

/**
 * What keeps the DC's share from being stranded: only replenishment moves stock from the DC to the
 * stores, so with `none` a holdback would sit at the DC while stores sell out. Returns the issue's message, or nothing.
 */
export function strandedStock(p: { replenishment_strategy?: unknown; dc_holdback_percentage?: unknown }): string | undefined {
  if (p.replenishment_strategy !== 'none' || typeof p.dc_holdback_percentage !== 'number' || p.dc_holdback_percentage <= 0) return undefined;
  return (
    `must be 0 with replenishment_strategy "none", not ${p.dc_holdback_percentage}: nothing moves the DC's share to a store, so it would be stranded ` +
    'while stores sell out; set dc_holdback_percentage to 0 (ship everything), or choose weekly or bi-weekly replenishment'
  );
}

/** Every name a season-planning run takes. */
export const PLAN_PARAMETER_NAMES: readonly string[] = [...Object.keys(SeasonParameterFields.shape), ...Object.keys(PlanOptions.shape)];
const planParameterNames = new Set(PLAN_PARAMETER_NAMES);

/** A misspelled name is refused, never dropped: "variance_treshold": 0.05 ran the season at the default 0.2. */
function refuseUnknownNames(input: unknown, ctx: z.RefinementCtx): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  for (const name of Object.keys(input)) {
    if (!planParameterNames.has(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `is not a season-planning parameter (they are: ${PLAN_PARAMETER_NAMES.join(', ')})` });
    }
  }
  return input;
}

const CheckedPlanParameters = z.intersection(SeasonParameters, PlanOptions).superRefine((p, ctx) => {
  const stranded = strandedStock(p);
  if (stranded) ctx.addIssue({ code: 'custom', path: ['dc_holdback_percentage'], message: stranded });
});

export const PlanParameters = z.preprocess(refuseUnknownNames, CheckedPlanParameters);
export type PlanParameters = z.output<typeof PlanParameters>;
export type PlanParametersInput = z.input<typeof CheckedPlanParameters>;

/** What a planner may change when modifying the buy, besides the quantity: the knobs no skip rule reads. */
export const PlanOverrides = z
  .object({
    dc_holdback_percentage: z.number().min(0).max(1),
    variance_threshold: PlanOptions.shape.variance_threshold.unwrap(),
    full_price: PlanOptions.shape.full_price.unwrap(),
    price_elasticity: z.number().lt(0),
  })
  .partial()
  .strict();
export type PlanOverrides = z.infer<typeof PlanOverrides>;

/** Who wrote an explanation: the agent from its numbers, or a language model from the same numbers. */
export const explainedBy = z.enum(['numbers', 'llm']).default('numbers');

/** What a quantity counts: units, or sales value (money at full price) when the history was imported so. */
export const Quantity = z.enum(['units', 'sales_value']);
export type Quantity = z.infer<typeof Quantity>;

// ---------------------------------------------------------------------------------------------
// Plan bodies (`plans` rows: run, kind, revision, body)

/** A weekly forecast with its 80% and 95% bands. */
export const Band = z.object({
  forecast: z.array(z.number()),
  lo80: z.array(z.number()),
  hi80: z.array(z.number()),
  lo95: z.array(z.number()),
  hi95: z.array(z.number()),
});
export type Band = z.infer<typeof Band>;

export const SeriesForecast = Band.extend({
  store_id: z.string(),
  category_id: z.string(),
  method: z.string(),
  /** The first plan's forecast of the weeks between the history and the season (absent without a gap). */
  lead: z.array(z.number()).optional(),
});
export type SeriesForecast = z.infer<typeof SeriesForecast>;

/** Where a total's spread came from: the back-tests of the same forecaster on that total's history. */
export const TotalUncertainty = z.object({
  /** Back-tests run (origins) and weeks scored; measured false: too few, the model's own spread stands. */
  backtests: z.number().int(),
  weeks_scored: z.number().int(),
  measured: z.boolean(),
  /** The back-tests' error per week (WAPE of the total), null without back-tests. */
  weekly_error: z.number().nullable(),
  /** Errors in units of the model's own spread (root mean square); the bands are the model's widened (or narrowed) by it. */
  scale: z.number(),
  /** Mean correlation between two weeks' errors: the part of a season's error that does not average out. */
  correlation: z.number(),
  season_lo80: z.number(),
  season_hi80: z.number(),
  season_lo95: z.number(),
  season_hi95: z.number(),
});
export type TotalUncertainty = z.infer<typeof TotalUncertainty>;

/** Plan kind `forecast`, one revision per forecast and re-forecast. */
export const ForecastPlan = z.object({
  revision: z.number().int(),
  from_week: z.number().int(),
  /** The start dates of the weeks forecast, from season week `from_week`. */
  weeks: z.array(z.string()),
  series: z.array(SeriesForecast),
  /** The categories this revision forecast afresh; absent: all (the others kept the previous revision's forecast). */
  replanned: z.array(z.string()).optional(),
  /** Weekly bands of the chain and of each category total, from their back-tests (absent in plans made before them). */
  totals: z
    .object({
      chain: Band,
      categories: z.record(z.string(), Band),
      /** Each category total's measured uncertainty (absent in plans made before re-forecasts could keep categories). */
      measured: z.record(z.string(), TotalUncertainty).optional(),
    })
    .optional(),
});
export type ForecastPlan = z.infer<typeof ForecastPlan>;

/** Plan kind `allocation`: units per store and at the DC, with each store's cluster. */
export const AllocationPlanBody = z.object({
  revision: z.number().int(),
  approved_quantity: z.number(),
  dc_units: z.number(),
  store_units: z.record(z.string(), z.number()),
  clusters: z.record(z.string(), z.number()),
});
export type AllocationPlanBody = z.infer<typeof AllocationPlanBody>;

/** Plan kind `replenishment`, one per week it ran (revision = week): what moved from the DC to each store. */
export const ReplenishmentPlanBody = z.object({
  week: z.number().int(),
  moves: z.array(z.object({ store_id: z.string(), units: z.number() })),
});
export type ReplenishmentPlanBody = z.infer<typeof ReplenishmentPlanBody>;

/** One markdown priced by the model (src/pricing). */
export const MarkdownOutcome = z.object({
  markdown: z.number(),
  price: z.number(),
  expectedDemand: z.number(),
  unitsSold: z.number(),
  unitsLeft: z.number(),
  salesRevenue: z.number(),
  salvageRevenue: z.number(),
  totalRevenue: z.number(),
});
export type MarkdownOutcome = z.infer<typeof MarkdownOutcome>;

export const MarkdownRecommendation = z.object({
  markdown: z.number(),
  considered: z.boolean(),
  reason: z.string(),
  elasticity: z.number(),
  elasticityAssumed: z.boolean(),
  withoutMarkdown: MarkdownOutcome,
  withMarkdown: MarkdownOutcome,
  revenueChange: z.number(),
  candidates: z.array(MarkdownOutcome),
  explanation: z.string(),
});
export type MarkdownRecommendation = z.infer<typeof MarkdownRecommendation>;

/** Plan kind `markdown`: the model's recommendation at the checkpoint and what was chosen (the planner's depth, priced the same way). */
export const MarkdownPlanBody = z.object({
  week: z.number().int(),
  recommendation: MarkdownRecommendation,
  chosen: MarkdownOutcome,
  source: z.enum(['model', 'planner']),
});
export type MarkdownPlanBody = z.infer<typeof MarkdownPlanBody>;

/** Plan kind `summary`: the season's close (the season_close result without its explanation). */
export const SeasonSummary = z.object({
  /** What the figures below count: units, or sales value (money at full price) when the history is sales value. */
  quantity: Quantity,
  approved_quantity: z.number().int(),
  units_sold: z.number(),
  /** Posted sales above what the stores held (manual actuals; simulated ones are capped as they are made). */
  unmet_demand: z.number(),
  sell_through: z.number(),
  left_in_stores: z.number(),
  left_at_dc: z.number(),
  revenue: z.number(),
  markdown: z.number(),
  replenished_units: z.number().int(),
  replenishments: z.number().int(),
  variance_alerts: z.number().int(),
  reforecasts: z.number().int(),
});
export type SeasonSummary = z.infer<typeof SeasonSummary>;

/** The body of each plan kind a season-planning run stores. */
export const PLAN_BODIES = {
  forecast: ForecastPlan,
  allocation: AllocationPlanBody,
  replenishment: ReplenishmentPlanBody,
  markdown: MarkdownPlanBody,
  summary: SeasonSummary,
} as const;
export type PlanKind = keyof typeof PLAN_BODIES;
export type PlanBody<K extends PlanKind> = z.infer<(typeof PLAN_BODIES)[K]>;

// ---------------------------------------------------------------------------------------------
// Phase results (what each phase's step stores, and its `complete` event carries)

const curvePoint = z.object({
  week: z.number().int(),
  week_start: z.string(),
  forecast: z.number(),
  lo80: z.number(),
  hi80: z.number(),
  lo95: z.number(),
  hi95: z.number(),
});

/** demand and reforecast. */
export const DemandOutput = z.object({
  /** The parameters this plan was made with (the run's, changed by a planner at the buy approval). */
  parameters: PlanParameters,
  revision: z.number().int(),
  from_week: z.number().int(),
  weeks_planned: z.number().int(),
  series: z.number().int(),
  /** The categories forecast afresh (null: all); the rest kept the previous revision's forecast. */
  replanned_categories: z.array(z.string()).nullable(),
  /** Series forecast afresh in this revision. */
  series_replanned: z.number().int(),
  season_total: z.number(),
  safety_stock: z.number().int(),
  safety_reason: z.string(),
  /** The chance the season's demand stays within forecast + safety stock, the same for every strategy. */
  service_level: z.number(),
  /** Weeks between the history and the season, forecast with it and left out of the plan. */
  lead_weeks: z.number().int(),
  /** The chain total's uncertainty, measured on the history (the weekly curve's bands and the safety stock come from it). */
  uncertainty: TotalUncertainty,
  manufacturing_quantity: z.number().int(),
  quantity_source: z.enum(['forecast', 'planner']),
  /** What the figures count: units, or sales value (money at full price) when the history is; absent in runs from before it was recorded. */
  quantity: Quantity.optional(),
  by_category: z.array(z.object({ category_id: z.string(), name: z.string().nullable(), total: z.number(), uncertainty: TotalUncertainty })),
  weekly_curve: z.array(curvePoint),
  methods: z.record(z.string(), z.number().int()),
  notes: z.array(z.string()),
  explanation: z.string(),
  explained_by: explainedBy,
});
export type DemandOutput = z.infer<typeof DemandOutput>;

/** allocation. */
export const InventoryOutput = z.object({
  approved_quantity: z.number().int(),
  dc_units: z.number().int(),
  store_units: z.number().int(),
  stores: z.number().int(),
  clusters: z.array(z.object({ id: z.number().int(), label: z.string(), stores: z.number().int(), units: z.number().int() })),
  k: z.number().int(),
  silhouette: z.number().nullable(),
  allocation: z.array(z.object({ store_id: z.string(), cluster: z.number().int(), units: z.number().int(), forecast: z.number() })),
  notes: z.array(z.string()),
  explanation: z.string(),
  explained_by: explainedBy,
});
export type InventoryOutput = z.infer<typeof InventoryOutput>;

/** simulate_actuals. */
export const ActualsOutput = z.object({
  week: z.number().int(),
  week_start: z.string(),
  demand: z.number(),
  units_sold: z.number(),
  lost_sales: z.number(),
  source: z.enum(['hidden demand', 'forecast with noise']),
  explanation: z.string(),
});
export type ActualsOutput = z.infer<typeof ActualsOutput>;

/** What a week's posted actuals resolve the `week_actuals` wait with. */
export const PostedWeek = z.object({
  week: z.number().int().min(1),
  partial: z.boolean().optional(),
  missing: z.number().int().min(0).optional(),
  /** Rows of earlier weeks' missing series that came with this post. */
  late: z.number().int().min(0).optional(),
  /** Figures of earlier weeks this post corrected, and (the first hundred) each with the figure it replaced. */
  corrected: z.number().int().min(0).optional(),
  corrections: z.array(z.object({ week: z.number().int().min(1), store_id: z.string(), category_id: z.string(), from: z.number(), to: z.number() })).optional(),
});
export type PostedWeek = z.infer<typeof PostedWeek>;

const direction = z.enum(['over', 'under']);
export const WatchedCategory = z.object({ category_id: z.string(), direction });
export type WatchedCategory = z.infer<typeof WatchedCategory>;

export const VarianceLine = z.object({
  category_id: z.string(),
  actual: z.number(),
  forecast: z.number(),
  variance: z.number().nullable(),
  /** (actual − forecast) in standard deviations of the category total's measured weekly error; null without a band. */
  z: z.number().nullable(),
  /** Outside the category's band (null: the plan carries no band for it). */
  outside_band: z.boolean().nullable(),
});
export type VarianceLine = z.infer<typeof VarianceLine>;

/** Whether the latest re-forecast paid: its error and its predecessor's on the weeks posted since it was made. */
export const ReforecastPaid = z.object({
  revision: z.number().int(),
  previous_revision: z.number().int(),
  /** The categories the revision re-planned (null: all); only their series are scored. */
  categories: z.array(z.string()).nullable(),
  weeks: z.array(z.number().int()),
  error: z.number().nullable(),
  previous_error: z.number().nullable(),
  paid: z.boolean().nullable(),
});
export type ReforecastPaid = z.infer<typeof ReforecastPaid>;

/** monitor. */
export const MonitorOutput = z.object({
  week: z.number().int(),
  actual: z.number(),
  forecast: z.number(),
  variance: z.number().nullable(),
  by_category: z.array(VarianceLine),
  threshold: z.number(),
  alert: z.boolean(),
  reforecast: z.boolean(),
  forecast_revision: z.number().int(),
  /** Categories beyond the threshold and outside their band this week, the first such week: watched, re-forecast if next week agrees. */
  watch: z.array(WatchedCategory),
  /** What a re-forecast re-plans: null every category (the chain alerted), else the categories that alerted. */
  replan_categories: z.array(z.string()).nullable(),
  reforecast_paid: ReforecastPaid.nullable(),
  sold_out_stores: z.number().int(),
  /** The share of the week's forecast (stores still selling) that the posted series carry: under 1 for a partial week. Absent from older runs. */
  coverage: z.number().min(0).max(1).optional(),
  explanation: z.string(),
  explained_by: explainedBy,
});
export type MonitorOutput = z.infer<typeof MonitorOutput>;

/** replenishment. */
export const ReplenishmentOutput = z.object({
  week: z.number().int(),
  acted: z.boolean(),
  moved: z.number().int(),
  stores_supplied: z.number().int(),
  dc_before: z.number().int(),
  dc_remaining: z.number().int(),
  moves: z.array(z.object({ store_id: z.string(), units: z.number().int(), reason: z.string() })),
  explanation: z.string(),
  explained_by: explainedBy,
});
export type ReplenishmentOutput = z.infer<typeof ReplenishmentOutput>;

/** A markdown accepted at the checkpoint, in force from the week after `fromWeek`. */
export const MarkdownInForce = z.object({ rate: z.number(), fromWeek: z.number().int() });
export type MarkdownInForce = z.infer<typeof MarkdownInForce>;

/** markdown_check. */
export const PricingOutput = z.object({
  due: z.boolean(),
  week: z.number().int(),
  checkpoint_week: z.number().int().nullable(),
  sell_through: z.number().nullable(),
  threshold: z.number().nullable(),
  markdown: z.number(),
  source: z.enum(['model', 'planner']).nullable(),
  revenue_without: z.number().nullable(),
  revenue_with: z.number().nullable(),
  revenue_change: z.number().nullable(),
  elasticity: z.number().nullable(),
  elasticity_assumed: z.boolean().nullable(),
  units_on_hand: z.number().nullable(),
  in_force: MarkdownInForce.nullable(),
  /** What revenue and units count: with sales value they are money at full price (the price is 1). */
  quantity: Quantity,
  explanation: z.string(),
  explained_by: explainedBy,
});
export type PricingOutput = z.infer<typeof PricingOutput>;

/** week_end. */
export const ClockOutput = z.object({ week: z.number().int(), weeks_left: z.number().int(), explanation: z.string() });
export type ClockOutput = z.infer<typeof ClockOutput>;

/** season_close. */
export const CloseOutput = SeasonSummary.extend({ explanation: z.string(), explained_by: explainedBy });
export type CloseOutput = z.infer<typeof CloseOutput>;

/** What a planner may change when modifying the buy: the quantity, and parameters that do not change which phases run. */
export const BuyModification = z
  .strictObject({
    manufacturing_quantity: z.number().int().positive().optional(),
    parameters: PlanOverrides.optional(),
    confirm_unusual: z.boolean().optional().describe('true to buy 20× the proposal or more, or a twentieth or less (refused otherwise as a slip)'),
  })
  .refine((m) => m.manufacturing_quantity !== undefined || m.parameters !== undefined, 'give a manufacturing_quantity, parameters, or both');

/** A buy this far from the proposal, either way, is a slip (a digit too many, thousands typed as units) unless confirmed. */
export const UNUSUAL_BUY_RATIO = 20;

/** The buy modification, checked against the proposal the approval showed. */
export function buyModificationAgainst(shown: unknown): z.ZodType {
  const proposed = (shown as { manufacturing_quantity?: unknown } | null)?.manufacturing_quantity;
  if (typeof proposed !== 'number' || !(proposed > 0)) return BuyModification;
  return BuyModification.superRefine((m, context) => {
    const quantity = m.manufacturing_quantity;
    if (quantity === undefined || m.confirm_unusual === true) return;
    const far =
      quantity >= UNUSUAL_BUY_RATIO * proposed
        ? `${UNUSUAL_BUY_RATIO}× the proposed ${proposed} or more`
        : quantity * UNUSUAL_BUY_RATIO <= proposed
          ? `a ${UNUSUAL_BUY_RATIO}th of the proposed ${proposed} or less`
          : undefined;
    if (far)
      context.addIssue({ code: 'custom', path: ['manufacturing_quantity'], message: `is ${quantity}, ${far}: send confirm_unusual true if that is meant` });
  });
}
/** What a planner may change when modifying the markdown: its depth. */
export const MarkdownModification = z.strictObject({ markdown: z.number().min(0).max(0.9) });

/** What the buy approval shows the planner: the Demand agent's proposal (absent fields: no proposal was made). */
export const BuyProposal = DemandOutput.pick({
  manufacturing_quantity: true,
  quantity: true,
  season_total: true,
  safety_stock: true,
  safety_reason: true,
  by_category: true,
  explanation: true,
}).partial();
export type BuyProposal = z.infer<typeof BuyProposal>;

/** What each wait phase gives the person (or intake) answering it: its `approval_required` / `wait_required` data. */
export const WAIT_DATA = {
  manufacturing_approval: BuyProposal,
  week_actuals: z.object({ week: z.number().int() }),
  markdown_approval: PricingOutput,
} as const;
export type SeasonWaitPhase = keyof typeof WAIT_DATA;

/** The result each phase stores: agent phases their output, wait phases their resolution. */
export const PHASE_RESULTS = {
  demand: DemandOutput,
  manufacturing_approval: WaitResolution,
  allocation: InventoryOutput,
  simulate_actuals: ActualsOutput,
  week_actuals: WaitResolution.extend({ data: PostedWeek }),
  monitor: MonitorOutput,
  reforecast: DemandOutput,
  replenishment: ReplenishmentOutput,
  markdown_check: PricingOutput,
  markdown_approval: WaitResolution,
  week_end: ClockOutput,
  season_close: CloseOutput,
} as const;
export type SeasonPhase = keyof typeof PHASE_RESULTS;
export type PhaseResult<P extends SeasonPhase> = z.infer<(typeof PHASE_RESULTS)[P]>;

// ---------------------------------------------------------------------------------------------
// Events

/** `variance_alert`, the Monitor's own event: the week's figures, what alerted, and what the run does about it. */
export const VarianceAlertPayload = z.object({
  week: z.number().int(),
  threshold: z.number(),
  variance: z.number().nullable(),
  actual: z.number(),
  forecast: z.number(),
  categories: z.array(VarianceLine.omit({ outside_band: true })),
  action: z.string(),
  chain_alert: z.boolean(),
  band_level: z.number(),
  replan_categories: z.array(z.string()).nullable(),
  reforecast_paid: ReforecastPaid.nullable(),
  // The specification's names for the same facts.
  week_number: z.number().int(),
  variance_percentage: z.number().nullable(),
  variance_direction: direction,
  reforecast_triggered: z.boolean(),
  message: z.string(),
});
export type VarianceAlertPayload = z.infer<typeof VarianceAlertPayload>;

export const SEASON_EVENT_PAYLOADS = { variance_alert: VarianceAlertPayload } as const;

// ---------------------------------------------------------------------------------------------
// Read endpoints (GET /api/forecasts|allocations|variance|markdowns/{run_id}, /api/stores/clusters, /api/data…)

export const ForecastReport = ForecastPlan.extend({
  run_id: z.string(),
  revisions: z.array(z.object({ revision: z.number().int(), from_week: z.number().int() })),
});
export type ForecastReport = z.infer<typeof ForecastReport>;

export const AllocationReport = z.object({
  run_id: z.string(),
  approved_quantity: z.number(),
  dc_units: z.number(),
  dc_now: z.number(),
  stores: z.array(
    z.object({
      store_id: z.string(),
      cluster: z.number(),
      allocated: z.number(),
      received: z.number(),
      sold: z.number(),
      on_hand: z.number(),
      unmet: z.number(),
    }),
  ),
  unmet_demand: z.number(),
});
export type AllocationReport = z.infer<typeof AllocationReport>;

export const VarianceReport = z.object({
  run_id: z.string(),
  weeks: z.array(
    z.object({ week: z.number().int(), actual: z.number(), forecast: z.number(), variance: z.number().nullable(), forecast_revision: z.number().int() }),
  ),
});
export type VarianceReport = z.infer<typeof VarianceReport>;

export const MarkdownReport = z.object({ run_id: z.string(), decisions: z.array(MarkdownPlanBody.extend({ revision: z.number().int() })) });
export type MarkdownReport = z.infer<typeof MarkdownReport>;

export const StoreClusters = z
  .object({
    k: z.number().int(),
    silhouette: z.number().nullable(),
    assignments: z.record(z.string(), z.number()),
    clusters: z.array(z.object({ id: z.number(), label: z.string(), size: z.number(), storeIds: z.array(z.string()) }).loose()),
    notes: z.array(z.string()).default([]),
  })
  .loose();
export type StoreClusters = z.infer<typeof StoreClusters>;

export const CategoryHistory = z.object({
  weeks: z.array(z.string()).describe('week start dates (Mondays), oldest first'),
  categories: z.array(
    z.object({ category_id: z.string(), name: z.string().nullable(), units: z.array(z.number()).describe('units sold in all stores, one per week') }),
  ),
});
export type CategoryHistory = z.infer<typeof CategoryHistory>;

export const IMPORT_TABLES = ['stores', 'categories', 'sales'] as const;
export const ImportTable = z.enum(IMPORT_TABLES);
export type ImportTable = z.infer<typeof ImportTable>;

export const ImportReport = z.object({
  table: ImportTable,
  source: z.string(),
  rows: z.number().int(),
  inserted: z.number().int(),
  updated: z.number().int(),
  warnings: z.array(z.string()),
  quantity: Quantity.optional().describe('Sales: what the figures count, as recorded for the history'),
  week_dates: z.enum(['end', 'start']).optional().describe('Sales: how the dates were read'),
});
export type ImportReport = z.infer<typeof ImportReport>;

export const DataSummary = z.object({
  stores: z.number().int(),
  categories: z.number().int(),
  series: z.number().int(),
  sales_rows: z.number().int(),
  weeks: z.number().int(),
  first_week: z.string().nullable(),
  last_week: z.string().nullable(),
  imports: z.array(
    z.object({
      id: z.number().int(),
      kind: z.string(),
      source: z.string(),
      rows: z.number().int(),
      inserted: z.number().int(),
      updated: z.number().int(),
      warnings: z.array(z.string()),
      imported_at: z.string(),
      quantity: Quantity.nullable(),
    }),
  ),
  /** What the history's figures count: the plan and its reports are in the same. */
  quantity: Quantity.nullable(),
});
export type DataSummary = z.infer<typeof DataSummary>;
