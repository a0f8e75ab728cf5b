/** Store clusters from the retail snapshot: attributes plus each store's sales profile (used by Inventory and GET /api/stores/clusters). */
import { clusterStores, type StoreClustering } from '../../allocation/index.js';
import type { InventoryContext } from './context.js';

export function clusterSnapshotStores(snapshot: Pick<InventoryContext, 'stores' | 'salesProfiles'>, only?: ReadonlySet<string>): Promise<StoreClustering> {
  return clusterStores(
    snapshot.stores
      .filter((s) => only === undefined || only.has(s.storeId))
      .map((s) => {
        const profile = snapshot.salesProfiles.get(s.storeId);
        return {
          storeId: s.storeId,
          attributes: { size: s.storeSizeSqft, income: s.medianIncome, tier: s.locationTier, format: s.storeFormat, region: s.region },
          sales: { sales: profile?.averageWeeklySales, seasonality: profile?.seasonality, trend: profile?.trend },
        };
      }),
    { seed: 42 },
  );
}
