/**
 * The API's shapes the dashboard reads, as zod schemas (mirroring src/server/schemas.ts and the
 * OpenAPI document at /openapi.json). Responses are checked on arrival, so a changed server
 * shows up as a clear error here instead of as a blank chart.
 */
import { z } from 'zod';

export const RUN_STATES = ['running', 'waiting', 'completed', 'failed', 'cancelled', 'rejected', 'expired'] as const;
export const RunState = z.enum(RUN_STATES);
export type RunState = z.infer<typeof RunState>;

export const ErrorBody = z.object({
  error_type: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).default({}),
  suggestions: z.array(z.string()).default([]),
  request_id: z.string().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const WaitingFor = z.object({
  approval_id: z.string(),
  kind: z.string(),
  role: z.string().nullable(),
  phase: z.string(),
  data: z.unknown(),
  deadline_at: z.string().nullable(),
});

export const RunStatus = z.object({
  run_id: z.string(),
  workflow: z.string(),
  session_id: z.string().nullable(),
  state: RunState,
  phase: z.string().nullable(),
  percent: z.number(),
  completed_phases: z.array(z.string()),
  waiting_for: WaitingFor.nullable(),
  parameters: z.unknown(),
  result: z.unknown(),
  error: z
    .object({ error_type: z.string(), message: z.string(), suggestions: z.array(z.string()) })
    .loose()
    .nullable(),
  last_seq: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
  finished_at: z.string().nullable(),
});
export type RunStatus = z.infer<typeof RunStatus>;

export const RunList = z.object({ runs: z.array(RunStatus), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });
export type RunList = z.infer<typeof RunList>;

/** One event of a run's log; the fields beyond these depend on its type (docs/STREAMS.md). */
export const RunEvent = z.object({ type: z.string(), run_id: z.string(), seq: z.number().int(), timestamp: z.string() }).catchall(z.unknown());
export type RunEvent = z.infer<typeof RunEvent>;
export const EventList = z.object({ events: z.array(RunEvent) });

export const WorkflowList = z.object({
  workflows: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      phases: z.array(z.object({ name: z.string(), agent: z.string().nullable(), wait: z.string().nullable() })),
    }),
  ),
});
export type Workflow = z.infer<typeof WorkflowList>['workflows'][number];

export const PARAMETER_FIELDS = [
  'forecast_horizon_weeks',
  'season_start_date',
  'season_end_date',
  'replenishment_strategy',
  'dc_holdback_percentage',
  'markdown_checkpoint_week',
  'markdown_threshold',
] as const;
export type ParameterField = (typeof PARAMETER_FIELDS)[number];
export const REPLENISHMENT_STRATEGIES = ['none', 'weekly', 'bi-weekly'] as const;

export const ExtractedParameters = z.object({
  forecast_horizon_weeks: z.number(),
  season_start_date: z.string(),
  season_end_date: z.string(),
  replenishment_strategy: z.enum(REPLENISHMENT_STRATEGIES),
  dc_holdback_percentage: z.number(),
  markdown_checkpoint_week: z.number().nullable(),
  markdown_threshold: z.number().nullable(),
  extraction_reasoning: z.string(),
  confidence_score: z.number(),
  sources: z.record(z.string(), z.string().nullable()).default({}),
  mode: z.string(),
});
export type ExtractedParameters = z.infer<typeof ExtractedParameters>;

export const RunStarted = z.object({ run_id: z.string(), status: RunState });

const SeriesForecast = z.object({
  store_id: z.string(),
  category_id: z.string(),
  method: z.string(),
  forecast: z.array(z.number()),
  lo80: z.array(z.number()),
  hi80: z.array(z.number()),
  lo95: z.array(z.number()),
  hi95: z.array(z.number()),
});
/** A total's weekly forecast and bands, measured by back-tests of that total (plans since lead time and uncertainty came from the data). */
const TotalBand = z.object({
  forecast: z.array(z.number()),
  lo80: z.array(z.number()),
  hi80: z.array(z.number()),
  lo95: z.array(z.number()),
  hi95: z.array(z.number()),
});
export const ForecastPlan = z
  .object({
    run_id: z.string(),
    revision: z.number(),
    from_week: z.number(),
    weeks: z.array(z.string()),
    series: z.array(SeriesForecast),
    totals: z
      .object({ chain: TotalBand, categories: z.record(z.string(), TotalBand) })
      .loose()
      .optional(),
  })
  .loose();
