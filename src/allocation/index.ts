/** Allocation library for season planning: store clustering, the initial split, replenishment and variance. Pure: no I/O. */
export { allocate, usableShare, type Allocation, type Shares } from './largest-remainder.js';
export { planAllocation, holdbackUnits, type AllocationPlan, type PlanAllocationInput } from './plan-allocation.js';
export {
  planReplenishment,
  DEFAULT_PACE_BOUNDS,
  DEFAULT_SAFETY_RATIO,
  type ReplenishmentInput,
  type ReplenishmentPlan,
  type StoreReplenishment,
} from './replenishment.js';
export { variance, relativeVariance, exceedsThreshold, DEFAULT_VARIANCE_THRESHOLD, type VarianceReport, type WeekVariance } from './variance.js';
export { clusterStores } from './clustering/cluster-stores.js';
export type { ClusterOptions, ClusterStore, ClusterSummary, KScore, StoreClustering } from './clustering/schema.js';
export { compareKeys } from './key-order.js';
