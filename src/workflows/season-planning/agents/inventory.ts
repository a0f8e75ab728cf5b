/**
 * The Inventory agent: clusters stores (k-means on standardised features and sales profile, k by
 * silhouette) and allocates the approved quantity: the DC keeps its holdback, stores get the rest
 * by their share of the forecast, in whole units that add up exactly.
 */
import { z } from 'zod';
import { planAllocation } from '../../../allocation/index.js';
import { defineAgent } from '../../../engine/index.js';
import { AgentError } from '../../../errors/index.js';
import type { SeasonData } from '../data/index.js';
import { clusterSnapshotStores } from '../clusters.js';
import type { ContextAssembler } from '../context.js';
import { explain } from '../explain.js';
import type { AllocationPlanBody } from '../ledger.js';
import { PlanParameters } from '../parameters.js';
import { roundTo, sum } from '../season.js';
import { planBody } from '../checked.js';
import { InventoryOutput } from '../contracts.js';

export const inventoryInput = z.object({
  runId: z.string(),
  parameters: PlanParameters,
  approvedQuantity: z.number().int().positive(),
  revision: z.number().int().min(1),
});

/** Declared once in the contracts (its stored result and `complete` event carry it). */
export const inventoryOutput = InventoryOutput;

export function inventoryAgent(data: SeasonData, assembler: ContextAssembler) {
  return defineAgent({
    name: 'inventory',
    description: 'Clusters stores and allocates the approved quantity to stores and the DC.',
    input: inventoryInput,
    output: inventoryOutput,
    timeoutMs: 60_000,
    run: async ({ input, reportProgress, now }) => {
      const { parameters, approvedQuantity } = input;
      const [context, forecastRecord] = await Promise.all([assembler.inventory(parameters), data.latestPlan(input.runId, 'forecast')]);
      if (!forecastRecord) throw new AgentError('no forecast to allocate from', { retryable: false, suggestions: ['run the demand phase first'] });
      const plan = planBody('forecast', forecastRecord);
      const forecastByStore: Record<string, number> = {};
      for (const s of plan.series) forecastByStore[s.store_id] = (forecastByStore[s.store_id] ?? 0) + sum(s.forecast);

      reportProgress(20, 'clustering stores');
      const clustering = await clusterSnapshotStores(context, new Set(Object.keys(forecastByStore)));
      reportProgress(70, 'allocating units');
      const allocation = planAllocation({ approvedQuantity, dcHoldback: context.dcHoldback, forecastByStore });
      const body: AllocationPlanBody = {
        revision: input.revision,
        approved_quantity: approvedQuantity,
        dc_units: allocation.dcUnits,
        store_units: allocation.storeUnits,
        clusters: clustering.assignments,
      };
      await data.savePlan({ runId: input.runId, kind: 'allocation', revision: input.revision, body, createdAt: now() });

      const clusters = clustering.clusters.map((c) => ({
        id: c.id,
        label: c.label,
        stores: c.size,
        units: sum(c.storeIds.map((id) => allocation.storeUnits[id] ?? 0)),
      }));
      const silhouette = clustering.silhouette === null ? 'one cluster' : `silhouette ${clustering.silhouette.toFixed(2)}`;
      const explanation =
        `${explain.amount(approvedQuantity, context.quantity)}: ${explain.units(allocation.dcUnits)} held at the DC (${explain.percent(parameters.dc_holdback_percentage)}), ` +
        `${explain.units(allocation.storePool)} to ${Object.keys(allocation.storeUnits).length} stores by their share of the forecast. ` +
        `Stores fall into ${clustering.k} cluster${clustering.k === 1 ? '' : 's'} (${silhouette}): ` +
        clusters.map((c) => `${c.label} (${c.stores} stores, ${explain.amount(c.units, context.quantity)})`).join('; ') +
        '.';
      return {
        approved_quantity: approvedQuantity,
        dc_units: allocation.dcUnits,
        store_units: allocation.storePool,
        stores: Object.keys(allocation.storeUnits).length,
        clusters,
        k: clustering.k,
        silhouette: clustering.silhouette === null ? null : roundTo(clustering.silhouette, 5),
        allocation: Object.entries(allocation.storeUnits).map(([store_id, units]) => ({
          store_id,
          cluster: clustering.assignments[store_id] ?? 0,
          units,
          forecast: Math.round(forecastByStore[store_id] ?? 0),
        })),
        notes: [...allocation.notes, ...clustering.notes],
        explanation,
      };
    },
  });
}
