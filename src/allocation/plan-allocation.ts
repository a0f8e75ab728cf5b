/** The initial buy split: a share held back at the distribution centre (DC), the rest to stores by forecast. */
import { z } from 'zod';
import { InvalidParametersError } from '../errors/index.js';
import { allocate, sharesSchema, unitsSchema, usableShare } from './largest-remainder.js';
import { parseInput } from './parse-input.js';

export const planAllocationInputSchema = z.object({
  approvedQuantity: unitsSchema,
  /** Fraction of the approved quantity kept at the DC for replenishment, 0–1. */
  dcHoldback: z.number().min(0).max(1),
  /** Each store's forecast for the season; NaN and negative forecasts count as 0. */
  forecastByStore: sharesSchema,
});
export type PlanAllocationInput = z.input<typeof planAllocationInputSchema>;

export interface AllocationPlan {
  dcUnits: number;
  storeUnits: Record<string, number>;
  /** approvedQuantity − dcUnits = floor((1 − dcHoldback) × approvedQuantity): the units shared among stores. */
  storePool: number;
  notes: string[];
}

/**
 * Rounding: DC = ceil(h × Q) and store pool = Q − DC, which is floor((1 − h) × Q): the DC takes the
 * fraction of a unit the holdback leaves (it holds at least h × Q) and stores never get more than
 * (1 − h) × Q. The ceiling ignores a relative excess of 1e-12, because binary floating point makes
 * 0.07 × 100 = 7.000000000000001, which must count as 7. The pool goes to stores by largest remainder
 * on their forecasts (equal split if no forecast is positive), so stores + DC = Q exactly.
 */
export function planAllocation(input: PlanAllocationInput): AllocationPlan {
  const { approvedQuantity, dcHoldback, forecastByStore } = parseInput(planAllocationInputSchema, input, 'planAllocation');
  const storeIds = Object.keys(forecastByStore);
  if (storeIds.length === 0) {
    throw new InvalidParametersError('planAllocation: no stores to allocate to', [{ path: 'forecastByStore', message: 'needs at least one store' }]);
  }
  const dcUnits = holdbackUnits(approvedQuantity, dcHoldback);
  const storePool = approvedQuantity - dcUnits;
  return { dcUnits, storeUnits: allocate(storePool, forecastByStore), storePool, notes: notesOn(forecastByStore) };
}

/** ceil(h × Q), tolerant of floating-point excess, within 0..Q. */
export function holdbackUnits(quantity: number, holdback: number): number {
  const held = holdback * quantity;
  const units = Math.ceil(held - 1e-12 * Math.max(1, held));
  return Math.min(quantity, Math.max(0, units));
}

function notesOn(forecastByStore: Record<string, number>): string[] {
  const forecasts = Object.values(forecastByStore);
  const unusable = forecasts.filter((f) => usableShare(f) === 0).length;
  if (unusable === forecasts.length) return ['no store has a positive forecast: the store pool is split equally'];
  if (unusable > 0) return [`${unusable} of ${forecasts.length} stores have a zero, negative or missing forecast and get no units`];
  return [];
}