export type ForecastPlan = z.infer<typeof ForecastPlan>;

export const AllocationPlan = z.object({
  run_id: z.string(),
  approved_quantity: z.number(),
  dc_units: z.number(),
  dc_now: z.number(),
  stores: z.array(z.object({ store_id: z.string(), cluster: z.number(), allocated: z.number(), received: z.number(), sold: z.number(), on_hand: z.number() })),
});
export type AllocationPlan = z.infer<typeof AllocationPlan>;

export const VarianceReport = z.object({
  run_id: z.string(),
  weeks: z.array(z.object({ week: z.number(), actual: z.number(), forecast: z.number(), variance: z.number().nullable(), forecast_revision: z.number() })),
});
export type VarianceReport = z.infer<typeof VarianceReport>;

const PricedOption = z.object({ markdown: z.number(), price: z.number(), unitsSold: z.number(), unitsLeft: z.number(), totalRevenue: z.number() }).loose();
export const MarkdownDecisions = z.object({
  run_id: z.string(),
  decisions: z.array(
    z
      .object({
        revision: z.number(),
        week: z.number(),
        source: z.string().nullable().optional(),
        recommendation: z
          .object({
            markdown: z.number(),
            reason: z.string().optional(),
            explanation: z.string().optional(),
            withoutMarkdown: PricedOption,
            withMarkdown: PricedOption,
            candidates: z.array(PricedOption),
          })
          .loose(),
        chosen: PricedOption.nullable().optional(),
      })
      .loose(),
  ),
});
export type MarkdownDecisions = z.infer<typeof MarkdownDecisions>;

export const CategoryHistory = z.object({
  weeks: z.array(z.string()),
  categories: z.array(z.object({ category_id: z.string(), name: z.string().nullable(), units: z.array(z.number()) })),
});
export type CategoryHistory = z.infer<typeof CategoryHistory>;

export const StoreClusters = z
  .object({
    k: z.number(),
    silhouette: z.number().nullable(),
    assignments: z.record(z.string(), z.number()),
    clusters: z.array(z.object({ id: z.number(), label: z.string(), size: z.number(), storeIds: z.array(z.string()) }).loose()),
    notes: z.array(z.string()).default([]),
  })
  .loose();
export type StoreClusters = z.infer<typeof StoreClusters>;

export const ImportRecord = z.object({
  id: z.number(),
  kind: z.string(),
  source: z.string(),
  rows: z.number(),
  inserted: z.number(),
  updated: z.number(),
  warnings: z.array(z.string()),
  imported_at: z.string(),
});
export const DataSummary = z.object({
  stores: z.number(),
  categories: z.number(),
  series: z.number(),
  sales_rows: z.number(),
  weeks: z.number(),
  first_week: z.string().nullable(),
  last_week: z.string().nullable(),
  imports: z.array(ImportRecord),
});
export type DataSummary = z.infer<typeof DataSummary>;

export const IMPORT_TABLES = ['stores', 'categories', 'sales'] as const;
export type ImportTable = (typeof IMPORT_TABLES)[number];
export const ImportReport = z.object({
  table: z.enum(IMPORT_TABLES),
  source: z.string(),
  rows: z.number(),
  inserted: z.number(),
  updated: z.number(),
  warnings: z.array(z.string()),
});
export type ImportReport = z.infer<typeof ImportReport>;

/** Software delivery (routes under /api/delivery/): a run's status and its audit trail. */
export const DeliveryStatus = z
  .object({
    run_id: z.string(),
    project: z.string(),
    change: z.object({ title: z.string(), description: z.string() }),
    automatic_roles: z.array(z.string()),
    state: z.string(),
    description: z.string(),
    owner: z.string().nullable(),
    run_state: z.string(),
    percent: z.number(),
    completed_states: z.array(z.string()),
    failed_state: z.string().nullable(),
    expected_next: z.object({ action: z.string(), role: z.string().nullable(), states: z.array(z.string()) }).loose(),
  })
  .loose();
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

export const AuditEntry = z.object({
  seq: z.number(),
  at: z.string(),
  move: z.string(),
  from_state: z.string(),
  to_state: z.string(),
  from_role: z.string().nullable(),
  to_role: z.string().nullable(),
  by: z.string(),
  transferred: z.unknown(),
  reason: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export const DeliveryHistory = z.object({ run_id: z.string(), project: z.string(), state: z.string(), trail: z.array(AuditEntry) });
