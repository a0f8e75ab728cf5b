/** Combining member forecasts step by step: the median is robust to one member going astray, the mean to none. */
import { mean, median } from './stats.js';
import type { PointForecast } from './types.js';

export type Combiner = 'median' | 'mean';

export function combineForecasts(members: readonly PointForecast[], how: Combiner = 'median'): PointForecast {
  const horizon = members[0]?.mean.length ?? 0;
  const pick = how === 'median' ? median : mean;
  const meanPath: number[] = [];
  const sd: number[] = [];
  for (let h = 0; h < horizon; h++) {
    meanPath.push(pick(members.map((m) => m.mean[h]!)));
    // Members' errors are highly correlated, so the combination's spread is taken as the members' typical spread.
    sd.push(median(members.map((m) => m.sd[h]!)));
  }
  return { mean: meanPath, sd };
}
