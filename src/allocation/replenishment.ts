/** In-season moves from the DC to stores: each store's need for the coming period, scaled by its sell-through pace. */
import { z } from 'zod';
import { InvalidParametersError } from '../errors/index.js';
import { compareKeys, repeatedKeys } from './key-order.js';
import { allocate, unitsSchema } from './largest-remainder.js';
import { parseInput } from './parse-input.js';

/**
 * Safety stock as a fraction of the coming period's demand. 20% matches the variance threshold that
 * triggers a re-forecast: demand can run that far above plan before the plan itself is redone.
 */
export const DEFAULT_SAFETY_RATIO = 0.2;
/**
 * Bounds on the pace (demand to date ÷ planned to date). A store selling ahead of plan is expected to
 * keep doing so until the next re-forecast, but one odd week (a returns spike, a stock-out) must not
 * zero or triple its stock: variance above the threshold re-plans the season anyway.
 */
export const DEFAULT_PACE_BOUNDS = { min: 0.5, max: 2 } as const;

const finite = z.number();
const storeSchema = z.object({
  storeId: z.string().min(1),
  /** Units in the store now; a negative count (returns booked late) is treated as 0 and said so. */
  onHand: finite,
  /** Planned demand for the coming replenishment period (one week, or two for bi-weekly). */
  planRemaining: finite.min(0),
  /** Shoppers' demand over the weeks the pace is measured on (posted sales, those above the stock included). */
  demandToDate: finite,
  /** What the forecast expected over those weeks. */
  plannedToDate: finite.min(0),
  /** Safety stock in units; when absent, safetyRatio × the period's expected demand. */
  safetyStock: finite.min(0).optional(),
});
export const replenishmentInputSchema = z.object({
  dcAvailable: unitsSchema,
  stores: z.array(storeSchema),
  safetyRatio: finite.min(0).max(10).default(DEFAULT_SAFETY_RATIO),
  paceBounds: z
    .object({ min: finite.min(0), max: finite.positive() })
    .refine((b) => b.min <= b.max, { message: 'min must not exceed max' })
    .default(DEFAULT_PACE_BOUNDS),
});
export type ReplenishmentInput = z.input<typeof replenishmentInputSchema>;
type StoreInput = z.output<typeof storeSchema>;

export interface StoreReplenishment {
  storeId: string;
  /** demandToDate ÷ plannedToDate within the bounds; 1 before anything was planned. */
  pace: number;
  expectedDemand: number;
  safetyStock: number;
  /** Whole units: ceil(expected demand + safety stock − on hand), at least 0. */
  need: number;
  units: number;
  reason: string;
}

export interface ReplenishmentPlan {
  /** Stores that receive units, in store order. */
  moves: { storeId: string; units: number }[];
  /** Every store, with the numbers behind its move (or its lack of one). */
  stores: StoreReplenishment[];
  totalNeed: number;
  totalMoved: number;
  dcRemaining: number;
}

/**
 * Need = ceil(planRemaining × pace + safety − onHand), at least 0. When the DC covers every need,
 * each store gets its need; otherwise the DC's units are shared in proportion to need by largest
 * remainder, so no store gets more than it needs and the moves never exceed what the DC has.
 */
export function planReplenishment(input: ReplenishmentInput): ReplenishmentPlan {
  const { dcAvailable, stores, safetyRatio, paceBounds } = parseInput(replenishmentInputSchema, input, 'planReplenishment');
  rejectDuplicates(stores.map((s) => s.storeId));
  const sorted = [...stores].sort((a, b) => compareKeys(a.storeId, b.storeId));
  const needs = sorted.map((store) => needOf(store, safetyRatio, paceBounds));
  const totalNeed = needs.reduce((sum, n) => sum + n.need, 0);
  const short = totalNeed > dcAvailable;
  const units = short
    ? allocate(dcAvailable, Object.fromEntries(needs.map((n) => [n.storeId, n.need])))
    : Object.fromEntries(needs.map((n) => [n.storeId, n.need]));
  const planned: StoreReplenishment[] = needs.map((n) => {
    const got = units[n.storeId] ?? 0;
    const { storeId, pace, expectedDemand, safetyStock, need } = n;
    return { storeId, pace, expectedDemand, safetyStock, need, units: got, reason: reasonFor(n, got, short) };
  });
  const totalMoved = planned.reduce((sum, p) => sum + p.units, 0);
  return {
    moves: planned.filter((p) => p.units > 0).map((p) => ({ storeId: p.storeId, units: p.units })),
    stores: planned,
    totalNeed,
    totalMoved,
    dcRemaining: dcAvailable - totalMoved,
  };
}

type Need = Omit<StoreReplenishment, 'units' | 'reason'> & { onHand: number; reportedOnHand: number; demandToDate: number; plannedToDate: number };

function needOf(store: StoreInput, safetyRatio: number, bounds: { min: number; max: number }): Need {
  const rawPace = store.plannedToDate > 0 ? store.demandToDate / store.plannedToDate : 1;
  const pace = Math.min(bounds.max, Math.max(bounds.min, rawPace));
  const expectedDemand = store.planRemaining * pace;
  const safetyStock = store.safetyStock ?? safetyRatio * expectedDemand;
  const onHand = Math.max(0, store.onHand);
  // The small tolerance keeps 10.000000000000002 (floating-point noise) from becoming a need of 11.
  const need = Math.max(0, Math.ceil(expectedDemand + safetyStock - onHand - 1e-9));
  const { storeId, demandToDate, plannedToDate } = store;
  return { storeId, pace, expectedDemand, safetyStock, need, onHand, reportedOnHand: store.onHand, demandToDate, plannedToDate };
}

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(1));

function reasonFor(n: Need, units: number, short: boolean): string {
  const paceText =
    n.plannedToDate > 0 ? `demand ${fmt(n.demandToDate)} vs plan ${fmt(n.plannedToDate)} (pace ${n.pace.toFixed(2)})` : 'no weeks to pace on yet (pace 1.00)';
  const stock = n.reportedOnHand < 0 ? `on hand 0 (reported ${fmt(n.reportedOnHand)}, counted as 0)` : `on hand ${fmt(n.onHand)}`;
  const cover = `demand ${fmt(n.expectedDemand)} + safety ${fmt(n.safetyStock)} vs ${stock}`;
  if (n.need === 0) return `${paceText}; ${cover}: covered, no move`;
  if (!short) return `${paceText}; ${cover}: needs ${n.need}, sent ${units}`;
  return `${paceText}; ${cover}: needs ${n.need}, DC short, sent ${units} (${Math.round((100 * units) / n.need)}% of need)`;
}

function rejectDuplicates(ids: string[]): void {
  const repeated = repeatedKeys(ids);
  if (repeated.length > 0) {
    throw new InvalidParametersError('planReplenishment: a store appears more than once', [
      { path: 'stores', message: `repeated storeId: ${repeated.join(', ')}` },
    ]);
  }
}
