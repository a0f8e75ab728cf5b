/**
 * Where the season's stock is: what the allocation sent to each store, what replenishment moved
 * from the DC, and what sold (the run's actuals). Rebuilt from the plans and actuals each time, so
 * it is right after a restart, a retry or a re-forecast.
 */
import type { Store } from '../../store/index.js';

export interface AllocationPlanBody {
  revision: number;
  approved_quantity: number;
  dc_units: number;
  store_units: Record<string, number>;
  clusters: Record<string, number>;
}

export interface ReplenishmentPlanBody {
  week: number;
  moves: { store_id: string; units: number }[];
}

export interface StorePosition {
  received: number;
  sold: number;
  onHand: number;
}

export interface StockPosition {
  approvedQuantity: number;
  dcUnits: number;
  stores: Map<string, StorePosition>;
  soldToDate: number;
  /** Units sold per season week, all stores. */
  soldByWeek: Map<number, number>;
}

export async function stockPosition(store: Store, runId: string): Promise<StockPosition> {
  const [allocation, replenishments, actuals] = await Promise.all([
    store.retail.latestPlan(runId, 'allocation'),
    store.retail.listPlans(runId, 'replenishment'),
    store.retail.listActuals(runId),
  ]);
  const plan = allocation?.body as AllocationPlanBody | undefined;
  const stores = new Map<string, StorePosition>();
  const position = (id: string) => {
    let p = stores.get(id);
    if (!p) stores.set(id, (p = { received: 0, sold: 0, onHand: 0 }));
    return p;
  };
  for (const [id, units] of Object.entries(plan?.store_units ?? {})) position(id).received += units;
  let dcUnits = plan?.dc_units ?? 0;
  for (const record of replenishments) {
    for (const move of (record.body as ReplenishmentPlanBody).moves) {
      position(move.store_id).received += move.units;
      dcUnits -= move.units;
    }
  }
  const soldByWeek = new Map<number, number>();
  let soldToDate = 0;
  for (const a of actuals) {
    position(a.storeId).sold += a.unitsSold;
    soldToDate += a.unitsSold;
    soldByWeek.set(a.seasonWeek, (soldByWeek.get(a.seasonWeek) ?? 0) + a.unitsSold);
  }
  for (const p of stores.values()) p.onHand = Math.max(0, p.received - p.sold);
  return { approvedQuantity: plan?.approved_quantity ?? 0, dcUnits, stores, soldToDate, soldByWeek };
}
