/**
 * Where the season's stock is: what the allocation sent to each store, what replenishment moved
 * from the DC, and what sold (the run's actuals). Rebuilt from the plans and actuals each time, so
 * it is right after a restart, a retry or a re-forecast.
 */
import type { SeasonActual, SeasonData } from './data/index.js';
import { planBody, planBodyOrNone } from './checked.js';

/** The plan bodies this reads, declared once in the contracts. */
export type { AllocationPlanBody, ReplenishmentPlanBody } from './contracts.js';

/** Sales within this of the stock on hand used it all up (money runs post cents; units may be rounded shares). */
const STOCK_EPSILON = 0.005;

export interface StorePosition {
  received: number;
  /** Sales the stock could serve: posted sales capped at what the store had on hand that week, net of returns. */
  sold: number;
  onHand: number;
  /** Posted sales above the stock on hand: demand the store could not meet. */
  unmet: number;
}

export interface StockPosition {
  approvedQuantity: number;
  dcUnits: number;
  stores: Map<string, StorePosition>;
  soldToDate: number;
  /** Units sold per season week, all stores. */
  soldByWeek: Map<number, number>;
  unmetToDate: number;
  unmetByWeek: Map<number, number>;
  /**
   * Per season week, the stores whose sales that week show their stock rather than their demand: they sold all they
   * had (or had nothing) and no more was posted. Their shoppers may have wanted more, so the week says nothing about
   * the forecast. A store posted above its stock is not here: that figure is the demand, the excess counted as unmet.
   */
  stockBoundByWeek: Map<number, Set<string>>;
  /** What was posted, as posted (before capping at the stock). */
  postedToDate: number;
}

/**
 * Week by week, each store's posted sales are capped at what it has on hand (its allocation, plus
 * replenishment moved after earlier weeks, less what it sold): a store cannot sell stock it does
 * not hold, so the excess is unmet demand. A week's net negative sales are returns: they go back
 * on the shelf, up to what the store has sold. The actuals stay stored as posted.
 */
export interface PositionOptions {
  /** The run's actuals, when the caller reads them anyway: a season's are thousands of rows a week. */
  posted?: readonly SeasonActual[];
  /**
   * The last week the run stands at: weeks after it are left out. A rollback keeps a season's actuals (facts, replaced
   * when their week is posted again), so after one to week 1 a stale week 2 was counted in week 1's stock and its
   * replenishment shipped the whole DC on it.
   */
  throughWeek?: number;
}

export async function stockPosition(data: SeasonData, runId: string, { posted, throughWeek }: PositionOptions = {}): Promise<StockPosition> {
  const [allocation, replenishments, actuals] = await Promise.all([
    data.latestPlan(runId, 'allocation'),
    data.listPlans(runId, 'replenishment'),
    posted ?? data.listActuals(runId),
  ]);
  const plan = planBodyOrNone('allocation', allocation);
  const stores = new Map<string, StorePosition>();
  const position = (id: string) => {
    let p = stores.get(id);
    if (!p) stores.set(id, (p = { received: 0, sold: 0, onHand: 0, unmet: 0 }));
    return p;
  };
  for (const [id, units] of Object.entries(plan?.store_units ?? {})) {
    position(id).received += units;
    position(id).onHand += units;
  }
  let dcUnits = plan?.dc_units ?? 0;
  // Replenishment decided after week w's sales reaches the stores before week w + 1's.
  const moves = replenishments.map((r) => planBody('replenishment', r)).sort((a, b) => a.week - b.week);
  let nextMove = 0;
  const receiveMovesBefore = (week: number) => {
    for (; nextMove < moves.length && moves[nextMove]!.week < week; nextMove++) {
      for (const move of moves[nextMove]!.moves) {
        const p = position(move.store_id);
        p.received += move.units;
        p.onHand += move.units;
        dcUnits -= move.units;
      }
    }
  };

  const postedByWeek = new Map<number, Map<string, number>>();
  let postedToDate = 0;
  for (const a of actuals) {
    if (throughWeek !== undefined && a.seasonWeek > throughWeek) continue;
    let week = postedByWeek.get(a.seasonWeek);
    if (!week) postedByWeek.set(a.seasonWeek, (week = new Map<string, number>()));
    week.set(a.storeId, (week.get(a.storeId) ?? 0) + a.unitsSold);
    postedToDate += a.unitsSold;
  }
  const soldByWeek = new Map<number, number>();
  const unmetByWeek = new Map<number, number>();
  const stockBoundByWeek = new Map<number, Set<string>>();
  for (const week of [...postedByWeek.keys()].sort((a, b) => a - b)) {
    receiveMovesBefore(week);
    let sold = 0;
    let unmet = 0;
    const stockBound = new Set<string>();
    for (const [storeId, posted] of postedByWeek.get(week)!) {
      const p = position(storeId);
      if (posted >= 0) {
        if (posted >= p.onHand - STOCK_EPSILON && posted <= p.onHand + STOCK_EPSILON) stockBound.add(storeId);
        const served = Math.min(posted, p.onHand);
        p.sold += served;
        p.onHand -= served;
        p.unmet += posted - served;
        sold += served;
        unmet += posted - served;
      } else {
        const returned = Math.min(-posted, p.sold);
        p.sold -= returned;
        p.onHand += returned;
        sold -= returned;
      }
    }
    soldByWeek.set(week, sold);
    unmetByWeek.set(week, unmet);
    stockBoundByWeek.set(week, stockBound);
  }
  receiveMovesBefore(Infinity);
  const sumOf = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return {
    approvedQuantity: plan?.approved_quantity ?? 0,
    dcUnits,
    stores,
    soldToDate: sumOf(soldByWeek),
    soldByWeek,
    unmetToDate: sumOf(unmetByWeek),
    unmetByWeek,
    stockBoundByWeek,
    postedToDate,
  };
}
